"""Links on the staff home, contributed by each app.

An app lists what its staff pages offer as ``staff_links`` on its AppConfig; the staff home
shows those whose roles the user holds (and whose URL exists), so portal needs to know
nothing of the other apps' pages. Roles are StaffRole values, written as plain strings
because AppConfigs are read before the models load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from portal.models import User


@dataclass(frozen=True)
class StaffLink:
    """One entry of the staff home: a URL name, its label, and the roles that see it."""

    url_name: str
    label: str | Promise
    roles: frozenset[str]
    order: int = 100


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str


def all_links() -> list[StaffLink]:
    """Every app's links, in order."""
    found = [
        link for config in apps.get_app_configs() for link in getattr(config, "staff_links", ())
    ]
    return sorted(found, key=lambda link: (link.order, link.url_name))


def links_for(user: User) -> list[ShownLink]:
    """The links the user's roles may see; a page not (yet) routed is left out."""
    from portal import roles  # AppConfigs import this module before models are ready

    held = roles.roles_of(user)
    if roles.is_system_admin(user):
        held = held | {"system_admin"}
    shown = []
    for link in all_links():
        if not (link.roles & held):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        shown.append(ShownLink(str(link.label), url))
    return shown

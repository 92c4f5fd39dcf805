"""Admin for what search understands: the words (everyday words, filler, areas, narrowing
words) and the report of queries that found nothing, each with a link to teach search the
query. System administrators only; every change to a word is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import SystemAdminOnly
from portal.auth import signed_in_user
from services import maintenance, search
from services.models import SearchMiss, SearchWord, WordKind


@admin.register(SearchWord)
class SearchWordAdmin(SystemAdminOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["phrase", "kind", "means", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["phrase", "means"]
    fields = ["phrase", "kind", "means", "note"]
    actions = ["rebuild_index"]

    def save_model(self, request: HttpRequest, obj: SearchWord, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        maintenance.record_change(
            obj,
            by=signed_in_user(request),
            change="changed" if change else "created",
            fields=list(form.changed_data),
            request=request,
            phrase=obj.phrase,
        )
        if obj.kind == WordKind.NARROWING:
            messages.info(
                request,
                _(
                    "Narrowing words take effect when the search index is rebuilt: choose "
                    "“Rebuild the search index” in the list."
                ),
            )

    def delete_model(self, request: HttpRequest, obj: SearchWord) -> None:
        maintenance.record_change(
            obj, by=signed_in_user(request), change="deleted", request=request, phrase=obj.phrase
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SearchWord]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("Rebuild the search index"))
    def rebuild_index(self, request: HttpRequest, queryset: QuerySet[SearchWord]) -> None:
        tokens = search.reindex_all()
        self.message_user(
            request,
            ngettext(
                "The search index was rebuilt: %(count)d key.",
                "The search index was rebuilt: %(count)d keys.",
                tokens,
            )
            % {"count": tokens},
        )


@admin.register(SearchMiss)
class SearchMissAdmin(SystemAdminOnly, admin.ModelAdmin):  # type: ignore[misc]
    """The report "queries without results", most asked first."""

    list_display = ["query", "count", "last_seen", "first_seen", "teach"]
    search_fields = ["query"]
    date_hierarchy = "last_seen"
    readonly_fields = ["query", "count", "first_seen", "last_seen"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Teach search"))
    def teach(self, obj: SearchMiss) -> str:
        url = (
            reverse("admin:services_searchword_add")
            + "?"
            + urlencode({"phrase": obj.query[:40], "kind": WordKind.COLLOQUIAL})
        )
        return format_html('<a href="{}">{}</a>', url, _("Add as an everyday word"))

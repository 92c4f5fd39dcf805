"""出件: what an approved application gives, by its service's result — an e-certificate issued
into the holder's store, a paper document to collect with a pickup code, or nothing.

Called by ``workflow.approve`` inside its transaction: approval and result stand or fall
together, so a race (two approvals, approve against withdraw) issues at most one certificate.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from certificates import issuing
from certificates.models import Certificate, HolderKind
from portal.errors import Conflict, Invalid
from portal.models import PersonProfile
from services import codes
from services.models.applications import Application, Delivery
from services.models.catalogue import ServiceResult


def holder_of(application: Application) -> tuple[str, str]:
    """(name, code) of whom the result certificate belongs to: the organisation that applied,
    or the applicant by his verified real name."""
    if application.organisation_id is not None:
        organisation = application.organisation
        assert organisation is not None
        return organisation.name, organisation.uscc
    profile = PersonProfile.objects.filter(user_id=application.applicant_id).first()
    if profile is None or not profile.id_number_encrypted:
        raise Invalid(
            _("The applicant has no real-name identity, so no certificate can be issued to him."),
            code="no_holder",
        )
    return profile.legal_name, profile.reveal_id_number()


def surface_values(
    application: Application, fields: list[dict[str, Any]], given: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The answers whose keys name surface fields of the certificate type, overridden by what
    the deciding reviewer gave."""
    names = {f["name"] for f in fields}
    values = {k: v for k, v in application.answers.items() if k in names}
    values.update({k: v for k, v in (given or {}).items() if k in names and v not in (None, "")})
    return values


def _certificate(application: Application, given: dict[str, Any] | None) -> Certificate:
    service = application.service
    assert service is not None and service.result_certificate_type is not None
    ctype = service.result_certificate_type
    name, code = holder_of(application)
    if (ctype.holder_kind == HolderKind.ORGANISATION) != (application.organisation_id is not None):
        raise Invalid(
            _("The result certificate is for %(kind)s, but this application is not.")
            % {"kind": HolderKind(ctype.holder_kind).label},
            code="holder_kind",
        )
    try:
        return issuing.issue(
            type=ctype,
            issuer=service.department,
            holder_name=name,
            holder_code=code,
            surface=surface_values(application, ctype.fields, given),
            by=None,
            idempotency_key=f"application-{application.pk}",
            number=application.acceptance_number or "",
        )
    except ValidationError as exc:
        raise Invalid(
            _("The result certificate cannot be issued: %(problems)s")
            % {"problems": " ".join(m for m in exc.messages)},
            code="result_not_issued",
        ) from exc


def issue(application: Application, *, surface: dict[str, Any] | None = None) -> Application:
    """Give the approved application its result; complete it when nothing is to be collected."""
    from services import workflow

    service = application.service
    assert service is not None
    if service.result_kind == ServiceResult.CERTIFICATE:
        certificate = _certificate(application, surface)

        def with_certificate(app: Application) -> None:
            app.result_certificate, app.delivery = certificate, Delivery.NONE

        issued = workflow.result_issued(application, changes=with_certificate)
        return workflow.complete_without_pickup(issued)
    if service.result_kind == ServiceResult.PAPER:
        return _with_pickup_code(application)

    issued = workflow.result_issued(application, changes=lambda app: None)
    return workflow.complete_without_pickup(issued)


def _with_pickup_code(application: Application) -> Application:
    from services import workflow

    for _attempt in range(5):
        code = codes.pickup_code()

        def with_pickup(app: Application, code: str = code) -> None:
            app.pickup_code, app.delivery = code, Delivery.PICKUP

        try:
            with transaction.atomic():
                return workflow.result_issued(application, changes=with_pickup)
        except IntegrityError:  # the same eight digits wait at the window already
            continue
    # Five draws of eight digits all waiting at the window: the approval is undone, not lost.
    raise Conflict(_("No free pickup code could be drawn just now: please try again."))


def fields_to_confirm(application: Application) -> list[dict[str, Any]]:
    """The result certificate's surface fields when approving now decides the case and issues
    one (the last review step of a certificate service); else none."""
    service, step = application.service, application.review_step
    if service is None or service.result_kind != ServiceResult.CERTIFICATE:
        return []
    if step is not None and step.following() is not None:
        return []
    ctype = service.result_certificate_type
    return list(ctype.fields) if ctype is not None else []

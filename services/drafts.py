"""Drafts and submitting: one form, one set of materials, and never two cases for one intent.

The API passes an ``Idempotency-Key``; the HTML form carries a one-time token used the same
way. The same key with the same request answers the first application again; the same key with
another request is a conflict (409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal import organisations
from portal.errors import Conflict, Invalid, NotAllowed
from portal.models import Organisation, ServiceHall, User
from services import bundles, formdefs, materials, workflow
from services.models import ApplicantKind, Bundle, Service
from services.models.applications import Application, ApplicationStatus, Channel

MAX_ANSWERS_BYTES = 64 * 1024


@dataclass(frozen=True)
class Submitted:
    application: Application
    created: bool


def definition_of(application: Application) -> Mapping[str, Any]:
    if application.service_id is not None:
        return application.service.form_definition  # type: ignore[union-attr]
    assert application.bundle is not None
    return bundles.merge_bundle(application.bundle).form_definition


def _applicant_kind_ok(kinds: str, organisation: Organisation | None) -> bool:
    wanted = ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON
    return kinds in (wanted, ApplicantKind.BOTH)


def _hall(service: Service | None, bundle: Bundle | None, hall: ServiceHall | None) -> ServiceHall:
    offered = (
        service.halls.all()
        if service
        else ServiceHall.objects.filter(
            services__in=bundle.members.values("service")  # type: ignore[union-attr]
        ).distinct()
    )
    if hall is not None:
        if not offered.filter(pk=hall.pk).exists():
            raise Invalid(
                _("This hall does not take this service in."),
                code="hall",
                fields={"hall": [_("Choose a hall that offers the service.")]},
            )
        return hall
    first = offered.order_by("pk").first()
    if first is None:
        raise Invalid(_("No service hall takes this service in yet."), code="no_hall")
    return first


@transaction.atomic
def start(
    *,
    by: User,
    service: Service | None = None,
    bundle: Bundle | None = None,
    applicant: User | None = None,
    organisation: Organisation | None = None,
    hall: ServiceHall | None = None,
    channel: str = Channel.ONLINE,
) -> Application:
    """A new draft. Online, ``by`` is the applicant; at the counter, the clerk for ``applicant``."""
    if (service is None) == (bundle is None):
        raise Invalid(_("Apply for one service or one bundle."), code="service_or_bundle")
    applicant = applicant or by
    if (
        organisation is not None
        and not organisations.for_user(applicant).filter(pk=organisation.pk).exists()
    ):
        raise NotAllowed(_("You do not act for this organisation."))
    if service is not None:
        if not service.is_published or (channel == Channel.ONLINE and not service.online):
            raise Invalid(_("This service cannot be applied for online."), code="not_online")
        if not _applicant_kind_ok(service.applicant_kind, organisation):
            raise Invalid(
                _("This service is not open to this kind of applicant."), code="applicant_kind"
            )
    hall = _hall(service, bundle, hall)
    application = Application.objects.create(
        service=service,
        bundle=bundle,
        applicant=applicant,
        organisation=organisation,
        hall=hall,
        channel=channel,
        taken_in_by=by if channel == Channel.COUNTER else None,
    )
    workflow.record(application, "create", by=by, channel=channel)
    return application


@transaction.atomic
def save_answers(
    application: Application,
    *,
    by: User,
    answers: Mapping[str, Any],
    bundle_choices: list[str] | None = None,
) -> Application:
    """Keep a draft's answers as given (checked in full on submit), on the locked row: a save
    racing a submit never rewrites a submitted case's answers."""
    from services import permissions

    if not permissions.may_apply(by, application):
        raise NotAllowed(_("You may not change this application."))
    status = workflow.lock(application).status
    if status not in materials.EDITABLE:
        raise workflow.illegal(status, "edit")
    if len(json.dumps(answers, default=str)) > MAX_ANSWERS_BYTES:
        raise Invalid(_("The answers are too long."), code="too_long")
    application.answers = dict(answers)
    if bundle_choices is not None and application.is_bundle:
        optional = set(
            application.bundle.members.filter(required=False).values_list(  # type: ignore[union-attr]
                "service__code", flat=True
            )
        )
        unknown = set(bundle_choices) - optional
        if unknown:
            raise Invalid(
                _("Choose only optional services of this bundle."),
                code="bundle_choices",
                fields={"bundle_choices": sorted(unknown)},
            )
        application.bundle_choices = sorted(bundle_choices)
    application.save(update_fields=["answers", "bundle_choices"])
    return application


def check_complete(application: Application) -> None:
    """Every answer valid and every required material there, or one Invalid naming each."""
    fields: dict[str, Any] = {}
    try:
        application.answers = formdefs.validate_submission(
            definition_of(application), application.answers
        )
    except ValidationError as exc:
        fields.update({key: [str(m) for m in errs] for key, errs in exc.message_dict.items()})
    absent = materials.missing(application)
    if absent:
        fields["materials"] = [
            _("Missing: %(name)s") % {"name": requirement.name} for requirement in absent
        ]
    if fields:
        raise Invalid(
            _("The application is not complete yet: see each field."),
            code="incomplete",
            fields=fields,
        )


@transaction.atomic
def submit_draft(application: Application, *, by: User) -> Application:
    """Submit a draft once: a second submit of the same draft answers it unchanged."""
    locked = workflow.lock(application)
    if locked.status != ApplicationStatus.DRAFT:
        if locked.submitted_at is not None:
            return locked  # a double click or the back button: already submitted
        raise workflow.illegal(locked.status, "submit")
    check_complete(locked)
    locked.save(update_fields=["answers"])
    return workflow.submit(locked, by=by)


@transaction.atomic
def resubmit(application: Application, *, by: User, note: str = "") -> Application:
    """Hand in what a supplement asked for: every answer and material checked again on the
    locked case, then the move (the clock resumes). All or nothing."""
    from services import permissions

    locked = workflow.lock(application)
    if not permissions.may_apply(by, locked):
        raise NotAllowed(_("You may not do this to this application."))
    if (locked.status, "resubmit") not in workflow.MOVES:
        raise workflow.illegal(locked.status, "resubmit")
    check_complete(locked)
    locked.save(update_fields=["answers"])
    return workflow.resubmit(locked, by=by, note=note.strip()[:2000])


def request_digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def submit_once(
    *,
    by: User,
    key: str,
    payload: Mapping[str, Any],
    build: Any,
) -> Submitted:
    """Run ``build()`` (which creates and submits) once per (applicant, key).

    Same key and payload → the first application; same key, other payload → Conflict.
    """
    digest = request_digest(payload)
    earlier = Application.objects.filter(applicant=by, idempotency_key=key).first()
    if earlier is not None:
        return _same(earlier, digest)
    try:
        with transaction.atomic():
            application: Application = build()
            application.idempotency_key, application.request_digest = key, digest
            application.save(update_fields=["idempotency_key", "request_digest"])
    except IntegrityError:
        # Another request with this key committed first: answer as it did.
        earlier = Application.objects.filter(applicant=by, idempotency_key=key).first()
        if earlier is None:
            raise
        return _same(earlier, digest)
    return Submitted(application, True)


def _same(earlier: Application, digest: str) -> Submitted:
    if earlier.request_digest != digest:
        raise Conflict(
            _("This idempotency key was already used for a different request. Use a new key."),
            code="idempotency_conflict",
        )
    return Submitted(earlier, False)

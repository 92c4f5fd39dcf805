"""Drafts and submitting: one form, one set of materials, and never two cases for one intent.

The API passes an ``Idempotency-Key``; the HTML form carries a one-time token used the same
way. The same key with the same request answers the first application again; the same key with
another request is a conflict (409).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from certificates import selectors as certificate_selectors
from portal import organisations
from portal.db import rows
from portal.errors import Conflict, Invalid, NotAllowed, Refusal
from portal.models import Organisation, ServiceHall, User
from services import bundles, formdefs, materials, workflow
from services.models import ApplicantKind, Bundle, Service
from services.models.applications import Application, ApplicationStatus, Channel

MAX_ANSWERS_BYTES = 64 * 1024


@dataclass(frozen=True)
class Submitted:
    application: Application
    created: bool
    # A new application's events and materials as written, when known (``apply_once``).
    opened: workflow.Opened | None = None


def definition_of(application: Application) -> Mapping[str, Any]:
    if application.service_id is not None:
        return application.service.form_definition  # type: ignore[union-attr]
    assert application.bundle is not None
    return bundles.merge_bundle(application.bundle).form_definition


def _applicant_kind_ok(kinds: str, organisation: Organisation | None) -> bool:
    wanted = ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON
    return kinds in (wanted, ApplicantKind.BOTH)


def services_to_apply_for() -> QuerySet[Service]:
    """Services read with the hall a new application goes to when it names none (the first
    that offers the service): one read for both."""
    halls = Service.halls.through.objects.filter(service_id=OuterRef("pk"))
    first = halls.order_by("servicehall_id").values("servicehall_id")[:1]
    return Service.objects.annotate(**{FIRST_HALL: Subquery(first)})


FIRST_HALL = "first_hall_id"
_UNREAD = object()


def service_to_apply_for(code: str) -> Service | None:
    """``services_to_apply_for().filter(code=code).first()`` in one prepared statement: the
    API's apply reads it on every request (portal.db.rows)."""
    found = rows.fetch(_service_sql(), [code])
    if not found:
        return None
    *values, first_hall = found[0]
    service: Service = rows.table(Service, "s").load(values)
    setattr(service, FIRST_HALL, first_hall)
    return service


@functools.cache
def _service_sql() -> str:
    halls, name = Service.halls.through, rows.name
    hall, of = name(halls, "servicehall_id"), name(halls, "service_id")
    first = (
        f"SELECT h.{hall} FROM {rows.quoted_table(halls)} h "  # noqa: S608 (names only)
        f"WHERE h.{of} = s.{name(Service, 'id')} ORDER BY h.{hall} LIMIT 1"
    )
    return (
        f"SELECT {rows.table(Service, 's').columns}, ({first}) "  # noqa: S608 (names only)
        f"FROM {rows.quoted_table(Service)} s WHERE s.{name(Service, 'code')} = %s"
    )


def _hall(service: Service | None, bundle: Bundle | None, hall: ServiceHall | None) -> int:
    """The id of the hall that takes the application in."""
    if hall is None and (first_id := getattr(service, FIRST_HALL, _UNREAD)) is not _UNREAD:
        if first_id is None:
            raise Invalid(_("No service hall takes this service in yet."), code="no_hall")
        return int(first_id)  # type: ignore[call-overload]
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
        return int(hall.pk)
    first = offered.order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        raise Invalid(_("No service hall takes this service in yet."), code="no_hall")
    return int(first)


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
    application = _draft(
        by=by,
        service=service,
        bundle=bundle,
        applicant=applicant,
        organisation=organisation,
        hall=hall,
        channel=channel,
    )
    application.save(force_insert=True)
    workflow.record(application, "create", by=by, channel=channel)
    return application


def _draft(
    *,
    by: User,
    service: Service | None,
    bundle: Bundle | None,
    applicant: User | None,
    organisation: Organisation | None,
    hall: ServiceHall | None,
    channel: str,
) -> Application:
    """A new draft checked but not saved yet."""
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
    return Application(
        service=service,
        bundle=bundle,
        applicant=applicant,
        organisation=organisation,
        hall_id=_hall(service, bundle, hall),
        channel=channel,
        taken_in_by=by if channel == Channel.COUNTER else None,
    )


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
    _set_answers(application, answers, bundle_choices)
    application.save(update_fields=["answers", "bundle_choices"])
    return application


def _set_answers(
    application: Application, answers: Mapping[str, Any], bundle_choices: list[str] | None
) -> None:
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
    build: Callable[[], Application],
) -> Submitted:
    """Run ``build()`` (which creates and submits) once per (applicant, key).

    Same key and payload → the first application; same key, other payload → Conflict.
    """

    def stamped(key: str, digest: str) -> Application:
        application = build()
        application.idempotency_key, application.request_digest = key, digest
        application.save(update_fields=["idempotency_key", "request_digest"])
        return application

    return _once(by=by, key=key, payload=payload, create=stamped)


@dataclass(frozen=True)
class NewApplication:
    """What one API request asks for: the case, its answers, the e-certificates given
    instead of copies as (requirement key, certificate reference), and whether to submit."""

    service: Service | None = None
    bundle: Bundle | None = None
    organisation: Organisation | None = None
    hall: ServiceHall | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    bundle_choices: list[str] | None = None
    certificates: list[tuple[str, str]] = field(default_factory=list)
    submit: bool = True


def apply_once(new: NewApplication, *, by: User, key: str, payload: Mapping[str, Any]) -> Submitted:
    """``apply`` once per (applicant, key), as ``submit_once``."""
    opened: list[workflow.Opened] = []

    def create(key: str, digest: str) -> Application:
        opened.append(apply(new, by=by, key=key, digest=digest))
        return opened[0].application

    done = _once(by=by, key=key, payload=payload, create=create, look_first=False)
    return Submitted(done.application, done.created, opened[0]) if done.created else done


def apply(new: NewApplication, *, by: User, key: str = "", digest: str = "") -> workflow.Opened:
    """A new application with its answers and e-certificates, submitted unless
    ``new.submit`` is false (a draft, for uploads). Everything is checked before anything is
    written, and every problem is named at once, nested like the API's body ("answers" by
    field, "materials" by requirement key); then a few inserts in one transaction: the case,
    the consents and their audit rows, the materials and the events."""
    draft = _draft(
        by=by,
        service=new.service,
        bundle=new.bundle,
        applicant=None,
        organisation=new.organisation,
        hall=new.hall,
        channel=Channel.ONLINE,
    )
    draft.idempotency_key, draft.request_digest = key, digest
    _set_answers(draft, new.answers, new.bundle_choices)
    requirements = materials.requirements_of(draft)
    holdings = certificate_selectors.Holdings(by)
    chosen, given_problems = materials.choose_certificates(
        requirements, new.certificates, holdings=holdings
    )
    problems: dict[str, dict[str, list[str]]] = {}
    if new.submit:
        try:
            draft.answers = formdefs.validate_submission(definition_of(draft), draft.answers)
        except ValidationError as exc:
            problems["answers"] = {
                key: [str(m) for m in errs] for key, errs in exc.message_dict.items()
            }
        have = {choice.requirement.key for choice in chosen}
        for requirement in materials.absent(requirements, have):
            given_problems.setdefault(
                requirement.key, [_("Missing: %(name)s") % {"name": requirement.name}]
            )
    if given_problems:
        problems["materials"] = given_problems
    if problems:
        raise Invalid(
            _("The application is not complete yet: see each field."),
            code="incomplete",
            fields=problems,
        )
    with transaction.atomic(savepoint=False):
        return workflow.open_new(
            draft,
            by=by,
            submit=new.submit,
            fill=lambda app: materials.give_certificates(app, chosen, holdings=holdings),
        )


def _once(
    *,
    by: User,
    key: str,
    payload: Mapping[str, Any],
    create: Callable[[str, str], Application],
    look_first: bool = True,
) -> Submitted:
    """``create`` once per (applicant, key). With ``look_first`` false the key is not looked
    up before: the unique index of (applicant, key) refuses a second application, and the
    earlier one is read only then, or when ``create`` refuses the request (a retry must get
    the first answer, or the conflict, whatever the case's state now). One read less for
    every new application."""
    digest = request_digest(payload)
    if look_first and (earlier := _earlier(by, key)) is not None:
        return _same(earlier, digest)
    try:
        with transaction.atomic():
            application = create(key, digest)
    except IntegrityError:
        # Another request with this key committed first: answer as it did.
        earlier = _earlier(by, key)
        if earlier is None:
            raise
        return _same(earlier, digest)
    except Refusal:
        if look_first or (earlier := _earlier(by, key)) is None:
            raise
        return _same(earlier, digest)
    return Submitted(application, True)


def _earlier(by: User, key: str) -> tuple[int, str] | None:
    """The application made with this key, if any: its id and request digest (the unique
    index of (applicant, key) answers it)."""
    return (
        Application.objects.filter(applicant=by, idempotency_key=key)
        .values_list("pk", "request_digest")
        .first()
    )


def _same(earlier: tuple[int, str], digest: str) -> Submitted:
    pk, earlier_digest = earlier
    if earlier_digest != digest:
        raise Conflict(
            _("This idempotency key was already used for a different request. Use a new key."),
            code="idempotency_conflict",
        )
    return Submitted(Application.objects.select_related("service").get(pk=pk), False)

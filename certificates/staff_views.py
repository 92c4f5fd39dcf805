"""The staff area for department administrators: their department's certificates, issuing,
renewing or changing, revoking and cancelling. Each page translates a form into one
certificates.issuing call."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certificates import consents, issuing, selectors
from certificates.forms import IssueConfirmForm, IssueForm, ReasonForm, RenewForm
from certificates.models import Certificate, CertificateType
from portal import identity
from portal.auth import signed_in_user
from portal.forms import apply_errors
from portal.models import Department

PAGE_SIZE = 20


def _departments(request: HttpRequest) -> QuerySet[Department]:
    departments = selectors.administered_departments(signed_in_user(request))
    if not departments.exists():
        raise Http404
    return departments


def _certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("type", "issuer", "previous"),
        pk=pk,
        issuer__in=_departments(request).values("pk"),
    )


def _renewable(certificate: Certificate) -> bool:
    """Whether the lifecycle lets a new version supersede this one (issuing.MOVES)."""
    return (certificate.status, "supersede") in issuing.MOVES


def _record_read(request: HttpRequest, certificate: Certificate) -> None:
    # In the holder's use log as well as the audit log: he sees his issuer's staff look too.
    consents.record_read(
        certificate,
        reader=signed_in_user(request),
        department=certificate.issuer,
        reason=consents.ISSUER_ADMINISTRATION,
        request=request,
    )


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    departments = _departments(request)
    issued = (
        Certificate.objects.filter(issuer__in=departments.values("pk"))
        .select_related("type", "issuer")
        .order_by("-created_at", "-id")
    )
    types = CertificateType.objects.filter(issuing_departments__in=departments).distinct()
    page = Paginator(issued, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/staff_list.html", {"page": page, "types": types})


@login_required
def certificate_issue(request: HttpRequest, type_pk: int) -> HttpResponse:
    departments = _departments(request)
    ctype = get_object_or_404(
        CertificateType.objects.filter(issuing_departments__in=departments).distinct(), pk=type_pk
    )
    issuer = departments.filter(issued_certificate_types=ctype).first()
    if issuer is None:
        raise Http404
    form = IssueForm(
        request.POST or None,
        surface_fields=ctype.fields,
        holder_kind=ctype.holder_kind,
        initial={"idempotency_key": uuid.uuid4().hex},
    )
    if request.method != "POST" or not form.is_valid() or "back" in request.POST:
        return _issue_page(request, form, ctype, issuer)
    try:
        issuing.check_issue(
            type=ctype,
            holder_name=form.cleaned_data["holder_name"],
            holder_code=form.cleaned_data["holder_code"],
            number=form.cleaned_data["number"],
            valid_until=form.cleaned_data["valid_until"],
            surface=form.surface(),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _issue_page(request, form, ctype, issuer)
    if "confirm" not in request.POST:
        return _issue_page(request, form, ctype, issuer, preview=True)
    retry = Certificate.objects.filter(
        issuer=issuer, idempotency_key=form.cleaned_data["idempotency_key"]
    ).exists()
    confirm = IssueConfirmForm(request.POST)
    if not retry and _duplicates(ctype, form) and not confirm.is_valid():
        return _issue_page(request, form, ctype, issuer, preview=True, confirm=confirm)
    try:
        certificate = issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name=form.cleaned_data["holder_name"],
            holder_code=form.cleaned_data["holder_code"],
            number=form.cleaned_data["number"],
            valid_until=form.cleaned_data["valid_until"],
            surface=form.surface(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            by=signed_in_user(request),
            via="staff",
        )
    except ValidationError as exc:
        apply_errors(form, exc)
    except issuing.IdempotencyConflict:  # sent again, changed, after it had issued
        form.add_error(
            None,
            _(
                "This form has already issued a certificate with other details. "
                "Open the form again to issue another."
            ),
        )
    else:
        messages.success(request, _("The certificate has been issued and signed."))
        return redirect("certificates:staff_detail", pk=certificate.pk)
    return _issue_page(request, form, ctype, issuer)


def _duplicates(ctype: CertificateType, form: IssueForm) -> list[Certificate]:
    return list(selectors.live_of_type(ctype, form.cleaned_data["holder_code"]))


def _issue_page(
    request: HttpRequest,
    form: IssueForm,
    ctype: CertificateType,
    issuer: Department,
    *,
    preview: bool = False,
    confirm: IssueConfirmForm | None = None,
) -> HttpResponse:
    """The form, or (``preview``) what will be signed, with the same data in hidden fields,
    and any valid certificate of the type the holder has already, to renew instead."""
    if not preview:
        return render(
            request,
            "certificates/staff_issue.html",
            {"form": form, "ctype": ctype, "issuer": issuer},
        )
    labels = {f["name"]: f.get("label", f["name"]) for f in ctype.fields}
    return render(
        request,
        "certificates/staff_issue_preview.html",
        {
            "form": form,
            "ctype": ctype,
            "issuer": issuer,
            "surface": [(labels[k], v) for k, v in form.surface().items() if v],
            "holder_code_masked": identity.mask_id_number(form.cleaned_data["holder_code"]),
            "duplicates": _duplicates(ctype, form),
            "confirm": confirm or IssueConfirmForm(),
        },
    )


def _detail_page(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    _record_read(request, certificate)
    return render(
        request,
        "certificates/staff_detail.html",
        {
            "certificate": certificate,
            "events": certificate.events.select_related("actor__person_profile"),
            "renewable": _renewable(certificate),
        },
    )


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _certificate(request, pk))


@login_required
def certificate_renew(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    if request.method != "POST":
        if not _renewable(certificate):  # an old link: the detail page offers no renewal
            messages.error(request, str(issuing.IllegalMove(certificate.status, "supersede")))
            return redirect("certificates:staff_detail", pk=pk)
        # The form shows the holder's data, prefilled: a read like the detail page's.
        _record_read(request, certificate)
    form = RenewForm(request.POST if request.method == "POST" else None, certificate=certificate)
    if form.is_valid():
        try:
            new = issuing.renew(
                certificate,
                by=signed_in_user(request),
                holder_name=form.cleaned_data["holder_name"],
                surface=form.surface(),
                valid_until=form.cleaned_data.get("valid_until"),
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                via="staff",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except issuing.IllegalMove as exc:  # superseded, revoked or cancelled meanwhile
            form.add_error(None, str(exc))
        except issuing.IdempotencyConflict:  # sent again, changed, after it had renewed
            form.add_error(
                None,
                _(
                    "This form has already renewed the certificate with other details. "
                    "Open the form again to make another change."
                ),
            )
        else:
            messages.success(request, _("The new version has been issued and signed."))
            return redirect("certificates:staff_detail", pk=new.pk)
    return render(
        request, "certificates/staff_renew.html", {"certificate": certificate, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_end(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """吊销 or 注销: a page that says what will happen and asks the reason, then the change."""
    certificate = _certificate(request, pk)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        # The page shows the holder's name and number: a read like the detail page's.
        _record_read(request, certificate)
        return render(
            request,
            "certificates/staff_end.html",
            {"certificate": certificate, "form": form, "action": action},
        )
    change = issuing.revoke if action == "revoke" else issuing.cancel
    # An illegal move (revoked or renewed meanwhile) goes back with its message: RefusalMiddleware.
    change(certificate, by=signed_in_user(request), reason=form.cleaned_data["reason"], via="staff")
    messages.success(
        request,
        _("The certificate has been revoked.")
        if action == "revoke"
        else _("The certificate has been cancelled."),
    )
    return redirect("certificates:staff_detail", pk=pk)

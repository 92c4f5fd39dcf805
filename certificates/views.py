"""Pages: the holder's wallet, shares, consents, public verification, keys, reviewers' reads."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certificates import consents, identifiers, keys, rendering, selectors, sharing, verification
from certificates.forms import GrantForm, ShareForm
from certificates.models import Certificate, CertificateGrant, CertificateShare
from certificates.verification import verify_certificate
from portal.api.throttles import VerifyPageThrottle
from portal.auth import signed_in_user
from portal.forms import apply_errors

PAGE_SIZE = 20
USES_PAGE_SIZE = 50


def _own(request: HttpRequest, pk: int) -> Certificate:
    """A certificate of the signed-in holder; anyone else's is a 404, never a 403."""
    return get_object_or_404(selectors.wallet(signed_in_user(request)), pk=pk)


def _share_choices(certificate: Certificate) -> list[tuple[str, str]]:
    return [("holder_name", _("Holder's full name")), ("number", _("Certificate number"))] + [
        (f["name"], f.get("label", f["name"])) for f in certificate.type.fields
    ]


@dataclass(frozen=True)
class Group:
    """The wallet's certificates of one holder on the page shown."""

    holder: selectors.Holder
    certificates: list[Certificate]


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """Live certificates grouped by holder (the user, then each organisation he acts for);
    with ``?history=1`` the ended ones and earlier versions instead."""
    user = signed_in_user(request)
    holders = selectors.wallet_holders(user)
    held = selectors.held_by(holders)
    showing_history = request.GET.get("history") == "1"
    shown = selectors.history(held) if showing_history else selectors.current(held)
    # Person ("111") before organisations ("001"), one holder's certificates together.
    ordered = shown.order_by("-holder_code_type", "holder_code_index", "type__code", "-id")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = [
        Group(
            holder,
            [
                c
                for c in page.object_list
                if (c.holder_code_type, c.holder_code_index) == (holder.code_type, holder.index)
            ],
        )
        for holder in holders
    ]
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "page": page,
            # Every holder on the first page, even without certificates: an agent sees which
            # companies he acts for; on later pages only those with certificates there.
            "groups": [g for g in groups if g.certificates or (page.number == 1)],
            "showing_history": showing_history,
            "history_count": None if showing_history else selectors.history(held).count(),
            "verified": selectors.is_verified_person(user),
        },
    )


@dataclass(frozen=True)
class Listing:
    """One of several paginated lists on a page: its page, and links to the pages before and
    after that keep the other lists where they are."""

    page: Page
    previous_url: str | None
    next_url: str | None


def _listing(
    request: HttpRequest, items: QuerySet, *, param: str, size: int, anchor: str
) -> Listing:
    page = Paginator(items, size).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return Listing(
        page,
        url(page.previous_page_number()) if page.has_previous() else None,
        url(page.next_page_number()) if page.has_next() else None,
    )


@login_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own(request, pk)
    acting = selectors.acting_holders(certificate, viewer=signed_in_user(request))
    shares = _listing(
        request,
        selectors.shares_of(certificate),
        param="shares_page",
        size=PAGE_SIZE,
        anchor="share-heading",
    )
    grants = _listing(
        request,
        selectors.grants_of(certificate),
        param="grants_page",
        size=PAGE_SIZE,
        anchor="grant-heading",
    )
    # Made by someone who no longer holds it (or not without a break since): stopped.
    for share in shares.page:
        share.stopped = not selectors.made_by_a_holder(
            acting, share.created_by_id, share.created_at
        )
    for grant in grants.page:
        grant.stopped = not selectors.made_by_a_holder(
            acting, grant.granted_by_id, grant.created_at
        )
    versions = list(selectors.versions_of(certificate))
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "result": verify_certificate(certificate),
            "newest": versions[0] if versions[0].pk != certificate.pk else None,
            "other_versions": [v for v in versions if v.pk != certificate.pk],
            "share_form": ShareForm(choices=_share_choices(certificate)),
            "grant_form": GrantForm(cases=selectors.case_choices(signed_in_user(request))),
            "shares": shares,
            "grants": grants,
            "uses": _listing(
                request,
                selectors.uses_of(certificate),
                param="uses_page",
                size=USES_PAGE_SIZE,
                anchor="uses-heading",
            ),
        },
    )


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own(request, pk)
    verify_url = request.build_absolute_uri(
        reverse("certificates:verify_identifier", args=[certificate.identifier])
    )
    try:
        content = rendering.pdf(certificate, verify_url=verify_url)
    except rendering.FontMissing:
        messages.error(request, _("The PDF cannot be made on this server: a font is missing."))
        return redirect("certificates:certificate_detail", pk=pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.pk}.pdf"'
    return response


@login_required
@never_cache
def certificate_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed certificate (compact JWS) to take away and verify offline with keys.json.

    It carries the holder code in clear, like the certificate itself: holder only, not cached.
    """
    certificate = _own(request, pk)
    response = HttpResponse(verification.document(certificate), content_type="application/jose")
    response["Content-Disposition"] = f'attachment; filename="{certificate.identifier}.jws"'
    return response


@login_required
@require_POST
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own(request, pk)
    form = ShareForm(request.POST, choices=_share_choices(certificate))
    if not form.is_valid():
        messages.error(request, _("Choose how long the link lasts."))
        return redirect("certificates:certificate_detail", pk=pk)
    share = sharing.create(
        certificate,
        by=signed_in_user(request),
        lifetime=form.lifetime_delta(),
        one_time=form.cleaned_data["one_time"],
        shown_fields=form.cleaned_data["shown_fields"],
    )
    return redirect("certificates:share_detail", pk=share.pk)


@login_required
def share_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The link and a full-screen QR code to show on a phone, and every scan of it so far.
    Anyone who holds the certificate now sees any of its links, whoever made it."""
    share = get_object_or_404(
        CertificateShare.objects.select_related("certificate__type", "created_by"), pk=pk
    )
    if not selectors.holds(signed_in_user(request), share.certificate):
        raise Http404
    url = request.build_absolute_uri(reverse("certificates:verify", args=[share.token]))
    scans = Paginator(selectors.scans_of(share), PAGE_SIZE).get_page(request.GET.get("page"))
    stopped = share.is_live() and not sharing.creator_holds(share)
    return render(
        request,
        "certificates/share_detail.html",
        {
            "share": share,
            "url": url,
            "qr": rendering.qr_data_uri(url) if share.is_live() and not stopped else None,
            "stopped": stopped,
            "scans": scans,
        },
    )


@login_required
@require_POST
def share_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(CertificateShare.objects.select_related("certificate"), pk=pk)
    # Someone else's is refused NotFound: the 404 page (portal.middleware.RefusalMiddleware).
    sharing.withdraw(share, by=signed_in_user(request))
    messages.success(request, _("The link has been withdrawn."))
    return redirect("certificates:certificate_detail", pk=share.certificate_id)


@login_required
@require_POST
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own(request, pk)
    form = GrantForm(request.POST, cases=selectors.case_choices(signed_in_user(request)))
    if form.is_valid():
        try:
            consents.grant(
                certificate,
                by=signed_in_user(request),
                department=form.cleaned_data["department"],
                purpose=form.cleaned_data["purpose"],
                case_reference=form.cleaned_data["case_reference"],
                lifetime=datetime.timedelta(days=form.cleaned_data["days"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The department may now use this certificate."))
            return redirect("certificates:certificate_detail", pk=pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("certificates:certificate_detail", pk=pk)


@login_required
@require_POST
def grant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(CertificateGrant.objects.select_related("certificate"), pk=pk)
    # Someone else's is refused NotFound: the 404 page (portal.middleware.RefusalMiddleware).
    consents.withdraw(grant, by=signed_in_user(request))
    messages.success(request, _("Your consent has been withdrawn."))
    return redirect("certificates:certificate_detail", pk=grant.certificate_id)


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """The verification pages are public: a 429 page for an address opening too many."""
    throttle = VerifyPageThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    wait = math.ceil(throttle.wait() or 0)
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a scan of a share opens. Never cached: a revocation shows at once."""
    if (refused := _throttled(request)) is not None:
        return refused
    result = sharing.open_token(token, record=request.method != "HEAD")
    return render(
        request,
        "certificates/verify.html",
        {"result": result, "rows": sharing.shown(result)},
    )


@never_cache
def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    """The page the QR code on a printed certificate opens: the masked minimum only."""
    if (refused := _throttled(request)) is not None:
        return refused
    try:
        result = verification.verify_identifier(identifier)
    except identifiers.InvalidIdentifier as exc:
        return render(request, "certificates/verify.html", {"invalid": exc.messages[0]}, status=400)
    return render(
        request, "certificates/verify.html", {"result": result, "rows": sharing.shown(result)}
    )


@never_cache
def keys_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(keys.public_document(), json_dumps_params={"ensure_ascii": False})


@login_required
def reviewer_grants(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not selectors.reviewed_departments(user).exists():
        raise Http404
    page = Paginator(selectors.live_grants_for_reviewer(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "certificates/grant_list.html", {"page": page})


@login_required
def reviewer_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        result = consents.read(pk, reader=signed_in_user(request), request=request)
    except CertificateGrant.DoesNotExist:
        raise Http404 from None
    certificate = result.certificate
    assert certificate is not None
    labels = {f["name"]: f.get("label", f["name"]) for f in certificate.type.fields}
    return render(
        request,
        "certificates/grant_read.html",
        {
            "result": result,
            "certificate": certificate,
            "surface": [(labels.get(k, k), v) for k, v in certificate.surface.items()],
        },
    )

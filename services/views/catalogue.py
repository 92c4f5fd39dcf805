"""Public catalogue pages: browse, search, the service guide, bundles. Thin: read and render."""

from __future__ import annotations

from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from services import bundles, formdefs, search, selectors
from services.models import ApplicantKind, Bundle, LifeEvent, MaterialRequirement, Service
from services.views.materials import SANDBOX

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any]) -> Page:
    """The requested page (``?page=``, ``?page_size=`` up to 50); a bad number gives page 1."""
    raw = request.GET.get("page_size", "")
    size = (
        int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE_SIZE else PAGE_SIZE
    )
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _applicant(request: HttpRequest) -> str:
    value = request.GET.get("for", "")
    return value if value in (ApplicantKind.PERSON, ApplicantKind.ORGANISATION) else ""


def catalogue(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    department = request.GET.get("department", "")[:20]
    category = request.GET.get("category", "")[:40]
    page = paginate(
        request,
        selectors.services(applicant=applicant, department=department, category=category),
    )
    return render(
        request,
        "services/service_list.html",
        {
            "page": page,
            "applicant": applicant,
            "department": department,
            "category": category,
            "departments": selectors.departments(),
            "categories": selectors.categories(),
            "life_events": LifeEvent.choices,
            "query_string": _query_without_page(request),
        },
    )


def search_page(request: HttpRequest) -> HttpResponse:
    """Services and bundles for ``?q=``, from the same ``search.find`` as the API: bundles
    whose life event the query names lead as cards; nothing found says so, offers close
    words and records the query for the administrators."""
    query = request.GET.get("q", "")
    applicant = _applicant(request)
    error = ""
    found = None
    try:
        scope = selectors.services(applicant=applicant) if applicant else None
        found = search.find(query, scope) if query.strip() else None
    except search.QueryTooLong as exc:
        error = exc.user_message()
    order = found.order() if found else []
    page = paginate(request, order)
    hits = (
        search.page(found, max(0, page.start_index() - 1), len(page.object_list)) if found else []
    )
    suggestions: list[dict[str, str]] = []
    if found is not None and not found.count and found.terms:
        search.record_miss(query)
        suggestions = search.did_you_mean(query)
    return render(
        request,
        "services/search.html",
        {
            "query": query[: search.MAX_QUERY_LENGTH],
            "error": error,
            "page": page,
            "hits": hits,
            "suggestions": suggestions,
            "understood": [t.text for t in found.terms] if found else [],
            "query_string": _query_without_page(request),
        },
        status=400 if error else 200,
    )


def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = _service_or_404(code)
    return render(
        request,
        "services/service_detail.html",
        {
            "service": service,
            "form": formdefs.build_form(service.form_definition),
            "bundles": selectors.bundles_of(service),
        },
    )


@require_http_methods(["GET", "POST"])
def service_form(request: HttpRequest, code: str) -> HttpResponse:
    """The application form; a submission is checked, not yet filed (applications come with
    their own issue), so the applicant learns now what the department would refuse."""
    service = _service_or_404(code)
    form = formdefs.build_form(
        service.form_definition, request.POST if request.method == "POST" else None
    )
    checked = request.method == "POST" and form.is_valid()
    return render(
        request,
        "services/service_form.html",
        {"service": service, "form": form, "checked": checked},
        status=400 if request.method == "POST" and not checked else 200,
    )


def bundle_list(request: HttpRequest) -> HttpResponse:
    event = request.GET.get("event", "")
    event = event if event in LifeEvent.values else ""
    page = paginate(request, selectors.bundles(life_event=event or None))
    return render(
        request,
        "services/bundle_list.html",
        {
            "page": page,
            "event": event,
            "event_label": LifeEvent(event).label if event else "",
            "life_events": LifeEvent.choices,
            "query_string": _query_without_page(request),
        },
    )


def bundle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        bundle = selectors.bundle(slug)
    except Bundle.DoesNotExist:
        raise Http404(_("No such bundle.")) from None
    try:
        merged = bundles.merge_bundle(bundle)
    except ValidationError:  # a member's form changed since the bundle was saved
        merged = bundles.MergedBundle([], [])
        conflict = True
    else:
        conflict = False
    return render(
        request,
        "services/bundle_detail.html",
        {
            "bundle": bundle,
            "members": bundle.members.all(),
            "merged": merged,
            "conflict": conflict,
            "form": formdefs.build_form(merged.form_definition),
        },
    )


MATERIAL_FILES = {"blank-form": "blank_form", "sample": "sample"}
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def material_file(request: HttpRequest, code: str, key: str, which: str) -> FileResponse:
    """A material's blank form or filled sample: public documents, served from storage
    because the portal serves no media URL."""
    requirement = (
        MaterialRequirement.objects.filter(
            service__code=code, service__is_published=True, key=key
        ).first()
        if which in MATERIAL_FILES
        else None
    )
    document = getattr(requirement, MATERIAL_FILES.get(which, ""), None)
    if not document:
        raise Http404(_("No such document."))
    try:
        handle = document.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such document.")) from None
    # Uploaded in /admin/ and served to anyone from the portal's origin: only a file whose
    # content is a PDF or an image opens in the browser; anything else (an HTML "form", an SVG,
    # a script another page could load under script-src 'self') is only ever downloaded.
    kind = filetype.guess(handle.read(8192))
    handle.seek(0)
    mime = kind.mime if kind is not None else ""
    inline = mime in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=document.name.rsplit("/", 1)[-1],
        content_type=mime if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


def _service_or_404(code: str) -> Service:
    try:
        return selectors.service(code)
    except Service.DoesNotExist:
        raise Http404(_("No such service.")) from None


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()

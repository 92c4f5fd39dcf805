"""Staff pages and the admin site require a session authenticated with a second factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import csp.middleware
from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.exception import response_for_exception
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
)
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _

from portal import request_reads, roles
from portal.api.errors import json_error
from portal.errors import NotAllowed, NotFound, Refusal
from portal.models import User

STAFF_PREFIXES = ("/staff/", "/admin/")


def session_has_mfa(request: HttpRequest) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def second_factor_redirect(request: HttpRequest, user: User) -> HttpResponse | None:
    """For a staff member whose session has no second factor: where to set one up or confirm
    it (and back). None for anyone else, or when the session has it."""
    if not settings.STAFF_MFA_REQUIRED or not user.is_authenticated:
        return None
    if not (user.is_staff or roles.is_staff_member(user)):
        return None
    query = urlencode({"next": request.get_full_path()})
    if not is_mfa_enabled(user):
        messages.warning(
            request,
            _(
                "Staff accounts must use two-factor authentication. "
                "Set up an authenticator app to continue."
            ),
        )
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
    if not session_has_mfa(request):
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(STAFF_PREFIXES):
            refused = second_factor_redirect(request, request.user)  # type: ignore[arg-type]
            if refused is not None:
                return refused
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the visitor chose English with the switch.

    The browser's Accept-Language is ignored for pages (a hall kiosk or an English-configured
    browser in Guangzhou still gets Chinese first) but honoured by the API, where a mobile app
    states the language it wants.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class RefusalMiddleware:
    """The one place a ``portal.errors.Refusal`` from a page's domain call becomes an answer,
    so views need not each catch it (the API's is ``portal.api.errors.exception_handler``).

    NotFound is the plain 404 page: it says nothing more. A refused form sent from one of our
    pages goes back there with the refusal as a message; anything else gets an error page with
    the refusal's status and message. Outside DRF views under /api/, the API's error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Refusal):
            return None
        if request.path.startswith("/api/"):
            extra = {"fields": exception.fields} if exception.fields else {}
            return json_error(request, exception.code, exception.message, exception.status, **extra)
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        back = request.headers.get("referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, exception.message)
            return HttpResponseRedirect(back)
        template = "403.html" if isinstance(exception, NotAllowed) else "refused.html"
        return render(
            request,
            template,
            {"exception": exception.message, "refusal": exception},
            status=exception.status,
        )


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp 4 builds both policies for every response, even for one whose view is
    exempt (``@csp_exempt()``, a JSON answer); building them costs ~0.05 ms a response."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, "_csp_exempt", False) and (
            getattr(response, "_csp_exempt_ro", False)
            or not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        ):
            return response
        return super().process_response(request, response)


class UploadLimitMiddleware:
    """Refuses a multipart body larger than ``UPLOAD_MAX_REQUEST_BYTES`` before anything reads
    it: Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, and the multipart parser would
    spool a huge upload to disk before a view could refuse it (413, API shape under /api/)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (request.content_type or "").startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.UPLOAD_MAX_REQUEST_BYTES:
                return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponseBase:
        from django.template.defaultfilters import filesizeformat

        size = filesizeformat(settings.UPLOAD_MAX_REQUEST_BYTES)
        if request.path.startswith("/api/"):
            message = _("The upload is too large: at most %(size)s in one request.") % {
                "size": size
            }
            return json_error(request, "request_too_large", message, 413)
        return render(request, "413.html", {"size": size}, status=413)


class NulRefusalMiddleware:
    """A 400 for a request whose path, query parameters or form fields hold a NUL character
    (%00): PostgreSQL stores and compares no text holding one, so a look-up by a code, token
    or number read from the request (a service, a tracking link, a search, a kiosk's progress
    number) ended in a database error. Nobody types a NUL; the views need not each clean it.
    Multipart bodies are the forms' to check (Django's fields refuse a NUL), JSON bodies the
    parser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or _holds_nul(request.GET):
            return self._refuse(request)
        form = request.content_type == "application/x-www-form-urlencoded"
        if form and _form_holds_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith("/api/"):
            message = _("The request holds a NUL character (%(nul)s), which no text may contain.")
            return json_error(request, "nul_character", message % {"nul": "%00"}, 400)
        return render(request, "400.html", status=400)


def _form_holds_nul(request: HttpRequest) -> bool:
    try:
        return _holds_nul(request.POST)
    except (SuspiciousOperation, OSError):
        return False  # too many fields, too large, unreadable: the view refuses it as before


def _holds_nul(data: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` read by ``portal.request_reads.get_user`` (one fixed
    statement instead of an ORM query on every signed-in request; same answers)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]


def _cached_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = request_reads.get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]

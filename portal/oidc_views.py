"""The OpenID provider's authorization endpoint: our rules in front of allauth's view.

allauth (65.22) accepts a redirect URI whose query holds more than the registered one's, ignores
user parts and the case of the host, and asks public clients only for PKCE. It offers no adapter
method for either check, and its oauthlib validator is built inside a module function, so the
supported seam is the URL: this view answers first and hands every request it does not refuse
to allauth's unchanged view. It reads the parameters exactly as allauth passes them to oauthlib,
so both see the same redirect URI. Codes are issued only here, and the token endpoint already
requires the very redirect URI the code was issued for, so exactness carries through.
"""

from __future__ import annotations

from http import HTTPStatus

from allauth.idp.oidc import views as allauth_views
from allauth.idp.oidc.internal.oauthlib.utils import extract_params
from allauth.idp.oidc.models import Client
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth2.rfc6749 import errors

from portal.oidc import redirect_uri_is_registered

UNREGISTERED_REDIRECT = _(
    "The address this sign-in would return to is not registered for this system, so the "
    "sign-in was stopped. Please tell the department whose system sent you here."
)


def _redirect_to_client(url: str) -> HttpResponse:
    # Not HttpResponseRedirect: a native app's registered URI may have its own scheme.
    response = HttpResponse(status=HTTPStatus.FOUND)
    response["Location"] = url
    return response


# As allauth's view: relying parties may POST the request (OpenID Connect Core 3.1.2.1), and
# allauth checks CSRF itself on the consent form's POST, which this view passes on untouched.
@csrf_exempt
@xframe_options_deny
@login_not_required
def authorization(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "request" in request.POST:
        # The consent form: its parameters are signed by allauth on the page we let through.
        return allauth_views.authorization(request)
    try:
        params = OAuthRequest(*extract_params(request))
    except ValueError:
        return allauth_views.authorization(request)  # malformed: allauth explains
    client = Client.objects.filter(id=params.client_id).first() if params.client_id else None
    redirect_uri = params.redirect_uri
    if client is None or not redirect_uri:
        return allauth_views.authorization(request)  # unknown client or no URI: allauth refuses
    if not redirect_uri_is_registered(redirect_uri, client.get_redirect_uris()):
        # RFC 6749 4.1.2.1: never send anything, not even an error, to an unchecked address.
        context = {"error": {"description": UNREGISTERED_REDIRECT}}
        return render(request, "idp/oidc/error.html", context, status=400)
    if "code" in (params.response_type or "").split() and not params.code_challenge:
        # OAuth 2.0 Security BCP (RFC 9700 2.1.1): PKCE for every client, confidential too.
        error = errors.MissingCodeChallengeError(state=params.state)
        return _redirect_to_client(error.in_uri(redirect_uri))
    return allauth_views.authorization(request)

"""OpenAPI description of the OIDC bearer tokens that department systems send."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OIDCAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "oidcAccessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token issued by the portal's OpenID Connect provider.",
        }

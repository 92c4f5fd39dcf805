"""The finishing pass over the generated OpenAPI document: one place that makes every
operation, whoever wrote its view, honour the same contract.

drf-spectacular documents what a view declares; this hook (last in
``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``) adds what holds for every operation because
the framework does it: the shared ``Error`` answer for each status the operation can really
give (invalid input, bad token, missing scope, unknown object, body too large, throttled),
the caller and rate limits said in each description, request bodies offered as JSON only
(multipart only where a file is uploaded), and OpenAPI 3.1's spelling of nullable values.

A view adds its own error codes with ``extend_schema(extensions={"x-error-codes": {"409":
["illegal_move"]}})``; a status that only it can give (409) is documented only when it does so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Every error answer of the API, whatever its status. `code` is stable and meant for "
        "programs; `detail` is one message in the request's language (Accept-Language), meant "
        "for people."
    ),
    "properties": {
        "code": {
            "type": "string",
            "description": "A stable code such as invalid, required, not_found, throttled.",
            "examples": ["required"],
        },
        "detail": {
            "type": "string",
            "description": "One message in the request's language.",
            "examples": ["This field is required."],
        },
        "fields": {
            "type": "object",
            "description": (
                "Only for invalid input: each wrong field of the request with its messages, "
                "nested like the request body (a list's items keyed by position)."
            ),
            "additionalProperties": True,
            "examples": [{"holder_name": ["This field is required."]}],
        },
        "retry_after": {
            "type": "integer",
            "description": "Only for 429: seconds to wait (also in the Retry-After header).",
        },
    },
    "required": ["code", "detail"],
}

# What each status means for any operation, and the codes the framework gives with it.
GENERIC: dict[str, tuple[str, list[str]]] = {
    "400": ("Invalid input; `fields` names every wrong field.", ["invalid", "required"]),
    "401": (
        "The access token is invalid or has expired, or the operation needs a caller and none "
        "was given. The WWW-Authenticate header carries a Bearer challenge.",
        ["invalid_token", "not_authenticated"],
    ),
    "403": (
        "The caller is known but may not do this: a token without the scope the operation "
        "needs (the detail names it), another department's object, or a session without its "
        "CSRF token.",
        ["permission_denied", "insufficient_scope"],
    ),
    "404": ("No such object, or none the caller may see.", ["not_found"]),
    "405": ("The path does not take this method (the Allow header lists those it takes).", []),
    "409": ("The request conflicts with the object's state or with an earlier request.", []),
    "413": ("The request body is larger than the server accepts.", ["request_too_large"]),
    "415": ("The request body is not JSON.", ["unsupported_media_type"]),
    "429": (
        "Too many requests: wait `retry_after` seconds (also in the Retry-After header).",
        ["throttled"],
    ),
}
BODY_CODES = ["parse_error", "too_deep", "too_many_fields"]
PAGE_PARAMETERS = {"page", "page_size"}
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")

# Descriptions for operations whose views (owned elsewhere) have none yet: a new operation
# gives its own, in its view's docstring or extend_schema(description=...).
FALLBACK_DESCRIPTIONS = {
    "v1_applications_list": (
        "Lists cases a page at a time. A person: his own applications (no `queue`); staff: "
        "`queue` intake, review or department; a department client's token with the scope "
        "`applications`: its department's cases (`queue` department or none). `status` "
        "filters by state."
    ),
    "v1_applications_claim_create": (
        "A reviewer takes an unclaimed case of his review step into his own work list. "
        "Repeating it on a case he holds already is a 409 `illegal_move`."
    ),
    "v1_applications_release_create": (
        "The reviewer who holds a case gives it back to his step's shared queue. Repeating "
        "it is a 409 `illegal_move`."
    ),
    "v1_applications_deny_create": (
        "The step's reviewer denies the application (不予许可) with the reason; the case ends "
        "and the applicant is told. A second call is a 409 `illegal_move`."
    ),
    "v1_applications_refuse_create": (
        "A clerk of the hall refuses to take the application in (不予受理) with the reason; "
        "the case ends and the applicant is told. A second call is a 409 `illegal_move`."
    ),
    "v1_applications_withdraw_create": (
        "The applicant withdraws his application before a decision (撤回). A second call is "
        "a 409 `illegal_move`."
    ),
    "v1_applications_evaluation_follow_up_create": (
        "The applicant adds a follow-up to the evaluation (好差评) he gave the case."
    ),
    "v1_rectifications_retrieve": (
        "One rectification (整改) of a poor evaluation, for the staff who handle it."
    ),
}

CLIENT_SCHEME = "departmentClient"
PERSON_SCHEME = "oidcAccessToken"
SESSION_SCHEME = "cookieAuth"
# The bearer schemes views declare, and the client-credentials scope each stands for.
SCOPED_SCHEMES = {"issuingSystemToken": "certificates", "departmentSystemToken": "applications"}
SCOPES = {
    "certificates": "Issue, renew, revoke and cancel certificates of the client's department.",
    "applications": "Read the cases (办件) of the client's department.",
}


def token_url() -> str:
    """Where a client gets its token: allauth's OIDC token endpoint, from this server."""
    return reverse("idp:oidc:token")


def error_response(description: str, codes: list[str]) -> dict[str, Any]:
    """An answer in the shared Error shape, its codes said in its description."""
    if codes:
        listed = ", ".join(f"`{code}`" for code in codes)
        description = f"{description}\n\nCodes: {listed}."
    return {
        "description": description.strip(),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` in 3.1's words: null is one more type."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        elif kind is None:
            node = {"oneOf": [node, {"type": "null"}]}
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    # A default the field's own rules refuse (DRF's default="" beside minLength: 1): the
    # field may be left out, but an empty value is refused, so the default is not a value.
    if node.get("default") == "" and node.get("minLength", 0) >= 1:
        del node["default"]
    return node


def _has_file(schema: Any, components: dict[str, Any]) -> bool:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _has_file(components.get(ref.rsplit("/", 1)[1]), components)
        if schema.get("format") == "binary" or "contentMediaType" in schema:
            return True
        return any(_has_file(value, components) for value in schema.values())
    if isinstance(schema, list):
        return any(_has_file(item, components) for item in schema)
    return False


def _json_bodies(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """JSON only; multipart only where a file is uploaded (a generated client then sends the
    one it is offered, with nested objects intact). Forms are still read, as before."""
    content = operation.get("requestBody", {}).get("content")
    if not content:
        return
    multipart = content.get("multipart/form-data")
    if multipart and _has_file(multipart.get("schema"), components):
        operation["requestBody"]["content"] = {"multipart/form-data": multipart}
    elif "application/json" in content:
        operation["requestBody"]["content"] = {"application/json": content["application/json"]}


def _security(operation: dict[str, Any]) -> list[dict[str, list[str]]]:
    """Scoped bearer schemes become the client-credentials flow with their scope, and any
    operation open to anonymous callers is open to a client's token too."""
    requirements: list[dict[str, list[str]]] = []
    for requirement in operation.get("security", []):
        rewritten: dict[str, list[str]] = {}
        for name, scopes in requirement.items():
            if name in SCOPED_SCHEMES:
                rewritten[CLIENT_SCHEME] = [SCOPED_SCHEMES[name]]
            else:
                rewritten[name] = scopes
        if rewritten not in requirements:
            requirements.append(rewritten)
    # Only where authentication is attempted at all: views that read no token ignore one.
    if {} in requirements and len(requirements) > 1 and {CLIENT_SCHEME: []} not in requirements:
        requirements.insert(requirements.index({}), {CLIENT_SCHEME: []})
    return requirements


def _who(requirements: list[dict[str, list[str]]]) -> str:
    names = {name for requirement in requirements for name in requirement}
    if {} in requirements:
        return (
            "anyone: no sign-in needed; a department client's token is accepted too and "
            "counts against the client's own, higher limit"
        )
    who = []
    if SESSION_SCHEME in names:
        who.append("a person signed in through the browser (session cookie and CSRF token)")
    if PERSON_SCHEME in names:
        who.append("a person's OpenID Connect access token")
    for requirement in requirements:
        scopes = requirement.get(CLIENT_SCHEME)
        if scopes:
            who.append(
                "a department client's client-credentials token with the scope "
                + ", ".join(f"`{scope}`" for scope in scopes)
            )
    return "; or ".join(who) if who else "see the security requirements"


def _limits() -> str:
    framework: dict[str, Any] = settings.REST_FRAMEWORK
    rates: dict[str, str] = framework.get("DEFAULT_THROTTLE_RATES", {})
    return (
        f"{rates.get('anon', '')} per address for anonymous callers, "
        f"{rates.get('user', '')} per person, {rates.get('client', '')} per department client; "
        "over it, 429 with Retry-After."
    )


def _errors(
    path: str, method: str, operation: dict[str, Any], requirements: list[dict[str, list[str]]]
) -> dict[str, list[str]]:
    """Status → codes of every error answer the operation can give."""
    extra: dict[str, list[str]] = {
        str(status): list(codes)
        for status, codes in (operation.pop("x-error-codes", None) or {}).items()
    }
    if operation.pop("x-plain-django", False):
        # Not a DRF view: no framework answers, only the ones its entry declares.
        return {
            status: extra.get(status, GENERIC.get(status, ("", []))[1])
            for status in operation.get("responses", {})
            if status[0] in "45"
        } | extra
    parameters = {p.get("name") for p in operation.get("parameters", []) if "$ref" not in p}
    query = {
        p.get("name")
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and "$ref" not in p
    }
    body = "requestBody" in operation
    errors: dict[str, list[str]] = {}
    if body or query:
        errors["400"] = GENERIC["400"][1] + (BODY_CODES if body else [])
    names = {name for requirement in requirements for name in requirement}
    if names - {SESSION_SCHEME}:  # a bearer token may be sent, and may be bad
        errors["401"] = ["invalid_token"] + ([] if {} in requirements else ["not_authenticated"])
    elif {} not in requirements:
        errors["401"] = ["not_authenticated"]
    scoped = any(requirement.get(CLIENT_SCHEME) for requirement in requirements)
    csrf = SESSION_SCHEME in names and method not in ("get", "head", "options")
    if {} not in requirements or csrf:
        errors["403"] = ["permission_denied"] + (["insufficient_scope"] if scoped else [])
    if "{" in path or (parameters & PAGE_PARAMETERS):
        errors["404"] = GENERIC["404"][1]
    if body:
        errors["413"] = GENERIC["413"][1]
        errors["415"] = GENERIC["415"][1]
    errors["429"] = GENERIC["429"][1]
    for status, codes in extra.items():
        errors[status] = list(dict.fromkeys(errors.get(status, []) + codes))
    for status in operation.get("responses", {}):
        if status[0] in "45" and status not in errors:
            errors[status] = GENERIC.get(status, ("", []))[1]
    return errors


def _describe(
    operation: dict[str, Any], requirements: list[dict[str, list[str]]], method: str
) -> None:
    text = (operation.get("description") or "").strip()
    text = text or FALLBACK_DESCRIPTIONS.get(operation.get("operationId", ""), "")
    if not text:
        return  # tests/contract requires one: the view's docstring or extend_schema
    lines = [text, "", f"**Who may call:** {_who(requirements)}.", f"**Limits:** {_limits()}"]
    if method in ("get", "head") and "idempoten" not in text.lower():
        lines.append("**Idempotency:** a read; safe to repeat.")
    operation["description"] = "\n".join(lines)


def finish(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The post-processing hook named in SPECTACULAR_SETTINGS (see the module docstring)."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemes = components.setdefault("securitySchemes", {})
    for name in SCOPED_SCHEMES:
        schemes.pop(name, None)
    schemes[CLIENT_SCHEME] = {
        "type": "oauth2",
        "description": (
            "A department's registered system (client): POST grant_type=client_credentials "
            "with its client id and secret (HTTP Basic) and the scopes it needs to the token "
            "URL; send the access token as `Authorization: Bearer <token>`. See "
            "docs/integration.md."
        ),
        "flows": {"clientCredentials": {"tokenUrl": token_url(), "scopes": SCOPES}},
    }
    if PERSON_SCHEME in schemes:
        schemes[PERSON_SCHEME]["description"] = (
            "A person's access token from the portal's OpenID Connect provider (authorization "
            "code with PKCE; discovery at /.well-known/openid-configuration)."
        )
    if SESSION_SCHEME in schemes:
        schemes[SESSION_SCHEME]["description"] = (
            "The browser's session; unsafe methods also need the X-CSRFToken header."
        )
    for path, item in result.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            requirements = _security(operation)
            if requirements:
                operation["security"] = requirements
            _json_bodies(operation, schemas)
            responses = operation.setdefault("responses", {})
            for status, codes in _errors(path, method, operation, requirements).items():
                given = responses.get(status, {})
                description = given.get("description") or GENERIC.get(status, ("Error", []))[0]
                responses[status] = error_response(description, codes)
            operation["responses"] = dict(sorted(responses.items()))
            _describe(operation, requirements, method)
            if requirements == [{}]:
                # Open to anyone and reads no token: said by having no requirement at all, so
                # that generated clients offer a plain client, not one that must hold a token.
                del operation["security"]
    return _nullable(result)

"""The portal's URLs plus pages whose domain call refuses, for tests of the one page-side
mapping of refusals (portal.middleware.RefusalMiddleware)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal import errors
from portal.urls import handler400, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

REFUSALS = {
    "invalid": lambda: errors.Invalid("Give a reason.", fields={"reason": ["Required."]}),
    "not-allowed": lambda: errors.NotAllowed("Only window clerks do this."),
    "not-found": lambda: errors.NotFound("Nobody called Zhang San lives here."),
    "illegal-move": lambda: errors.IllegalMove(
        "A revoked certificate cannot be cancelled.", status="revoked", action="cancel"
    ),
    "conflict": lambda: errors.Conflict("This key was used already.", code="idempotency_conflict"),
}


def refuse(request: HttpRequest, kind: str) -> HttpResponse:
    raise REFUSALS[kind]()


urlpatterns = [
    path("refuse/<str:kind>/", refuse),
    path("api/v1/refuse/<str:kind>/", refuse),
    *portal_urlpatterns,
]

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

from typing import Any

from django.http import HttpRequest

from portal import roles


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"is_staff_member": bool(user and roles.is_staff_member(user))}  # type: ignore[arg-type]

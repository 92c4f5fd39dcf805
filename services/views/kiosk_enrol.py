"""The staff page that enrols this browser as a hall's kiosk, and revokes a hall's kiosks.

Under /staff/, so a second factor guards it. Enrolling sets the kiosk's device cookie
(``services.kiosk_devices``), signs the staff member out (a kiosk holds nobody's session) and
opens the kiosk's start screen. Revoking asks first, on a page naming the hall (a second POST,
no script needed), since every kiosk of the hall stops at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import desk
from services import kiosk_devices


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def kiosks(request: HttpRequest) -> HttpResponse:
    user = desk.require_staff(request)
    halls = kiosk_devices.halls_for(user)
    if not halls:
        raise PermissionDenied(
            _("Only a hall's clerks and administrators enrol the hall's kiosks.")
        )
    if request.method == "POST":
        hall = next((h for h in halls if str(h.pk) == request.POST.get("hall", "")), None)
        action = request.POST.get("action", "")
        if hall is None and action != "unenrol":
            raise PermissionDenied(_("You do not manage this hall's kiosks."))
        if action == "enrol" and hall is not None:
            response = redirect("services:kiosk", pk=hall.pk)
            kiosk_devices.enrol(response, hall, by=user)
            logout(request)  # the kiosk keeps nobody's session, not even the staff member's
            return response
        back = redirect("services:kiosk_devices")
        if action == "revoke" and hall is not None:
            # Revoking stops every kiosk of the hall at once: a second POST confirms it.
            return render(
                request,
                "services/kiosk/revoke_confirm.html",
                {"hall": hall, "this_browser": kiosk_devices.enrolled_hall_id(request) == hall.pk},
            )
        if action == "revoke_confirmed" and hall is not None:
            kiosk_devices.revoke_all(hall, by=user)
            messages.success(
                request,
                _("Every kiosk of %(hall)s has to be enrolled again.")
                % {"hall": hall.display_name},
            )
            return back
        if action == "unenrol":
            messages.success(request, _("This browser is no longer a kiosk."))
            kiosk_devices.unenrol(back)
            return back
        return render(
            request,
            "services/kiosk/enrol.html",
            {"halls": halls, "enrolled": kiosk_devices.enrolled_hall_id(request)},
            status=400,
        )
    return render(
        request,
        "services/kiosk/enrol.html",
        {"halls": halls, "enrolled": kiosk_devices.enrolled_hall_id(request)},
    )

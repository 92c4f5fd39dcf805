"""The hall's staff pages and its screen: the clerk's window (call next, recall, not there,
finish → counter intake), the check-in desk, and the public display of called tickets.

A clerk works only at windows he staffs today (``services.queueing`` refuses the rest); the
display shows ticket numbers and counts, nothing personal.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import audit, desk
from portal.errors import Refusal
from portal.models import PersonProfile, ServiceHall, User
from services import permissions, queueing
from services import reservation_selectors as reads
from services.forms.booking import CheckInDeskForm
from services.models.reservations import Ticket, Window

FINISH_REASON = "hall ticket: the booked visitor at the window"


def _clerk(request: HttpRequest) -> User:
    return desk.require_clerk(request, _("Only window clerks call the hall's queue."))


@login_required
def windows(request: HttpRequest) -> HttpResponse:
    """Choose the window to work at today: the windows he staffs (one leads straight there)."""
    clerk = _clerk(request)
    staffed = list(reads.windows_staffed_by(clerk))
    if len(staffed) == 1 and "choose" not in request.GET:
        return redirect("services:hall_window", pk=staffed[0].pk)
    return render(request, "services/hall/windows.html", {"windows": staffed})


def _staffed_window(request: HttpRequest, clerk: User, pk: int) -> Window:
    window = reads.windows_staffed_by(clerk).filter(pk=pk).first()
    if window is None:
        raise Http404(_("You are not staffing this window today."))
    return window


@login_required
def window_page(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    window = _staffed_window(request, clerk, pk)
    waiting = reads.waiting_for(window)
    return render(
        request,
        "services/hall/window.html",
        {
            "window": window,
            "current": reads.current_ticket(window),
            "last_served": reads.last_served(window),
            "waiting": list(waiting[:20]),
            "waiting_count": waiting.count(),
        },
    )


@login_required
@require_POST
def window_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Call next, call again, not there, finish: one queueing function each."""
    clerk = _clerk(request)
    window = _staffed_window(request, clerk, pk)
    back = redirect("services:hall_window", pk=window.pk)
    try:
        if action == "call":
            ticket = queueing.call_next(window, by=clerk)
            messages.success(request, _("Calling %(number)s.") % {"number": ticket.number})
            return back
        current = _ticket_here(window, request.POST.get("ticket", ""))
        if action == "recall":
            queueing.recall(current, by=clerk)
            messages.info(request, _("Calling %(number)s again.") % {"number": current.number})
        elif action == "no_show":
            queueing.no_show(current, by=clerk)
            messages.info(request, _("%(number)s was not there.") % {"number": current.number})
        elif action == "finish":
            return _open_intake(request, clerk, queueing.finish(current, by=clerk))
        else:
            raise Http404
    except Refusal as exc:
        messages.error(request, exc.message)
    return back


def _ticket_here(window: Window, value: str) -> Ticket:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) < 12):
        raise Http404
    return get_object_or_404(Ticket, pk=int(value), window=window)


def _open_intake(request: HttpRequest, clerk: User, intake: queueing.Intake) -> HttpResponse:
    """After the visit: counter intake for the ticket's holder and the booked service. The
    holder goes on the desk as a look-up would put him (recorded as a read of his data)."""
    messages.success(request, _("%(number)s is finished.") % {"number": intake.ticket.number})
    profile = (
        PersonProfile.objects.filter(user=intake.person).first()
        if intake.person is not None
        else None
    )
    if profile is None:
        desk.forget(request)
    else:
        audit.personal_data_viewed(
            actor=clerk,
            subject=profile.user,
            fields=["legal_name", "id_number"],
            reason=FINISH_REASON,
            request=request,
            ticket=intake.ticket.pk,
        )
        desk.remember(request, profile)
    query: dict[str, str | int] = {}
    if intake.service is not None:
        query["q"] = intake.service.code
    elif intake.bundle is not None:
        query["q"] = intake.bundle.display_name
    if intake.organisation is not None:
        query["as"] = intake.organisation.pk
    return redirect(f"{reverse('services:counter_start')}?{urlencode(query)}")


def _clerk_halls(clerk: User) -> list[ServiceHall]:
    return list(
        ServiceHall.objects.filter(pk__in=permissions.clerk_hall_ids(clerk)).order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_desk(request: HttpRequest) -> HttpResponse:
    """The front desk: a booking code (or QR) or an ID number gives the visitor his ticket."""
    clerk = _clerk(request)
    halls = _clerk_halls(clerk)
    chosen = request.POST.get("hall") or request.GET.get("hall") or ""
    hall = next((h for h in halls if str(h.pk) == chosen.strip()), halls[0] if halls else None)
    form = CheckInDeskForm(request.POST if request.method == "POST" else None)
    ticket = None
    status = 200
    if request.method == "POST":
        if hall is None or not form.is_valid():
            status = 400
        else:
            code = form.cleaned_data["code"].strip()
            try:
                ticket = queueing.check_in(
                    hall,
                    code="" if code.startswith("OWBK:") else code,
                    qr=code if code.startswith("OWBK:") else "",
                    id_number="" if code else form.cleaned_data["id_number"].strip(),
                    by=clerk,
                    request=request,
                )
            except Refusal as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                form = CheckInDeskForm()
    return render(
        request,
        "services/hall/check_in.html",
        {"form": form, "halls": halls, "hall": hall, "ticket": ticket},
        status=status,
    )


def display(request: HttpRequest, pk: int) -> HttpResponse:
    """The hall's screen: public, numbers only; display.js polls the API for updates."""
    hall = get_object_or_404(ServiceHall, pk=pk)
    return render(
        request,
        "services/hall/display.html",
        {
            "hall": hall,
            "board": reads.display(hall),
            "feed": reverse("services_api:hall_display", args=[hall.pk]),
        },
    )

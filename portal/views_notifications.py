"""The signed-in person's in-app notifications (站内消息): newest first, read once shown."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from portal.auth import signed_in_user
from portal.models import Notification

PAGE_SIZE = 20


@login_required
@never_cache
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(
        Notification.objects.filter(user=user).order_by("-created_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    unread = [n.pk for n in shown if n.read_at is None]
    if unread:
        # Marked read when shown; the page still shows them as new this once.
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "portal/notifications.html",
        {"page": page, "notifications": shown, "new": set(unread), "query_string": ""},
    )

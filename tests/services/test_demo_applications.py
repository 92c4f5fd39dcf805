"""make run shows the lifecycle: cases in every state, the clerk's and the reviewer's queues
with a yellow and a red case, and a completed case whose certificate is in the wallet."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from certificates import selectors as wallet
from portal.models import User
from services import application_selectors
from services.models import Application, ApplicationStatus
from services.models.applications import SlaLevel

pytestmark = pytest.mark.django_db
A = ApplicationStatus


def test_the_demo_shows_every_state_and_both_queues(capsys):
    call_command("demo")
    citizen = User.objects.get(email="citizen@demo.onewindow")
    statuses = set(application_selectors.mine(citizen).values_list("status", flat=True))
    assert {
        A.DRAFT,
        A.SUBMITTED,
        A.AWAITING_SUPPLEMENT,
        A.NOT_ACCEPTED,
        A.IN_REVIEW,
        A.REVIEW_SUPPLEMENT,
        A.COMPLETED,
        A.WITHDRAWN,
    } <= statuses
    clerk = User.objects.get(email="clerk@demo.onewindow")
    assert application_selectors.intake_queue(clerk).exists()
    reviewer = User.objects.get(email="reviewer@demo.onewindow")
    colours = set(application_selectors.review_queue(reviewer).values_list("sla", flat=True))
    assert {SlaLevel.DUE_SOON, SlaLevel.OVERDUE} <= colours
    done = Application.objects.get(status=A.COMPLETED, result_certificate__isnull=False)
    assert done.result_certificate in wallet.wallet(citizen)


def test_loading_the_demo_again_adds_no_cases(capsys):
    call_command("demo")
    count = Application.objects.count()
    call_command("demo")
    assert Application.objects.count() == count


def test_every_demo_case_happened_in_order_and_nothing_in_the_future():
    call_command("demo")
    now = timezone.now()
    for app in Application.objects.exclude(submitted_at=None):
        moments = [app.created_at, app.submitted_at, app.accepted_at, app.decided_at]
        known = [m for m in moments if m is not None]
        assert known == sorted(known), (app.reference, known)
        assert all(m <= now for m in known), app.reference
        for event in app.events.all():
            assert event.at <= now
            if event.action == "accept":
                assert app.submitted_at <= event.at

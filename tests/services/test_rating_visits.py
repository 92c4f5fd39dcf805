"""On-site ratings (一次一评): a finished window visit is rated once, from the QR code shown at
the window or by its signed-in visitor, with the on-site indicators; a bad one opens a
rectification for the window's or the service's department, naming the clerk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.errors import Conflict, IllegalMove, NotFound
from services import queueing, rating, rectification
from services.models import Evaluation, Rectification
from services.models.evaluations import EvaluationChannel
from tests.factories import PersonFactory
from tests.services.booking_cases import make_hall

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False  # the /staff/ guard is tested with the workbench


@pytest.fixture
def place():
    return make_hall()


@pytest.fixture
def visitor():
    return PersonFactory().user


def served(place, visitor, ticket=None):
    """A walk-in ticket of the visitor, called and finished at the hall's window."""
    clerk = place.clerk()
    ticket = ticket or queueing.walk_in(place.hall, service=place.service, person=visitor)
    queueing.call_next(place.window, by=clerk)
    queueing.finish(ticket, by=clerk)
    ticket.refresh_from_db()
    return ticket, clerk


def test_the_visitor_rates_his_finished_visit_with_the_on_site_indicators(place, visitor):
    ticket, clerk = served(place, visitor)
    evaluation = rating.rate_ticket(
        ticket,
        by=visitor,
        level=5,
        indicators={"efficiency": 5, "service_level": 4, "attitude": 5},
    )
    assert evaluation.channel == EvaluationChannel.ON_SITE
    assert (evaluation.service_level, evaluation.attitude) == (4, 5)
    assert evaluation.guide_accuracy is None
    assert evaluation.window_id == place.window.pk and evaluation.hall_id == place.hall.pk
    assert evaluation.staff_id == clerk.pk
    assert evaluation.department_id == place.service.department_id


def test_a_visit_is_rated_once_and_not_before_it_is_served(place, visitor):
    waiting = queueing.walk_in(place.hall, service=place.service, person=visitor)
    with pytest.raises(IllegalMove):
        rating.rate_ticket(waiting, by=visitor, level=5)
    ticket, _clerk = served(place, visitor, waiting)
    rating.rate_ticket(ticket, by=visitor, level=4)
    with pytest.raises(Conflict):
        rating.rate_ticket(ticket, by=visitor, level=1)
    assert Evaluation.objects.filter(ticket=ticket).count() == 1


def test_someone_elses_visit_is_not_found_without_the_qr_code(place, visitor):
    ticket, _clerk = served(place, visitor)
    with pytest.raises(NotFound):
        rating.rate_ticket(ticket, by=PersonFactory().user, level=1)
    assert not Evaluation.objects.exists()


def test_a_bad_visit_rating_opens_a_rectification_naming_the_clerk(place, visitor):
    ticket, clerk = served(place, visitor)
    rating.rate_ticket(ticket, by=visitor, level=2, indicators={"attitude": 1})
    rect = Rectification.objects.get()
    assert rect.staff_id == clerk.pk
    assert rect.department_id == place.service.department_id


def test_the_qr_page_rates_the_visit_without_signing_in(client, place, visitor):
    ticket, clerk = served(place, visitor)
    client.force_login(clerk)
    qr_page = client.get(reverse("services:visit_rating_qr", args=[ticket.pk]))
    assert qr_page.status_code == 200 and "data:image/png;base64" in qr_page.content.decode()
    url = reverse("services:rate_visit", args=[rating.ticket_token(ticket)])
    client.logout()
    form = client.get(url).content.decode()
    assert 'name="attitude"' in form and 'name="guide_accuracy"' not in form
    assert client.post(url, {"level": "3", "attitude": "4"}).status_code == 302
    assert Evaluation.objects.get(ticket=ticket).level == 3
    again = client.post(url, {"level": "1"})
    assert "This visit has been rated." in again.content.decode()
    assert Evaluation.objects.get(ticket=ticket).level == 3


def test_a_forged_rating_link_is_not_found(client, place, visitor):
    ticket, _clerk = served(place, visitor)
    assert (
        client.get(reverse("services:rate_visit", args=[f"{ticket.pk}:forged"])).status_code == 404
    )


def test_a_clerk_of_another_hall_gets_no_qr_code(client, place, visitor):
    ticket, _clerk = served(place, visitor)
    other = make_hall().clerk()
    client.force_login(other)
    assert client.get(reverse("services:visit_rating_qr", args=[ticket.pk])).status_code == 404


def test_unrated_visits_count_as_satisfied_too(place, visitor, settings):
    import datetime as dt

    from django.utils import timezone

    settings.EVALUATION_DEFAULT_DAYS = 5
    ticket, _clerk = served(place, visitor)
    rating.default_unrated(timezone.localdate(ticket.finished_at) + dt.timedelta(days=30))
    evaluation = Evaluation.objects.get(ticket=ticket)
    assert evaluation.defaulted and evaluation.level == 4
    assert evaluation.channel == EvaluationChannel.ON_SITE


def test_a_bad_rating_of_a_visit_no_department_served_goes_to_the_system_administrators(place):
    from portal.models import StaffRole
    from services import evaluation_selectors
    from tests.services.cases import staff

    clerk = place.clerk()
    ticket = queueing.walk_in(place.hall, group=place.group)
    queueing.call_next(place.window, by=clerk)
    queueing.finish(ticket, by=clerk)
    rating.rate_ticket(ticket, by=None, level=1, with_token=True)
    rect = Rectification.objects.get()
    assert rect.department_id is None
    admin = staff(StaffRole.SYSTEM_ADMIN)
    assert list(evaluation_selectors.handled_by(admin)) == [rect]
    assert rectification.handles(admin, rect)

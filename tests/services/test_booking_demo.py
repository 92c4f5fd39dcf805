"""make run shows the hall: windows, a day of slots partly booked, the demo citizen's booking
and a queue with waiting and called tickets on the display; loading again adds nothing."""

import pytest
from django.core.management import call_command

from portal.models import ServiceHall, User
from services import queueing, reservation_selectors
from services.models.reservations import Booking, Slot, Ticket, Window

pytestmark = pytest.mark.django_db


def test_the_demo_hall_has_a_partly_booked_day_a_booking_and_a_queue(capsys):
    call_command("demo")
    hall = ServiceHall.objects.get(name="广州市政务服务中心")
    citizen = User.objects.get(email="citizen@demo.onewindow")

    assert Window.objects.filter(hall=hall).count() == 5
    mine = reservation_selectors.my_bookings(citizen, live_only=True).get()
    day = Slot.objects.filter(hall=hall, day=mine.day)
    assert day.filter(booked__gt=0).exists() and day.filter(booked=0).exists()
    shown = reservation_selectors.display(hall)
    assert len(shown.called) == 2
    assert all(q.waiting > 0 for q in shown.queues)

    # The demo clerk's window is free: he can sign on and call the next ticket.
    clerk = User.objects.get(email="clerk@demo.onewindow")
    window = Window.objects.get(hall=hall, number="1")
    queueing.take_window(window, clerk=clerk, by=clerk)
    assert queueing.call_next(window, by=clerk).number.startswith("A")

    bookings, tickets = Booking.objects.count(), Ticket.objects.count()
    call_command("demo")
    assert (Booking.objects.count(), Ticket.objects.count()) == (bookings, tickets)

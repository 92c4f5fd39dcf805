"""Every admin page that shows someone's personal data or certificate writes one read row, and
only once the permission check has passed (ADR 0008).

The models are enumerated from the admin site, not listed by hand: a newly registered model
that points at an account or a certificate fails here until it is audited or exempted below.
"""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from allauth.idp.oidc.models import Client, Token
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.db.models import Model
from django.utils import timezone

from certificates import issuing
from certificates.models import Certificate
from portal import organisations
from portal.models import AuditAction, AuditEvent, StaffAssignment, StaffRole, User
from services import rating, workflow
from services.models.reservations import Booking, BookingBlock, Ticket, WindowShift
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory, activate_totp, make_staff, make_uscc
from tests.services.cases import world

pytestmark = pytest.mark.django_db

# Registered models that point at an account but whose admin pages are not a read of a
# person's personal data, with the reason (mirrored in docs/adr/0008-audit-rule.md).
NOT_PERSONAL_DATA = {
    AuditEvent: "the audit log itself: reading it is oversight, and it holds masked names only",
    StaffAssignment: "staff roles are work data (masked name, role, office); grants are audited",
    Client: "an OpenID client belongs to a department's system; its owner is a staff account",
    Booking: "the admin leaves the holder out: code, day, hall and service are not personal",
    Ticket: "the admin leaves the holder out: a queue number, hall and service",
    WindowShift: "the clerks' roster is work data, like staff role assignments",
}


def _points_at_a_person(model: type[Model]) -> bool:
    if model in (User, Certificate):
        return True
    return any(
        field.is_relation and field.related_model in (User, Certificate)
        for field in model._meta.get_fields()
        if not field.auto_created
    )


PERSONAL_MODELS = sorted(
    (m for m in admin.site._registry if _points_at_a_person(m) and m not in NOT_PERSONAL_DATA),
    key=lambda m: m._meta.label_lower,
)


def _token(user):
    client = Client.objects.create(id="rp-audit", name="RP")
    return Token.objects.create(
        type=Token.Type.ACCESS_TOKEN, hash="h" * 64, client=client, user=user
    )


def _certificate(person):
    issuer = DepartmentFactory(name="广州市公安局")
    return issuing.issue(
        type=make_type(issuer),
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"},
        by=None,
    )


def _rating(person):
    """A very dissatisfied rating (which opens a rectification) of a case the person had."""
    w = world()
    done = workflow.approve(w.accepted(), by=w.department_admin)
    done.applicant = person.user
    done.save(update_fields=["applicant"])
    return rating.rate_application(done, by=person.user, level=1, comment="态度差")


def _authenticator(user):
    activate_totp(user)
    return Authenticator.objects.get(user=user)


# How to make one row of each personal model for the person ``p``.
MAKERS = {
    "portal.user": lambda p: p.user,
    "portal.personprofile": lambda p: p,
    "portal.organisation": lambda p: organisations.register(p.user, uscc=make_uscc(), name="示例"),
    "account.emailaddress": lambda p: EmailAddress.objects.create(
        user=p.user, email="zhang@example.cn", verified=True, primary=True
    ),
    "usersessions.usersession": lambda p: UserSession.objects.create(
        user=p.user, ip="203.0.113.7", session_key="k" * 32, user_agent="Mozilla/5.0"
    ),
    "mfa.authenticator": lambda p: _authenticator(p.user),
    "allauth_idp_oidc.token": lambda p: _token(p.user),
    "certificates.certificate": _certificate,
    "services.evaluation": _rating,
    "services.rectification": lambda p: _rating(p).rectification,
    "services.bookingblock": lambda p: BookingBlock.objects.create(
        person=p.user, until=timezone.now() + dt.timedelta(days=30), reason="3 no-shows"
    ),
}


def test_every_admin_model_pointing_at_a_person_is_covered():
    labels = {m._meta.label_lower for m in PERSONAL_MODELS}
    assert labels == set(MAKERS), "audit (or exempt, with a reason) every such admin page"


@pytest.fixture
def setup(settings):
    settings.STAFF_MFA_REQUIRED = False  # MFA is tested elsewhere; here we open pages
    person = PersonFactory(legal_name="张三丰", verified=True)
    return person, make_staff(StaffRole.SYSTEM_ADMIN), make_staff(StaffRole.DEPARTMENT_ADMIN)


def _change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def _reads():
    return AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED)


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_a_refused_change_page_writes_no_row(client, setup, label):
    person, _admin, department_admin = setup
    obj = MAKERS[label](person)
    client.force_login(department_admin)
    assert client.get(_change_url(obj)).status_code == 403
    assert not _reads().exists()


@pytest.mark.parametrize("label", sorted(MAKERS))
def test_an_allowed_change_page_writes_one_row(client, setup, label):
    person, system_admin, _department_admin = setup
    obj = MAKERS[label](person)
    client.force_login(system_admin)
    assert client.get(_change_url(obj)).status_code == 200
    event = _reads().get()
    assert (event.actor, event.subject, event.reason) == (system_admin, person.user, "admin")
    assert event.fields


def test_an_administrator_opening_his_own_account_writes_no_row(client, setup):
    _person, system_admin, _department_admin = setup
    client.force_login(system_admin)
    assert client.get(_change_url(system_admin)).status_code == 200
    assert not _reads().exists()


# Lists that show personal data in clear: e-mail addresses, sessions (address, browser).
LISTS = ["portal.user", "account.emailaddress", "usersessions.usersession"]


@pytest.mark.parametrize("label", LISTS)
def test_a_list_in_clear_writes_one_row_naming_whom_it_showed(client, setup, label):
    person, system_admin, department_admin = setup
    MAKERS[label](person)
    url = "/admin/{}/{}/".format(*label.split("."))
    client.force_login(department_admin)
    assert client.get(url).status_code == 403
    assert not _reads().exists()
    client.force_login(system_admin)
    assert client.get(url).status_code == 200
    event = _reads().get()
    assert event.actor == system_admin and event.subject is None
    assert person.user.pk in event.detail["subject_ids"]
    assert system_admin.pk not in event.detail["subject_ids"]  # his own row is no one else's

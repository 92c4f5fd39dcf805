"""Everyday wording and the front door: what a new user or developer reads first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from portal.models import StaffRole
from tests.factories import PASSWORD, UserFactory, make_staff

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.django_db


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_uses_the_embedded_default_and_serves_on_the_port_asked_for():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [line for line in dry_run.splitlines() if "manage.py" in line]
    assert commands, dry_run
    for command in commands:
        assert "env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL" in command, command
    assert commands[-1].endswith("runserver 127.0.0.1:8001")


# Our catalogue once translated plain "Code" as 事项编码 and "Cancel" as 注销; allauth's pages
# use the same msgids, so ours won. Ours now carry a context and allauth's read its own words.
WRONG_WORDS = ("事项编码", "注销", "不予许可")


def test_allauth_login_by_code_page_reads_allauth_words_in_chinese(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="", phone="+8613900005555")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"phone": "13900005555"})
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "验证码" in page or "代码" in page
    for word in WRONG_WORDS:
        assert word not in page


def test_allauth_authenticator_set_up_reads_allauth_words_in_chinese(client):
    user = make_staff(StaffRole.CLERK)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    assert 'name="code"' in page
    for word in WRONG_WORDS:
        assert word not in page


def test_the_service_list_still_labels_the_item_code_as_such(client):
    from portal import demo
    from services import demo as catalogue_demo

    demo.load()
    catalogue_demo.load()
    page = client.get("/services/").content.decode()
    assert "事项编码" in page


def test_the_home_page_offers_a_labelled_search_box(client, english):
    page = client.get("/").content.decode()
    assert 'action="/search/"' in page
    assert '<label for="catalogue-q">Search services</label>' in page
    assert 'name="q"' in page


def test_the_home_page_promises_booking_now_that_it_works_and_nothing_as_coming(client, english):
    page = client.get("/").content.decode()
    assert "Book a visit at a service hall" in page
    assert "coming" not in page.lower()


@pytest.fixture
def system_admin(settings):
    settings.STAFF_MFA_REQUIRED = False
    return make_staff(StaffRole.SYSTEM_ADMIN)


def test_an_issuer_read_is_stored_as_a_reason_code_and_shown_in_the_readers_language(
    client, system_admin
):
    from certificates import consents, issuing
    from portal.models import AuditEvent
    from tests.certificates.conftest import make_type
    from tests.factories import DepartmentFactory, PersonFactory

    person = PersonFactory(legal_name="张三", verified=True)
    issuer = DepartmentFactory(name="广州市公安局")
    certificate = issuing.issue(
        type=make_type(issuer),
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
    )
    consents.record_read(
        certificate, reader=system_admin, department=issuer, reason=consents.ISSUER_ADMINISTRATION
    )
    event = AuditEvent.objects.get(reason=consents.ISSUER_ADMINISTRATION)
    assert " " not in event.reason  # a code, not English prose in a Chinese audit row

    client.force_login(system_admin)
    page = client.get("/admin/portal/auditevent/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "发证部门管理查阅" in page.content.decode()
    assert "issuing department's administration" not in page.content.decode()


@pytest.mark.parametrize(
    "path, english",
    [
        ("/admin/", ["Tokens", "Authenticators", "User sessions"]),
        ("/admin/allauth_idp_oidc/client/add/", ["Redirect uris", "Skip consent", "Grant types"]),
        ("/admin/allauth_idp_oidc/token/", ["Expires at", "Tokens"]),
        ("/admin/mfa/authenticator/", ["Last used at", "Authenticators"]),
    ],
)
def test_allauth_models_in_our_admin_read_chinese(client, system_admin, path, english):
    client.force_login(system_admin)
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    for word in english:
        assert word not in page, word


def test_every_allauth_sentence_we_retranslate_is_still_allauths():
    """An allauth upgrade that rewords one of them would leave our translation unused."""
    import os

    import allauth
    import polib

    from portal.allauth_words import ALLAUTH_MSGIDS

    catalogue = os.path.join(
        os.path.dirname(allauth.__file__), "locale/zh_Hans/LC_MESSAGES/django.po"
    )
    theirs = {entry.msgid for entry in polib.pofile(catalogue)}
    assert set(ALLAUTH_MSGIDS) <= theirs


def test_allauth_pages_say_zhanghao_with_full_width_colons(client):
    user = make_staff(StaffRole.CLERK)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    pages = client.get("/accounts/2fa/totp/activate/").content.decode()
    pages += client.get("/accounts/email/").content.decode()
    for wrong in ("帐号", "帐户", "账户"):
        assert wrong not in pages


def test_english_mode_shows_the_english_names_kept_for_departments_categories_and_materials(
    client, english
):
    from portal import demo
    from services import demo as catalogue_demo
    from services.models import MaterialRequirement

    demo.load()
    catalogue_demo.load()
    material = MaterialRequirement.objects.filter(
        certificate_type__name_en__gt="", service__department__name_en__gt=""
    ).select_related("service__department", "service__category", "certificate_type")[0]
    service = material.service
    guide = client.get(f"/services/{service.code}/").content.decode()
    assert service.department.name_en in guide
    assert service.category.name_en in guide
    row_headers = [cell.split("</th>")[0] for cell in guide.split('<th scope="row">')[1:]]
    assert any(material.certificate_type.name_en in header for header in row_headers)
    listing = client.get(f"/services/?category={service.category.code}").content.decode()
    assert service.department.name_en in listing


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/"])
def test_allauths_labels_end_with_a_full_width_colon_in_chinese(client, url):
    import re

    with translation.override("zh-hans"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", page)
    assert labels and all(not label.strip().endswith(":") for label in labels), labels
    assert any(label.strip().endswith("：") for label in labels), labels

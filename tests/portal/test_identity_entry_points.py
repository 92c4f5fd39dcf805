"""Every place a resident ID number is typed gives the same answers as portal.identity: a birth
date in the future and superscript digits are refused with a message (never a 500), and a
real number whose area code is younger than its holder is accepted.

The entry points: the real-name page and API, the clerk look-up, a service form, the
certificate issuing page and API. USCCs: organisation registration, page and API.
"""

import pytest
from rest_framework.test import APIClient
from stdnum.cn import ric, uscc

from certificates.models import Certificate, HolderKind
from portal.models import PersonProfile, StaffAssignment, StaffRole
from services.models import ApplicantKind
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory, UserFactory, make_staff
from tests.services.factories import ServiceFactory, field

pytestmark = pytest.mark.django_db


def _number(area: str, birth: str, seq: str = "123") -> str:
    body = f"{area}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


FUTURE = _number("440106", "20991231")
FUTURE_MESSAGE = "The birth date in this ID number (2099-12-31) is in the future"
SUPERSCRIPT = "440106¹⁹⁹⁰03071231"
SUPERSCRIPT_MESSAGE = "holds only the digits 0 to 9 and a final X; “¹” is not one of them"
PUDONG_1985 = _number("310115", "19850101")  # Pudong New Area was created in 1992
USCC_SUPERSCRIPT = "9144¹¹01MA5CXXXX0X"
USCC_MESSAGE = "“¹” is not one of them"

REFUSED = [
    pytest.param(FUTURE, "id_number_birth_in_future", FUTURE_MESSAGE, id="future"),
    pytest.param(SUPERSCRIPT, "id_number_characters", SUPERSCRIPT_MESSAGE, id="superscript"),
]


@pytest.fixture(autouse=True)
def _staff_without_mfa(settings, english):
    settings.STAFF_MFA_REQUIRED = False  # MFA is tested in test_staff_mfa


@pytest.fixture
def citizen(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


# The real-name page and its API


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_the_real_name_page_explains_a_refused_number(client, citizen, value, code, message):
    response = client.post("/profile/realname/", {"legal_name": "李四", "id_number": value})
    assert response.status_code == 200
    assert message in response.context["form"].errors["id_number"][0]
    assert not PersonProfile.objects.exists()


def test_the_real_name_page_accepts_a_number_older_than_its_area_code(client, citizen):
    response = client.post("/profile/realname/", {"legal_name": "李四", "id_number": PUDONG_1985})
    assert response.status_code == 302
    assert PersonProfile.objects.get(user=citizen).reveal_id_number() == PUDONG_1985


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_the_real_name_api_answers_400_with_the_message(api, value, code, message):
    response = api.post(
        "/api/v1/me/realname/", {"legal_name": "李四", "id_number": value}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and message in body["detail"]
    assert body["fields"]["id_number"] == [body["detail"]]


def test_the_real_name_api_accepts_a_number_older_than_its_area_code(api):
    response = api.post(
        "/api/v1/me/realname/", {"legal_name": "李四", "id_number": PUDONG_1985}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert PersonProfile.objects.get().reveal_id_number() == PUDONG_1985


# The clerk look-up


@pytest.fixture
def clerk(client):
    user = make_staff(StaffRole.CLERK)
    client.force_login(user)
    return user


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_the_clerk_look_up_explains_a_refused_number(client, clerk, value, code, message):
    response = client.post("/staff/identify/", {"id_number": value, "reason": "实名核验"})
    assert response.status_code == 200
    assert message in response.context["form"].errors["id_number"][0]


def test_the_clerk_finds_a_citizen_whose_number_is_older_than_its_area_code(client, clerk):
    person = PersonFactory(legal_name="赵六", id_number=PUDONG_1985)
    response = client.post("/staff/identify/", {"id_number": PUDONG_1985, "reason": "实名核验"})
    assert response.status_code == 200
    assert response.context["person"] == person


def test_the_clerk_is_warned_of_an_area_code_not_in_the_list_and_the_citizen_is_found(
    client, clerk
):
    number = _number("440199", "19900307")  # no Guangzhou district has this code
    person = PersonFactory(id_number=number)
    response = client.post("/staff/identify/", {"id_number": number, "reason": "实名核验"})
    assert response.context["person"] == person
    assert "The area code 440199 of this ID number is not in the list" in response.content.decode()
    known = client.post("/staff/identify/", {"id_number": PUDONG_1985, "reason": "实名核验"})
    assert "is not in the list" not in known.content.decode()


# A service form with a field of type ID number


@pytest.fixture
def service_form_url():
    service = ServiceFactory(
        form_definition={"fields": [field("applicant_id_number", "id_number")]}
    )
    return f"/services/{service.code}/form/"


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_a_service_form_explains_a_refused_number(client, service_form_url, value, code, message):
    response = client.post(service_form_url, {"applicant_id_number": value})
    assert response.status_code == 400
    assert message in response.context["form"].errors["applicant_id_number"][0]


def test_a_service_form_accepts_a_number_older_than_its_area_code(client, service_form_url):
    response = client.post(service_form_url, {"applicant_id_number": PUDONG_1985})
    assert response.status_code == 200 and response.context["checked"]


# Issuing certificates: the staff page and the API


@pytest.fixture
def issuer():
    return DepartmentFactory(name="上海市公安局")


@pytest.fixture
def administrator(client, issuer):
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    client.force_login(user)
    return user


def _issue_form(holder_code: str) -> dict[str, str]:
    return {
        "holder_name": "张三",
        "holder_code": holder_code,
        "surface_address": "上海市浦东新区世纪大道1号",
        "idempotency_key": "k-1",
    }


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_the_issuing_page_explains_a_refused_number(
    client, issuer, administrator, value, code, message
):
    ctype = make_type(issuer)
    response = client.post(f"/staff/certificates/issue/{ctype.pk}/", _issue_form(value))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert not Certificate.objects.exists()


def test_the_issuing_page_issues_to_a_number_older_than_its_area_code(
    client, issuer, administrator
):
    ctype = make_type(issuer)
    url = f"/staff/certificates/issue/{ctype.pk}/"
    # The form shows a preview first; the preview's confirmation signs.
    response = client.post(url, {**_issue_form(PUDONG_1985), "confirm": "1"})
    assert response.status_code == 302
    assert Certificate.objects.get().holder_code_masked.startswith("3101")


def _issue_body(ctype, issuer, holder_code: str) -> dict:
    return {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": holder_code,
        "surface": {"address": "上海市浦东新区世纪大道1号"},
        "idempotency_key": "k-1",
    }


@pytest.mark.parametrize(("value", "code", "message"), REFUSED)
def test_the_issuing_api_answers_400_with_the_message(
    client, issuer, administrator, value, code, message
):
    body = _issue_body(make_type(issuer), issuer, value)
    response = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Certificate.objects.exists()


def test_the_issuing_api_issues_to_a_number_older_than_its_area_code(client, issuer, administrator):
    body = _issue_body(make_type(issuer), issuer, PUDONG_1985)
    response = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Certificate.objects.get().holder_code_masked.startswith("3101")


def test_the_issuing_api_refuses_a_uscc_with_superscript_digits(client, issuer, administrator):
    body = _issue_body(make_type(issuer, kind=HolderKind.ORGANISATION, seq=2), issuer, "")
    body["holder_code"], body["surface"] = USCC_SUPERSCRIPT, {}
    response = client.post("/api/v1/certificates/issue/", body, content_type="application/json")
    assert response.status_code == 400
    assert USCC_MESSAGE in response.json()["detail"]


# Organisations: the USCC gets the same care


def test_registering_an_organisation_refuses_superscript_digits_page_and_api(client, api):
    client.force_login(UserFactory())
    page = client.post("/organisations/new/", {"uscc": USCC_SUPERSCRIPT, "name": "示例公司"})
    assert page.status_code == 200
    assert USCC_MESSAGE in page.context["form"].errors["uscc"][0]
    response = api.post(
        "/api/v1/organisations/", {"uscc": USCC_SUPERSCRIPT, "name": "示例公司"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "uscc_characters"
    assert response.json()["fields"]["uscc"] == [response.json()["detail"]]


def test_a_rural_collective_registered_by_agriculture_departments_is_registered(api):
    body = "N2440106MF1234567"
    code = body + uscc.calc_check_digit(body)
    response = api.post("/api/v1/organisations/", {"uscc": code, "name": "示例股份经济合作社"})
    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == code


def test_a_service_form_refuses_a_uscc_with_superscript_digits(client):
    service = ServiceFactory(
        applicant_kind=ApplicantKind.ORGANISATION,
        form_definition={"fields": [field("uscc", "uscc")]},
    )
    response = client.post(f"/services/{service.code}/form/", {"uscc": USCC_SUPERSCRIPT})
    assert response.status_code == 400
    assert USCC_MESSAGE in response.context["form"].errors["uscc"][0]

"""A refusal raised by a page's domain call is answered in one place: a message back on the
page the form was sent from, or an error page with the refusal's status; never a 500."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.refusal_urls")]


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        ("invalid", 400, "Give a reason."),
        ("not-allowed", 403, "Only window clerks do this."),
        ("illegal-move", 409, "A revoked certificate cannot be cancelled."),
        ("conflict", 409, "This key was used already."),
    ],
)
def test_a_refusal_is_a_page_with_its_status_and_message(client, english, kind, status, message):
    for response in (client.get(f"/refuse/{kind}/"), client.post(f"/refuse/{kind}/")):
        assert response.status_code == status
        assert message in response.content.decode()


def test_a_refused_form_goes_back_to_its_page_with_the_message(client, english):
    response = client.post("/refuse/illegal-move/", HTTP_REFERER="http://testserver/services/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/services/"
    page = client.get(response["Location"]).content.decode()
    assert "A revoked certificate cannot be cancelled." in page


def test_a_refusal_goes_back_only_to_one_of_our_pages(client, english):
    response = client.post("/refuse/illegal-move/", HTTP_REFERER="https://elsewhere.example/")
    assert response.status_code == 409
    assert "A revoked certificate cannot be cancelled." in response.content.decode()


def test_not_found_is_the_plain_404_page_saying_nothing_more(client, english):
    for response in (
        client.get("/refuse/not-found/"),
        client.post("/refuse/not-found/", HTTP_REFERER="http://testserver/services/"),
    ):
        assert response.status_code == 404
        assert "Zhang San" not in response.content.decode()
        assert "Page not found" in response.content.decode()


def test_outside_drf_an_api_refusal_has_the_api_error_shape(client, english):
    response = client.post("/api/v1/refuse/invalid/")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "Give a reason.",
        "fields": {"reason": ["Required."]},
    }
    response = client.get("/api/v1/refuse/not-found/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

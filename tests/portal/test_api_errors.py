"""The API's one error shape for nested field errors and for request bodies that cannot be read.

{"code", "detail", "fields"}: `detail` is always one plain human message (the first found,
depth-first), `code` is that message's code and `fields` keeps DRF's nesting as JSON.
"""

import json
import warnings

import pytest
from django.utils import translation
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from certificates.models import CertificateType
from portal import errors
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ISSUE = "/api/v1/certificates/issue/"
REALNAME = "/api/v1/me/realname/"


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


@pytest.fixture
def issue_body():
    """A body the issue endpoint's serializer accepts but for what each test spoils."""
    issuer = DepartmentFactory()
    ctype = CertificateType.objects.create(
        code=f"{issuer.code}901",
        name="居民身份证",
        defining_department=issuer,
        fields=[],
    )
    ctype.issuing_departments.add(issuer)
    return {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": "440101199003070000",
        "idempotency_key": "errors-1",
    }


def _plain(message):
    assert isinstance(message, str) and message
    for mark in "{}[]'":
        assert mark not in message, message
    return message


# --- nested field errors through a real endpoint --------------------------------------------


def test_a_nested_field_error_gives_a_plain_detail_and_nested_fields(api, issue_body):
    issue_body["surface"] = {"address": True}
    response = api.post(ISSUE, issue_body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "Not a valid string.",
        "fields": {"surface": {"address": ["Not a valid string."]}},
    }


def test_the_nested_detail_is_translated_and_still_plain(api, issue_body):
    issue_body["surface"] = {"address": True}
    body = api.post(ISSUE, issue_body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert _plain(body["detail"]) == "不是有效的字符串。"
    assert body["fields"] == {"surface": {"address": ["不是有效的字符串。"]}}


def test_the_first_nested_error_depth_first_gives_detail_and_code(api, issue_body):
    issue_body["surface"] = {"address": "x" * 501, "birth_date": ["1990"]}
    body = api.post(ISSUE, issue_body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["code"] == "max_length"
    assert _plain(body["detail"]) == "Ensure this field has no more than 500 characters."
    assert body["fields"] == {
        "surface": {
            "address": ["Ensure this field has no more than 500 characters."],
            "birth_date": ["Not a valid string."],
        }
    }


def test_flat_and_nested_errors_together_keep_field_order(api, issue_body):
    issue_body["surface"] = {"address": True}
    del issue_body["holder_name"]
    body = api.post(ISSUE, issue_body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["code"] == "required"
    assert body["detail"] == "This field is required."
    assert body["fields"] == {
        "holder_name": ["This field is required."],
        "surface": {"address": ["Not a valid string."]},
    }


def test_a_flat_field_error_keeps_its_shape(api):
    response = api.post(
        REALNAME,
        {"legal_name": "李四", "id_number": "123"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"code", "detail", "fields"}
    assert body["fields"]["id_number"] == [body["detail"]]
    _plain(body["detail"])


# --- lists of items, list fields and non-field errors, through a throwaway view -----------


class _Address(serializers.Serializer):
    city = serializers.CharField()
    street = serializers.CharField()

    def validate(self, attrs):
        if attrs["city"] == attrs["street"]:
            raise serializers.ValidationError("City and street must differ.", code="same")
        return attrs


class _Item(serializers.Serializer):
    name = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1)


class _Order(serializers.Serializer):
    items = _Item(many=True)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    address = _Address(required=False)


class _OrderView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    serializer_class = _Order
    many = False

    def post(self, request):
        serializer = self.serializer_class(data=request.data, many=self.many)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


def _post(data, view=_OrderView, status=400, **initkwargs):
    """The rendered JSON answer of a throwaway view, which goes through the real handler."""
    request = APIRequestFactory().post("/throwaway/", data, format="json")
    with translation.override("en"):
        response = view.as_view(**initkwargs)(request)
        response.render()
    assert response.status_code == status, response.content
    return json.loads(response.content)


def test_per_item_errors_are_keyed_by_position_and_items_that_passed_are_omitted():
    """DRF 3.18's default (LIST_SERIALIZER_ERRORS_AS_DICT), like a list field's errors."""
    body = _post({"items": [{"name": "a", "quantity": 1}, {"quantity": 0}]})
    assert body == {
        "code": "required",
        "detail": "This field is required.",
        "fields": {
            "items": {
                "1": {
                    "name": ["This field is required."],
                    "quantity": ["Ensure this value is greater than or equal to 1."],
                }
            }
        },
    }


@pytest.fixture
def list_format_errors(settings):
    """DRF's older, deprecated per-item error format: a list, {} for the items that passed."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "LIST_SERIALIZER_ERRORS_AS_DICT": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.usefixtures("list_format_errors")
def test_per_item_errors_in_the_list_format_keep_the_items_that_passed_as_empty_dicts():
    body = _post({"items": [{"name": "a", "quantity": 1}, {"quantity": 0}]})
    assert body == {
        "code": "required",
        "detail": "This field is required.",
        "fields": {
            "items": [
                {},
                {
                    "name": ["This field is required."],
                    "quantity": ["Ensure this value is greater than or equal to 1."],
                },
            ]
        },
    }


@pytest.mark.usefixtures("list_format_errors")
def test_a_list_of_items_at_the_top_in_the_list_format_gives_a_list_of_per_item_errors():
    body = _post(
        [{"name": "a", "quantity": 1}, {"name": "b", "quantity": "many"}],
        serializer_class=_Item,
        many=True,
    )
    assert body == {
        "code": "invalid",
        "detail": "A valid integer is required.",
        "fields": [{}, {"quantity": ["A valid integer is required."]}],
    }


def test_list_field_errors_are_keyed_by_position_and_nested_non_field_errors_stay_nested():
    body = _post(
        {
            "items": [{"name": "a", "quantity": 1}],
            "tags": [1, "x"],
            "address": {"city": "广州", "street": "广州"},
        }
    )
    assert body["code"] == "invalid"
    assert body["detail"] == "A valid integer is required."
    assert body["fields"] == {
        "tags": {"1": ["A valid integer is required."]},
        "address": {"non_field_errors": ["City and street must differ."]},
    }


def test_a_nested_non_field_error_alone_gives_its_own_code():
    body = _post({"items": [{"name": "a", "quantity": 1}], "address": {"city": "x", "street": "x"}})
    assert body["code"] == "same"
    assert body["detail"] == "City and street must differ."
    assert body["fields"] == {"address": {"non_field_errors": ["City and street must differ."]}}


def test_a_list_of_items_at_the_top_gives_a_list_of_per_item_errors():
    body = _post(
        [{"name": "a", "quantity": 1}, {"name": "b", "quantity": "many"}],
        serializer_class=_Item,
        many=True,
    )
    assert body == {
        "code": "invalid",
        "detail": "A valid integer is required.",
        "fields": {"1": {"quantity": ["A valid integer is required."]}},
    }


class _RaisingView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    error: object = None

    def post(self, request):
        raise exceptions.ValidationError(self.error)


def test_a_view_raising_a_bare_message_per_field_still_gets_lists():
    body = _post({}, view=_RaisingView, error={"phone": "Wrong.", "code": ["Bad."]})
    assert body == {
        "code": "invalid",
        "detail": "Wrong.",
        "fields": {"phone": ["Wrong."], "code": ["Bad."]},
    }


def test_a_non_field_error_is_the_detail_and_not_a_field():
    body = _post(
        {},
        view=_RaisingView,
        error={"phone": ["Wrong."], "non_field_errors": [exceptions.ErrorDetail("No.", "no")]},
    )
    assert body == {"code": "no", "detail": "No.", "fields": {"phone": ["Wrong."]}}


def test_a_plain_message_has_no_fields():
    body = _post({}, view=_RaisingView, error="Nope.")
    assert body == {"code": "invalid", "detail": "Nope."}


# --- request bodies that cannot be read -------------------------------------------------------


@pytest.mark.parametrize("raw", ["{not json", "", "{'single': 'quotes'}", '{"a": NaN}'])
def test_malformed_json_is_a_400_with_our_own_message(api, raw):
    response = api.post(
        REALNAME, data=raw or "   ", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "The request body is not valid JSON.",
    }


def test_malformed_json_does_not_leak_the_parser_in_chinese(api):
    response = api.post(
        REALNAME, data="{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["detail"] == "请求正文不是有效的 JSON。"
    assert "line 1" not in response.content.decode()


def test_a_json_body_in_an_unusable_charset_is_refused_without_the_parser_text(api):
    response = api.post(
        REALNAME,
        data=b'{"legal_name": "x"}',
        content_type="application/json; charset=bz2_codec",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "The request body is not valid JSON.",
    }


def test_a_broken_multipart_body_gets_drfs_translated_message(api):
    for language, message in [("en", "Malformed request."), ("zh-hans", "错误的请求。")]:
        response = api.post(
            REALNAME,
            data=b"garbage",
            content_type="multipart/form-data",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        assert response.json() == {"code": "parse_error", "detail": message}


def test_an_unsupported_media_type_is_translated(api):
    response = api.post(
        REALNAME, data="李四", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 415
    assert response.json() == {
        "code": "unsupported_media_type",
        "detail": "不支持请求中的媒体类型 “text/plain”。",
    }


# --- refusals raised by domain code (portal.errors), mapped once for every app ----------------


class _RefusingView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    refusal: Exception | None = None

    def post(self, request):
        raise self.refusal


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (errors.Invalid("Give a reason."), 400, "invalid"),
        (errors.NotAllowed("You may not do this."), 403, "not_allowed"),
        (errors.NotFound("There is nothing here."), 404, "not_found"),
        (errors.IllegalMove("No move.", status="draft", action="approve"), 409, "illegal_move"),
        (errors.Conflict("Used.", code="idempotency_conflict"), 409, "idempotency_conflict"),
    ],
)
def test_a_refusal_answers_its_status_in_the_error_shape(refusal, status, code):
    body = _post({}, view=_RefusingView, status=status, refusal=refusal)
    assert body == {"code": code, "detail": refusal.message}


def test_a_refusal_naming_fields_gives_them_as_lists_of_plain_messages():
    from django.utils.translation import gettext_lazy

    refusal = errors.Invalid(
        "Not complete.",
        code="incomplete",
        fields={
            "reason": [gettext_lazy("This field is required.")],
            "materials": {"id-card": ["Missing."]},
            "bundle_choices": ["B001", "B002"],
        },
    )
    body = _post({}, view=_RefusingView, refusal=refusal)
    assert body == {
        "code": "incomplete",
        "detail": "Not complete.",
        "fields": {
            "reason": ["This field is required."],
            "materials": {"id-card": ["Missing."]},
            "bundle_choices": ["B001", "B002"],
        },
    }

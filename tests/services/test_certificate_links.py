"""The catalogue's links to certificate types: checked, and shown by the type's name."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from services.models import MaterialRequirement, ServiceResult
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    CertificateTypeFactory,
    MaterialFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def test_the_guide_names_the_certificate_that_replaces_a_material(client, english):
    licence = CertificateTypeFactory(name="营业执照")
    service = ServiceFactory()
    MaterialFactory(service=service, name="营业执照（副本）", certificate_type=licence.code)
    body = client.get(reverse("services:service_detail", args=[service.code])).content.decode()
    assert "Not needed if you hold the e-certificate: 营业执照" in body
    assert licence.code not in body


def test_a_result_certificate_its_department_does_not_issue_is_refused_by_name(english):
    service = ServiceFactory(department__name="广州市民政局", result_kind=ServiceResult.CERTIFICATE)
    service.result_certificate_type = CertificateTypeFactory(name="机动车驾驶证")
    with pytest.raises(ValidationError) as info:
        service.full_clean()
    (message,) = info.value.message_dict["result_certificate_type"]
    assert message.startswith("广州市民政局 does not issue “机动车驾驶证” certificates")
    service.result_certificate_type.issuing_departments.add(service.department)
    service.full_clean()


def test_a_certificate_result_needs_its_type(english):
    service = ServiceFactory(result_kind=ServiceResult.CERTIFICATE)
    with pytest.raises(ValidationError) as info:
        service.full_clean()
    assert info.value.message_dict["result_certificate_type"] == [
        "Give the certificate type of the result."
    ]


def test_the_bundle_api_gives_the_replacing_certificate_type_by_code(client):
    licence = CertificateTypeFactory()
    bundle = BundleFactory(slug="open-shop")
    for key, ctype in (("licence", licence.code), ("photo", None)):
        BundleMemberFactory(bundle=bundle, service=MaterialFactory(key=key).service)
        if ctype:
            MaterialRequirement.objects.filter(key=key).update(certificate_type=licence)
    materials = client.get("/api/v1/bundles/open-shop/").json()["materials"]
    assert {m["key"]: m["certificate_type"] for m in materials} == {
        "licence": licence.code,
        "photo": None,
    }

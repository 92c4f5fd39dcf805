"""Catalogue factories: ServiceFactory(with_form=True), MaterialFactory, BundleFactory, and
CertificateTypeFactory for the types materials and results name."""

from __future__ import annotations

import factory
from stdnum.cn import uscc

from certificates.models import CertificateType
from services.models import Bundle, BundleMember, MaterialRequirement, ReviewStep, Service
from tests.factories import DepartmentFactory, ServiceCategoryFactory


def field(key: str, type_: str = "text", *, required: bool = True, **extra) -> dict:
    return {
        "key": key,
        "label": key,
        "label_en": key.replace("_", " "),
        "type": type_,
        "required": required,
        **extra,
    }


def _type_code(n: int) -> str:
    body = f"11100000MC{n:07d}"
    return body + uscc.calc_check_digit(body) + "001"


class CertificateTypeFactory(factory.django.DjangoModelFactory):
    """A certificate type; ``CertificateTypeFactory(code=...)`` finds the one already made."""

    class Meta:
        model = CertificateType
        django_get_or_create = ["code"]

    code = factory.Sequence(_type_code)
    name = factory.Sequence(lambda n: f"测试证照{n}")
    defining_department = factory.SubFactory(DepartmentFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ["code"]

    class Params:
        with_form = factory.Trait(
            form_definition={"fields": [field("applicant_name"), field("phone", "phone")]}
        )

    code = factory.Sequence(lambda n: f"T4401{n:08d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    category = factory.SubFactory(ServiceCategoryFactory)
    statutory_limit_days = 20
    promised_limit_days = 5


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialRequirement

    service = factory.SubFactory(ServiceFactory)
    key = factory.Sequence(lambda n: f"material-{n}")
    name = factory.Sequence(lambda n: f"材料{n}")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # MaterialFactory(certificate_type="<type code>"): the type of that code, made if new.
        if isinstance(kwargs.get("certificate_type"), str):
            kwargs["certificate_type"] = CertificateTypeFactory(code=kwargs["certificate_type"])
        return kwargs


class ReviewStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewStep

    service = factory.SubFactory(ServiceFactory)
    name = "审核"
    department = factory.SelfAttribute("service.department")


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle

    slug = factory.Sequence(lambda n: f"bundle-{n}")
    name = factory.Sequence(lambda n: f"一件事{n}")
    life_event = "birth"


class BundleMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BundleMember

    bundle = factory.SubFactory(BundleFactory)
    service = factory.SubFactory(ServiceFactory)

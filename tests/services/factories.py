"""Catalogue factories: ServiceFactory(with_form=True), MaterialFactory, BundleFactory."""

from __future__ import annotations

import factory

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

"""Bundles: one form and one material list over the member services."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services import bundles, selectors
from services.models import MaterialRequirement
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    MaterialFactory,
    ServiceFactory,
    field,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def newborn():
    """Birth registration and medical insurance both ask for the child's name and the
    birth certificate; only the household registration asks for the household register."""
    birth = ServiceFactory(
        code="B-0001",
        form_definition={"fields": [field("child_name"), field("birth_date", "date")]},
    )
    insurance = ServiceFactory(
        code="B-0002",
        form_definition={
            "fields": [field("child_name", required=False), field("guardian_phone", "phone")]
        },
    )
    hukou = ServiceFactory(code="B-0003", form_definition={"fields": [field("child_name")]})
    MaterialFactory(service=birth, key="birth-certificate", name="出生医学证明", copies=1)
    MaterialFactory(service=insurance, key="birth-certificate", name="出生医学证明", copies=2)
    MaterialFactory(
        service=hukou,
        key="household-register",
        name="户口簿",
        certificate_type="11100000000013338W002",
    )
    bundle = BundleFactory(slug="newborn")
    BundleMemberFactory(bundle=bundle, service=birth, order=1)
    BundleMemberFactory(bundle=bundle, service=insurance, order=2)
    BundleMemberFactory(
        bundle=bundle, service=hukou, order=3, required=False, condition="落户广州的"
    )
    return bundle


def test_a_field_several_members_ask_for_appears_once(newborn):
    merged = bundles.merge_bundle(selectors.bundle("newborn"))
    keys = [f.key for f in merged.fields]
    assert keys == ["child_name", "birth_date", "guardian_phone"]
    child = merged.fields[0]
    assert child.service_codes == ["B-0001", "B-0002", "B-0003"]
    assert child.definition["required"] is True
    assert merged.form_definition["fields"][0]["key"] == "child_name"


def test_a_shared_material_appears_once_with_the_most_copies(newborn):
    merged = bundles.merge_bundle(selectors.bundle("newborn"))
    assert [m.key for m in merged.materials] == ["birth-certificate", "household-register"]
    certificate, register = merged.materials
    assert certificate.shared and certificate.copies == 2 and certificate.required
    # The household register belongs to an optional member: needed only when chosen.
    assert not register.required and register.conditions == ["落户广州的"]
    assert register.certificate_type.code == "11100000000013338W002"


def test_a_material_required_by_a_required_member_is_required_whatever_optional_ones_say():
    a = ServiceFactory(code="C-1")
    b = ServiceFactory(code="C-2")
    MaterialFactory(
        service=a,
        key="id-card",
        requirement=MaterialRequirement.Requirement.CONDITIONAL,
        condition="委托办理的",
    )
    MaterialFactory(service=b, key="id-card")
    merged = bundles.merge([bundles.Member(a), bundles.Member(b)])
    assert merged.materials[0].required and merged.materials[0].conditions == []


def test_a_field_key_used_with_two_types_is_a_conflict():
    a = ServiceFactory(code="D-1", form_definition={"fields": [field("start", "date")]})
    b = ServiceFactory(code="D-2", form_definition={"fields": [field("start", "number")]})
    with translation.override("en"), pytest.raises(ValidationError) as info:
        bundles.merge([bundles.Member(a), bundles.Member(b)])
    (message,) = info.value.messages
    assert "“start”" in message and "date in D-1" in message and "number in D-2" in message
    assert info.value.error_list[0].code == "field_type_conflict"


def test_a_conflicting_bundle_is_refused_when_saved():
    a = ServiceFactory(code="E-1", form_definition={"fields": [field("start", "date")]})
    b = ServiceFactory(code="E-2", form_definition={"fields": [field("start", "text")]})
    bundle = BundleFactory()
    with pytest.raises(ValidationError):
        bundles.add_members(bundle, [(a, True, ""), (b, True, "")])
    assert bundle.members.count() == 0
    bundles.add_members(bundle, [(a, True, "")])
    assert bundle.members.count() == 1


def test_reading_a_bundle_and_merging_takes_a_fixed_number_of_queries(
    newborn, django_assert_num_queries
):
    with django_assert_num_queries(3):  # bundle, members with services, materials
        bundles.merge_bundle(selectors.bundle("newborn"))

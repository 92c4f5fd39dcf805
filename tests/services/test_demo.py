"""The demo catalogue: big enough, consistent, loadable twice."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from services import bundles, demo, formdefs, search, selectors
from services.models import (
    Bundle,
    BundleMember,
    MaterialRequirement,
    ReviewStep,
    Service,
    ServiceResult,
)
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        m.objects.count() for m in (Service, MaterialRequirement, ReviewStep, Bundle, BundleMember)
    )


def test_the_demo_catalogue_loads_twice_to_the_same_rows(capsys):
    call_command("demo")
    first = counts()
    call_command("demo")
    assert counts() == first
    services, materials, _steps, bundle_count, _members = first
    assert services >= 60 and materials >= 120 and bundle_count >= 8
    assert Service.objects.values("department").distinct().count() >= 12
    assert "services of" in capsys.readouterr().out


def test_every_demo_form_is_valid_every_bundle_merges_and_search_finds_them():
    call_command("demo")
    for service in Service.objects.all():
        formdefs.validate_definition(service.form_definition)
    for bundle in Bundle.objects.all():
        merged = bundles.merge_bundle(selectors.bundle(bundle.slug))
        keys = [f.key for f in merged.fields]
        assert len(keys) == len(set(keys))
    newborn = bundles.merge_bundle(selectors.bundle("newborn"))
    shared = [m for m in newborn.materials if m.shared]
    assert "birth-medical-certificate" in [m.key for m in shared]
    assert next(s.name for s in search.search("yyzz")) == "个体工商户营业执照设立登记"
    assert next(s.name for s in search.search("社保卡申领")) == "社会保障卡申领"


def test_a_service_with_a_broken_form_definition_cannot_be_saved():
    with pytest.raises(ValidationError):
        ServiceFactory(form_definition={"fields": [{"key": "x", "type": "colour"}]})
    assert not Service.objects.exists()


def test_every_certificate_type_the_demo_catalogue_names_exists_and_issues_its_results():
    call_command("demo")
    materials = demo.data("materials.json")
    rows = demo.data("services.json")["services"]
    named = {
        (row["code"], key)
        for row in rows
        for key in row["materials"]
        if "certificate" in materials[key]
    }
    linked = MaterialRequirement.objects.exclude(certificate_type=None)
    assert set(linked.values_list("service__code", "key")) == named and len(named) >= 60
    results = {row["code"] for row in rows if "certificate" in row.get("result", {})}
    issued = Service.objects.filter(result_kind=ServiceResult.CERTIFICATE)
    assert set(issued.exclude(result_certificate_type=None).values_list("code", flat=True)) == (
        results
    )
    assert issued.count() == len(results) >= 20
    for service in issued.select_related("department", "result_certificate_type"):
        assert service.result_issuing_problem() is None, service
    # The demo citizen's wallet holds an e-certificate that replaces the birth registration's
    # household register (户口簿免提交).
    register = MaterialRequirement.objects.get(service__name="出生登记", key="household-register")
    assert register.certificate_type.certificates.filter(holder_name="张三").exists()


def test_an_installed_package_carries_the_demo_data_files():
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["services"]
    files = sorted(p.relative_to(root / "services").as_posix() for p in demo_data_files(root))
    assert files and all(any(fnmatch(f, p) for p in patterns) for f in files), files


def demo_data_files(root):
    return [p for p in (root / "services" / "demo_data").rglob("*") if p.is_file()]

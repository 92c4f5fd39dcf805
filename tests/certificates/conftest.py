from __future__ import annotations

import pytest

from certificates import issuing
from certificates.models import CertificateType, HolderKind, ValidityRule
from tests.factories import DepartmentFactory, PersonFactory, make_uscc

TYPE_FIELDS = [
    {"name": "address", "label": "住址", "label_en": "Address", "type": "text"},
    {"name": "birth_date", "label": "出生", "label_en": "Date of birth", "type": "date"},
]


def make_type(issuer, *, kind=HolderKind.PERSON, rule=ValidityRule.FIXED_YEARS, years=10, seq=1):
    definer = DepartmentFactory()
    ctype = CertificateType.objects.create(
        code=f"{definer.code}{seq:03d}",
        name="居民身份证" if kind == HolderKind.PERSON else "营业执照",
        defining_department=definer,
        holder_kind=kind,
        fields=TYPE_FIELDS if kind == HolderKind.PERSON else [],
        validity_rule=rule,
        validity_years=years if rule == ValidityRule.FIXED_YEARS else None,
    )
    ctype.issuing_departments.add(issuer)
    return ctype


@pytest.fixture
def issuer(db):
    return DepartmentFactory(name="广州市公安局")


@pytest.fixture
def ctype(issuer):
    return make_type(issuer)


@pytest.fixture
def person(db):
    return PersonFactory(legal_name="张三", verified=True)


@pytest.fixture
def certificate(issuer, ctype, person):
    return issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"},
        by=None,
    )


@pytest.fixture
def uscc():
    return make_uscc()


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message wording in English (see tests/conftest.py)."""

"""Demo data: ten certificate types and a wallet for the demo citizen 张三 (idempotent).

Defining ministries' codes are made up but well-formed, except the Ministry of Public
Security's, taken from the public identifier example in standards.md.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from certificates import consents, issuing
from certificates.models import (
    Certificate,
    CertificateGrant,
    CertificateType,
    HolderKind,
    ValidityRule,
)
from portal import organisations
from portal.models import Department, Organisation, PersonProfile, User

CITIZEN_EMAIL = "citizen@demo.onewindow"
ORGANISATION_NAME = "广州张三餐饮有限公司"


def _code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


# (code, name, English name) of the defining ministries.
MINISTRIES = {
    "mps": ("11100000000013338W", "中华人民共和国公安部", "Ministry of Public Security"),
    "nhc": (_code("11100000MB0C00001"), "国家卫生健康委员会", "National Health Commission"),
    "mohrss": (
        _code("11100000MB0C00002"),
        "中华人民共和国人力资源和社会保障部",
        "Ministry of Human Resources and Social Security",
    ),
    "mca": (_code("11100000MB0C00003"), "中华人民共和国民政部", "Ministry of Civil Affairs"),
    "mnr": (
        _code("11100000MB0C00004"),
        "中华人民共和国自然资源部",
        "Ministry of Natural Resources",
    ),
    "samr": (
        _code("11100000MB0C00005"),
        "国家市场监督管理总局",
        "State Administration for Market Regulation",
    ),
}


def _f(
    name: str, label: str, label_en: str, kind: str = "text", *, required: bool = True
) -> dict[str, Any]:
    """A surface field; required unless the certificate may be issued without it."""
    return {"name": name, "label": label, "label_en": label_en, "type": kind, "required": required}


# (ministry, seq, name, English, issuing department (portal demo name), holder kind,
#  validity rule, years, fields, layout colour, demo surface values)
TYPES: list[tuple[Any, ...]] = [
    (
        "mps",
        11,
        "居民身份证",
        "Resident identity card",
        "广州市公安局",
        HolderKind.PERSON,
        ValidityRule.FIXED_YEARS,
        20,
        [
            _f("sex", "性别", "Sex"),
            _f("ethnicity", "民族", "Ethnicity"),
            _f("birth_date", "出生", "Date of birth", "date"),
            _f("address", "住址", "Address"),
        ],
        "#1f4e79",
        {
            "sex": "男",
            "ethnicity": "汉",
            "birth_date": "1990-03-07",
            "address": "广东省广州市海珠区新港中路100号",
        },
    ),
    (
        "mps",
        12,
        "户口簿",
        "Household register",
        "广州市公安局",
        HolderKind.PERSON,
        ValidityRule.LONG_TERM,
        None,
        [
            _f("household_type", "户别", "Household type"),
            _f("address", "住址", "Address"),
            _f("relation", "与户主关系", "Relation to head"),
        ],
        "#7a3b12",
        {
            "household_type": "居民家庭户",
            "address": "广东省广州市海珠区新港中路100号",
            "relation": "户主",
        },
    ),
    (
        "mps",
        13,
        "居住证",
        "Residence permit",
        "广州市公安局",
        HolderKind.PERSON,
        ValidityRule.GIVEN,
        None,
        [_f("address", "居住地址", "Address of residence")],
        "#2e6b30",
        {"address": "广东省广州市天河区天河路385号"},
    ),
    (
        "mps",
        14,
        "机动车驾驶证",
        "Driving licence",
        "广州市公安局",
        HolderKind.PERSON,
        ValidityRule.FIXED_YEARS,
        6,
        [
            _f("vehicle_class", "准驾车型", "Vehicle class"),
            _f("first_issued", "初次领证日期", "First issued", "date"),
        ],
        "#3c3c8c",
        {"vehicle_class": "C1", "first_issued": "2012-06-18"},
    ),
    (
        "nhc",
        1,
        "出生医学证明",
        "Medical birth certificate",
        "广州市卫生健康委员会",
        HolderKind.PERSON,
        ValidityRule.LONG_TERM,
        None,
        [
            _f("birth_date", "出生时间", "Born", "date"),
            _f("birth_place", "出生地点", "Place"),
            _f("mother_name", "母亲姓名", "Mother"),
            _f("father_name", "父亲姓名", "Father", required=False),  # may be unknown
        ],
        "#a0365a",
        {
            "birth_date": "1990-03-07",
            "birth_place": "广东省广州市",
            "mother_name": "李四",
            "father_name": "张五",
        },
    ),
    (
        "mohrss",
        1,
        "社会保障卡",
        "Social security card",
        "广州市人力资源和社会保障局",
        HolderKind.PERSON,
        ValidityRule.FIXED_YEARS,
        10,
        [_f("card_number", "卡号", "Card number"), _f("bank", "银行", "Bank")],
        "#0b6e8a",
        {"card_number": "J44010012", "bank": "中国工商银行"},
    ),
    (
        "mca",
        1,
        "结婚证",
        "Marriage certificate",
        "广州市民政局",
        HolderKind.PERSON,
        ValidityRule.LONG_TERM,
        None,
        [
            _f("spouse_name", "配偶姓名", "Spouse"),
            _f("registered_on", "登记日期", "Registered", "date"),
        ],
        "#b22222",
        {"spouse_name": "王丽", "registered_on": "2019-05-20"},
    ),
    (
        "mnr",
        1,
        "不动产权证书",
        "Real estate title certificate",
        "广州市规划和自然资源局",
        HolderKind.PERSON,
        ValidityRule.LONG_TERM,
        None,
        [
            _f("location", "坐落", "Location"),
            _f("area", "面积", "Area"),
            _f("use", "用途", "Use"),
            _f("right_type", "权利类型", "Right"),
        ],
        "#4b6b2a",
        {
            "location": "广州市海珠区新港中路100号1001房",
            "area": "89.5㎡",
            "use": "住宅",
            "right_type": "国有建设用地使用权/房屋所有权",
        },
    ),
    (
        "samr",
        1,
        "营业执照",
        "Business licence",
        "广州市市场监督管理局",
        HolderKind.ORGANISATION,
        ValidityRule.LONG_TERM,
        None,
        [
            _f("company_type", "类型", "Type"),
            _f("legal_representative", "法定代表人", "Legal representative"),
            _f("registered_capital", "注册资本", "Registered capital"),
            _f("address", "住所", "Address"),
            _f("business_scope", "经营范围", "Scope"),
        ],
        "#8b0000",
        {
            "company_type": "有限责任公司（自然人独资）",
            "legal_representative": "张三",
            "registered_capital": "人民币壹拾万元",
            "address": "广州市天河区体育西路1号",
            "business_scope": "餐饮服务",
        },
    ),
    (
        "samr",
        2,
        "食品经营许可证",
        "Food business licence",
        "广州市市场监督管理局",
        HolderKind.ORGANISATION,
        ValidityRule.FIXED_YEARS,
        5,
        [
            _f("operator_type", "主体业态", "Operator type"),
            _f("address", "经营场所", "Premises"),
            _f("items", "经营项目", "Items"),
        ],
        "#005a4e",
        {
            "operator_type": "餐饮服务经营者（小型餐馆）",
            "address": "广州市天河区体育西路1号",
            "items": "热食类食品制售",
        },
    ),
]

ORGANISATION_USCC = _code("91440101MA5CD0001")


def _types() -> list[tuple[CertificateType, Department, dict[str, str]]]:
    ministries = {
        key: Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "area_code": "100000"}
        )[0]
        for key, (code, name, name_en) in MINISTRIES.items()
    }
    result = []
    for (
        ministry,
        seq,
        name,
        name_en,
        issuer_name,
        kind,
        rule,
        years,
        fields,
        colour,
        values,
    ) in TYPES:
        definer = ministries[ministry]
        ctype, _ = CertificateType.objects.update_or_create(
            code=f"{definer.code}{seq:03d}",
            defaults={
                "name": name,
                "name_en": name_en,
                "defining_department": definer,
                "holder_kind": kind,
                "fields": fields,
                "validity_rule": rule,
                "validity_years": years,
                "layout": {"colour": colour, "title": name},
            },
        )
        issuer = Department.objects.get(name=issuer_name)
        ctype.issuing_departments.add(issuer)
        result.append((ctype, issuer, values))
    return result


def _today() -> datetime.date:
    return timezone.localdate()


@transaction.atomic
def load() -> str:
    types = _types()
    citizen = User.objects.filter(email=CITIZEN_EMAIL).first()
    profile = PersonProfile.objects.filter(user=citizen).first() if citizen else None
    if citizen is None or profile is None or not profile.id_number_encrypted:
        return f"{len(types)} certificate types; no demo citizen to issue to"
    organisation, _ = Organisation.objects.get_or_create(
        uscc=ORGANISATION_USCC,
        defaults={"name": ORGANISATION_NAME, "legal_representative": citizen},
    )
    # Its business licence has been seen at the window, so its certificates are its own.
    organisations.confirm_at_window(organisation, by=User.objects.get(email="clerk@demo.onewindow"))
    issued = []
    today = _today()
    for ctype, issuer, values in types:
        person = ctype.holder_kind == HolderKind.PERSON
        loaded = Certificate.objects.filter(issuer=issuer, idempotency_key=f"demo-{ctype.code}")
        if loaded.exists():  # loaded on an earlier day: its dates were relative to that day
            issued.append(loaded.get())
            continue
        issued.append(
            issuing.issue(
                type=ctype,
                issuer=issuer,
                holder_name=profile.legal_name if person else organisation.name,
                holder_code=profile.reveal_id_number() if person else organisation.uscc,
                surface=values,
                by=None,
                idempotency_key=f"demo-{ctype.code}",
                issued_on=today - datetime.timedelta(days=400),
                valid_until=today + datetime.timedelta(days=365)
                if ctype.validity_rule == ValidityRule.GIVEN
                else None,
            )
        )
    # A changed address: the residence permit's second version supersedes the first.
    permit = next(c for c in issued if c.type.name == "居住证")
    if not Certificate.objects.filter(previous=permit).exists():
        issuing.renew(
            permit,
            by=None,
            surface={"address": "广东省广州市越秀区北京路1号"},
            valid_until=today + datetime.timedelta(days=365),
            reason="居住地址变更",
            idempotency_key="demo-renew-residence-permit",
        )
    # A consent the demo reviewer (market regulation) can read through.
    licence = next(c for c in issued if c.type.name == "营业执照")
    if not CertificateGrant.objects.filter(case_reference="DEMO-FOOD-0001").exists():
        consents.grant(
            licence,
            by=citizen,
            department=licence.issuer,
            purpose="食品经营许可证申请：营业执照免提交",
            case_reference="DEMO-FOOD-0001",
        )
    return (
        f"{len(types)} certificate types; {len(issued) + 1} certificates in "
        f"{profile.legal_name}'s wallet (citizen and organisation)"
    )

"""Demo data for the embedded default: departments, a hall, and one account per role.

Idempotent: running it again updates the same rows and resets the demo passwords.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from stdnum.cn import ric, uscc

from portal import realname, roles
from portal.models import (
    Department,
    PersonProfile,
    ServiceCategory,
    ServiceHall,
    StaffAssignment,
    StaffRole,
    User,
)

DEMO_PASSWORD = "OneWindow-2026"  # noqa: S105  (printed for the demo on purpose)

# (organisation code part, Chinese name, English name). Codes are made up but well-formed.
DEPARTMENTS = [
    ("MB2C90001", "广州市公安局", "Guangzhou Public Security Bureau"),
    ("MB2C90002", "广州市民政局", "Guangzhou Civil Affairs Bureau"),
    (
        "MB2C90003",
        "广州市人力资源和社会保障局",
        "Guangzhou Human Resources and Social Security Bureau",
    ),
    ("MB2C90004", "广州市卫生健康委员会", "Guangzhou Health Commission"),
    ("MB2C90005", "广州市市场监督管理局", "Guangzhou Administration for Market Regulation"),
    (
        "MB2C90006",
        "国家税务总局广州市税务局",
        "Guangzhou Tax Service, State Taxation Administration",
    ),
    ("MB2C90007", "广州市医疗保障局", "Guangzhou Healthcare Security Administration"),
    ("MB2C90008", "广州住房公积金管理中心", "Guangzhou Housing Provident Fund Management Center"),
    ("MB2C90009", "广州市教育局", "Guangzhou Education Bureau"),
    ("MB2C90010", "广州市交通运输局", "Guangzhou Transport Bureau"),
    ("MB2C90011", "广州市规划和自然资源局", "Guangzhou Planning and Natural Resources Bureau"),
    ("MB2C90012", "广州市住房和城乡建设局", "Guangzhou Housing and Urban-Rural Development Bureau"),
    (
        "MB2C90013",
        "广州市政务服务和数据管理局",
        "Guangzhou Government Services and Data Administration",
    ),
]


# Back-office categories (分类审批): the routing keys of the review queues.
CATEGORIES = [
    ("household-registration", "户籍管理", "Household registration"),
    ("civil-registration", "婚姻与收养登记", "Marriage and adoption registration"),
    ("social-insurance", "社会保险", "Social insurance"),
    ("medical-insurance", "医疗保障", "Medical insurance"),
    ("birth-and-health", "出生与卫生健康", "Birth and health"),
    ("business-registration", "市场主体登记", "Business registration"),
    ("food-licensing", "食品经营许可", "Food business licensing"),
    ("tax", "税务办理", "Tax"),
    ("housing-fund", "住房公积金", "Housing provident fund"),
    ("education", "教育入学", "School enrolment"),
    ("transport", "交通运输", "Transport"),
    ("real-estate", "不动产登记", "Real estate registration"),
]


def department_code(org_code: str, area: str = "440100") -> str:
    body = f"11{area}{org_code}"
    return body + uscc.calc_check_digit(body)


def person_id_number(area: str, birth: str, seq: str) -> str:
    body = f"{area}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


@dataclass
class DemoAccount:
    role: str
    login: str
    password: str
    note: str = ""


def _account(*, email: str, phone: str, name: str, id_number: str) -> User:
    user, _ = User.objects.get_or_create(email=email)
    user.phone, user.phone_verified, user.is_active = phone, True, True
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    profile = PersonProfile.objects.filter(user=user).first()
    if profile is None or not profile.id_number_encrypted:
        realname.declare(user, legal_name=name, id_number=id_number)
    return user


def _grant(
    user: User,
    role: StaffRole,
    *,
    department: Department | None = None,
    hall: ServiceHall | None = None,
    categories: list[ServiceCategory] | None = None,
) -> None:
    if not StaffAssignment.objects.filter(
        user=user, role=role, department=department, service_hall=hall
    ).exists():
        roles.grant(
            StaffAssignment(user=user, role=role, department=department, service_hall=hall),
            by=None,
            categories=categories,
        )


@transaction.atomic
def load() -> list[DemoAccount]:
    departments = {}
    for org_code, name, name_en in DEPARTMENTS:
        department, _ = Department.objects.update_or_create(
            code=department_code(org_code), defaults={"name": name, "name_en": name_en}
        )
        departments[name] = department
    categories = {
        code: ServiceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )[0]
        for code, name, name_en in CATEGORIES
    }
    hall, _ = ServiceHall.objects.update_or_create(
        name="广州市政务服务中心",
        defaults={
            "name_en": "Guangzhou Government Service Centre",
            "address": "广州市天河区天润路333号",
            "address_en": "333 Tianrun Road, Tianhe District, Guangzhou",
            "opening_hours": "周一至周五 9:00-17:00",
            "opening_hours_en": "Monday to Friday 9:00-17:00",
        },
    )

    Grant = tuple[StaffRole, Department | None, ServiceHall | None]
    people: list[tuple[str, str, str, str, tuple[str, str, str], Grant | None]] = [
        (
            "citizen",
            "citizen@demo.onewindow",
            "+8613800000001",
            "张三",
            ("440106", "19900307", "123"),
            None,
        ),
        (
            "clerk",
            "clerk@demo.onewindow",
            "+8613800000002",
            "李窗口",
            ("440104", "19880512", "224"),
            (StaffRole.CLERK, None, hall),
        ),
        (
            "reviewer",
            "reviewer@demo.onewindow",
            "+8613800000003",
            "王审批",
            ("440103", "19850901", "315"),
            (StaffRole.REVIEWER, departments["广州市市场监督管理局"], None),
        ),
        (
            "department admin",
            "deptadmin@demo.onewindow",
            "+8613800000004",
            "赵管理",
            ("440106", "19870220", "418"),
            (StaffRole.DEPARTMENT_ADMIN, departments["广州市市场监督管理局"], None),
        ),
        (
            "system admin",
            "admin@demo.onewindow",
            "+8613800000005",
            "陈系统",
            ("440105", "19891111", "511"),
            (StaffRole.SYSTEM_ADMIN, None, None),
        ),
    ]
    accounts = []
    for label, email, phone, name, (area, birth, seq), grant in people:
        user = _account(
            email=email, phone=phone, name=name, id_number=person_id_number(area, birth, seq)
        )
        if grant:
            role, dept, where = grant
            reviews = (
                [categories["business-registration"], categories["food-licensing"]]
                if role == StaffRole.REVIEWER
                else None
            )
            _grant(user, role, department=dept, hall=where, categories=reviews)
        accounts.append(DemoAccount(label, f"{email} / {phone[3:]}", DEMO_PASSWORD))
    # The demo citizen has shown his ID card at the window, so his certificates are his.
    citizen = PersonProfile.objects.get(user__email="citizen@demo.onewindow")
    if not citizen.is_verified:
        realname.verify_at_window(citizen, by=User.objects.get(email="clerk@demo.onewindow"))
    return accounts

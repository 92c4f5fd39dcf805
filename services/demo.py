"""Demo catalogue: Guangzhou's departments' services with materials, forms and review steps,
and bundles from the State Council's first "高效办成一件事" list.

Runs after ``portal.demo`` (departments, categories, the main hall). Idempotent: services are
keyed by code, materials by key, bundles by slug; review steps and members are replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from certificates import demo as certificates_demo
from certificates.models import CertificateType
from portal.demo import department_code
from portal.models import Department, ServiceCategory, ServiceHall, StaffRole
from services import bundles
from services.models import (
    ApplicantKind,
    Bundle,
    MaterialRequirement,
    ReviewStep,
    Service,
    ServiceKind,
    ServiceResult,
)

# The certificate types the catalogue names, by key: the certificate demo's, by their name (it
# defines their codes), and five of its own, defined here (defining ministry, sequence).
CERTIFICATE_TYPES = {
    "resident-id": "居民身份证",
    "household-register": "户口簿",
    "residence-permit": "居住证",
    "driving-licence": "机动车驾驶证",
    "birth-medical-certificate": "出生医学证明",
    "social-security-card": "社会保障卡",
    "marriage-certificate": "结婚证",
    "property-certificate": "不动产权证书",
    "business-licence": "营业执照",
    "food-licence": "食品经营许可证",
}
MINISTRIES = {
    "cdpf": ("11100000MB0C000069", "中国残疾人联合会", "China Disabled Persons' Federation"),
    "sta": ("11100000MB0C00007C", "国家税务总局", "State Taxation Administration"),
    "mot": ("11100000MB0C00008F", "中华人民共和国交通运输部", "Ministry of Transport"),
}
# key: (ministry (here or the certificate demo's), seq, name, English, issuer, holder kind,
#       validity rule, years, colour, surface fields (name, label, English label, type))
EXTRA_CERTIFICATE_TYPES: dict[str, tuple[Any, ...]] = {
    "vaccination-certificate": (
        "nhc",
        2,
        "预防接种证",
        "Vaccination certificate",
        "广州市卫生健康委员会",
        "person",
        "long_term",
        None,
        "#2f6f9f",
        [("birth_date", "出生日期", "Date of birth", "date")],
    ),
    "death-medical-certificate": (
        "nhc",
        3,
        "居民死亡医学证明（推断）书",
        "Medical certificate of death",
        "广州市卫生健康委员会",
        "person",
        "long_term",
        None,
        "#4a4a4a",
        [
            ("death_date", "死亡日期", "Date of death", "date"),
            ("death_place", "死亡地点", "Place of death", "text"),
        ],
    ),
    "disability-certificate": (
        "cdpf",
        1,
        "残疾人证",
        "Disability certificate",
        "广州市残疾人联合会",
        "person",
        "fixed_years",
        10,
        "#8a5a00",
        [
            ("disability_type", "残疾类别", "Kind of disability", "text"),
            ("disability_level", "残疾等级", "Level", "text"),
        ],
    ),
    "tax-clearance": (
        "sta",
        1,
        "清税证明",
        "Tax clearance certificate",
        "国家税务总局广州市税务局",
        "organisation",
        "long_term",
        None,
        "#5b3a8c",
        [],
    ),
    "road-transport-licence": (
        "mot",
        1,
        "道路运输经营许可证",
        "Road transport operating licence",
        "广州市交通运输局",
        "organisation",
        "fixed_years",
        4,
        "#1d5e3a",
        [("business_scope", "经营范围", "Scope", "text")],
    ),
}

# Extra departments and categories the portal's demo does not have.
EXTRA_DEPARTMENTS = [
    ("MB2C90014", "广州市城市管理和综合执法局", "Guangzhou Urban Management Bureau"),
    ("MB2C90015", "广州市消防救援支队", "Guangzhou Fire and Rescue Detachment"),
    ("MB2C90016", "广州市残疾人联合会", "Guangzhou Disabled Persons' Federation"),
]
EXTRA_CATEGORIES = [
    ("urban-management", "城市管理", "Urban management"),
    ("fire-safety", "消防安全", "Fire safety"),
    ("disability", "残疾人服务", "Disability services"),
]
HALLS = [
    ("天河区政务服务中心", "广州市天河区华观路1933号", "440106"),
    ("越秀区政务服务中心", "广州市越秀区东风中路268号", "440104"),
    ("海珠区政务服务中心", "广州市海珠区新港中路397号", "440105"),
]
MAIN_HALL = "广州市政务服务中心"


def _f(label: str, label_en: str, type_: str = "text", **rules: Any) -> dict[str, Any]:
    help_ = rules.pop("help", "")
    definition: dict[str, Any] = {"label": label, "label_en": label_en, "type": type_}
    if help_:
        definition["help"] = help_
    if rules:
        definition["rules"] = rules
    return definition


def _choices(*pairs: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"value": v, "label": zh, "label_en": en} for v, zh, en in pairs]


# Shared questions: a bundle asks each key once.
FIELDS: dict[str, dict[str, Any]] = {
    "applicant_name": _f("申请人姓名", "Applicant's name", max_length=30),
    "applicant_id_number": _f("申请人居民身份号码", "Applicant's resident ID number", "id_number"),
    "applicant_phone": _f("联系电话", "Mobile number", "phone"),
    "address": _f("联系地址", "Postal address", "address"),
    "household_address": _f("户籍地址", "Registered household address", "address"),
    "child_name": _f("新生儿姓名", "Newborn's name", max_length=20),
    "child_gender": _f(
        "新生儿性别",
        "Newborn's sex",
        "choice",
        choices=_choices(("male", "男", "Male"), ("female", "女", "Female")),
    ),
    "child_birth_date": _f("出生日期", "Date of birth", "date"),
    "birth_hospital": _f("出生医院", "Hospital of birth", max_length=60),
    "mother_name": _f("母亲姓名", "Mother's name", max_length=30),
    "mother_id_number": _f("母亲居民身份号码", "Mother's resident ID number", "id_number"),
    "father_name": _f("父亲姓名", "Father's name", max_length=30),
    "father_id_number": _f("父亲居民身份号码", "Father's resident ID number", "id_number"),
    "student_name": _f("学生姓名", "Pupil's name", max_length=30),
    "student_id_number": _f("学生居民身份号码", "Pupil's resident ID number", "id_number"),
    "school_stage": _f(
        "入学阶段",
        "School stage",
        "choice",
        choices=_choices(
            ("primary", "小学一年级", "Primary year 1"), ("junior", "初中一年级", "Junior year 1")
        ),
    ),
    "preferred_school": _f("意向学校", "Preferred school", max_length=60),
    "residence_permit_years": _f(
        "持居住证年限", "Years holding a residence permit", "number", min=0, max=50, integer=True
    ),
    "company_name": _f("企业名称", "Registered name", max_length=100),
    "uscc": _f("统一社会信用代码", "Unified social credit code", "uscc"),
    "legal_rep_name": _f("法定代表人姓名", "Legal representative's name", max_length=30),
    "legal_rep_id_number": _f(
        "法定代表人居民身份号码", "Legal representative's resident ID number", "id_number"
    ),
    "business_address": _f("经营场所", "Business premises", "address"),
    "registered_capital": _f(
        "注册资本（万元）", "Registered capital (10,000 yuan)", "number", min=0, max=10000000
    ),
    "business_scope": _f("经营范围", "Business scope", max_length=500),
    "employee_count": _f("从业人数", "Number of employees", "number", min=0, integer=True),
    "food_category": _f(
        "经营项目",
        "Food business category",
        "choice",
        choices=_choices(
            ("hot", "热食类食品制售", "Hot food"),
            ("cold", "冷食类食品制售", "Cold food"),
            ("pastry", "糕点类食品制售", "Pastries"),
            ("drinks", "自制饮品制售", "Home-made drinks"),
        ),
    ),
    "business_area": _f("经营面积（平方米）", "Floor area (m²)", "number", min=1, max=100000),
    "sign_text": _f("招牌文字", "Text of the sign", max_length=30),
    "sign_area": _f("招牌面积（平方米）", "Area of the sign (m²)", "number", min=0, max=200),
    "change_item": _f(
        "变更事项",
        "What changes",
        "choice",
        choices=_choices(
            ("name", "名称", "Name"),
            ("address", "住所", "Registered address"),
            ("legal_rep", "法定代表人", "Legal representative"),
            ("capital", "注册资本", "Registered capital"),
            ("scope", "经营范围", "Business scope"),
        ),
    ),
    "change_content": _f("变更后内容", "New value", max_length=200),
    "change_date": _f("变更日期", "Date of the change", "date"),
    "deregistration_reason": _f(
        "注销原因",
        "Reason for deregistration",
        "choice",
        choices=_choices(
            ("resolution", "股东会决议解散", "Dissolved by resolution"),
            ("term", "营业期限届满", "Term expired"),
            ("other", "其他", "Other"),
        ),
    ),
    "liquidation_done": _f("清算已完成", "Liquidation completed", "boolean"),
    "no_debts": _f("无未结清债权债务", "No outstanding debts", "boolean"),
    "deceased_name": _f("逝者姓名", "Name of the deceased", max_length=30),
    "deceased_id_number": _f("逝者居民身份号码", "Resident ID number of the deceased", "id_number"),
    "death_date": _f("死亡日期", "Date of death", "date"),
    "relation": _f(
        "与当事人关系",
        "Relation to the person concerned",
        "choice",
        choices=_choices(
            ("spouse", "配偶", "Spouse"),
            ("child", "子女", "Child"),
            ("parent", "父母", "Parent"),
            ("other", "其他", "Other"),
        ),
    ),
    "retirement_date": _f("退休日期", "Retirement date", "date"),
    "bank_account": _f(
        "社保卡银行账号",
        "Bank account of the social security card",
        pattern=r"\d{12,19}",
        help="12 至 19 位数字",
    ),
    "card_reason": _f(
        "申领原因",
        "Reason",
        "choice",
        choices=_choices(
            ("first", "首次申领", "First card"),
            ("lost", "遗失补领", "Lost"),
            ("damaged", "损坏换领", "Damaged"),
        ),
    ),
    "disability_type": _f(
        "残疾类别",
        "Kind of disability",
        "choice",
        choices=_choices(
            ("vision", "视力残疾", "Visual"),
            ("hearing", "听力残疾", "Hearing"),
            ("speech", "言语残疾", "Speech"),
            ("physical", "肢体残疾", "Physical"),
            ("intellectual", "智力残疾", "Intellectual"),
            ("mental", "精神残疾", "Mental"),
        ),
    ),
    "vehicle_count": _f("车辆数（辆）", "Number of vehicles", "number", min=1, integer=True),
    "plate_number": _f("车牌号码", "Registration plate", max_length=10),
    "property_address": _f("不动产坐落", "Location of the property", "address"),
    "fund_account": _f("住房公积金个人账号", "Housing fund account number", pattern=r"\d{6,20}"),
    "withdrawal_amount": _f("提取金额（元）", "Amount to withdraw (yuan)", "number", min=0),
    "agent_applies": _f("委托他人代办", "Applying through an agent", "boolean"),
    "marriage_date": _f("预约登记日期", "Registration date", "date"),
}

# key: (name, form, replacing certificate)
MATERIALS: dict[str, tuple[str, str, str]] = {
    "resident-id": ("居民身份证", "original", "resident-id"),
    "household-register": ("居民户口簿", "original", "household-register"),
    "residence-permit": ("广东省居住证", "original", "residence-permit"),
    "photo": ("近期免冠彩色证件照片（电子版）", "electronic", ""),
    "birth-medical-certificate": ("出生医学证明", "original", "birth-medical-certificate"),
    "vaccination-certificate": ("预防接种证", "original", "vaccination-certificate"),
    "marriage-certificate": ("结婚证", "original", "marriage-certificate"),
    "death-medical-certificate": (
        "居民死亡医学证明（推断）书",
        "original",
        "death-medical-certificate",
    ),
    "cremation-certificate": ("火化证明", "copy", ""),
    "kinship-proof": ("亲属关系证明", "original", ""),
    "business-licence": ("营业执照", "original", "business-licence"),
    "food-licence": ("食品经营许可证", "original", "food-licence"),
    "lease-contract": ("经营场所使用证明（租赁合同或产权证明）", "copy", ""),
    "articles": ("公司章程", "original", ""),
    "resolution": ("股东会决议或股东决定", "original", ""),
    "liquidation-report": ("清算报告", "original", ""),
    "tax-clearance": ("清税证明", "original", "tax-clearance"),
    "health-certificates": ("从业人员健康证明", "copy", ""),
    "food-safety-rules": ("食品安全管理制度", "original", ""),
    "floor-plan": ("经营场所平面布局图", "electronic", ""),
    "sign-design": ("招牌设计效果图", "electronic", ""),
    "fire-application": ("消防安全检查申报表", "original", ""),
    "social-security-card": ("社会保障卡", "original", "social-security-card"),
    "retirement-form": ("职工退休审批表", "original", ""),
    "disability-assessment": ("残疾评定表", "original", ""),
    "disability-certificate": ("残疾人证", "original", "disability-certificate"),
    "property-certificate": ("不动产权证书", "original", "property-certificate"),
    "inheritance-proof": ("继承权公证书或生效法律文书", "original", ""),
    "driving-licence": ("机动车驾驶证", "original", "driving-licence"),
    "vehicle-licence": ("机动车行驶证", "copy", ""),
    "transport-licence": ("道路运输经营许可证", "original", "road-transport-licence"),
    "safety-rules": ("安全生产管理制度文本", "original", ""),
    "driver-qualifications": ("驾驶员从业资格证", "copy", ""),
    "bank-card": ("本人银行卡", "copy", ""),
    "authorisation": ("授权委托书", "original", ""),
    "agent-id": ("代理人居民身份证", "original", "resident-id"),
    "school-residence": ("适龄儿童及父母房产证明或租赁登记备案", "copy", ""),
    "fund-statement": ("住房公积金缴存明细", "electronic", ""),
}
AGENT = "authorisation?委托他人办理的 agent-id?委托他人办理的"

LEGAL_BASIS = {
    "household-registration": "《中华人民共和国户口登记条例》",
    "civil-registration": "《婚姻登记条例》",
    "social-insurance": "《中华人民共和国社会保险法》",
    "medical-insurance": "《中华人民共和国社会保险法》《医疗保障基金使用监督管理条例》",
    "birth-and-health": "《中华人民共和国母婴保健法》《中华人民共和国疫苗管理法》",
    "business-registration": "《中华人民共和国市场主体登记管理条例》",
    "food-licensing": "《中华人民共和国食品安全法》《食品经营许可和备案管理办法》",
    "tax": "《中华人民共和国税收征收管理法》",
    "housing-fund": "《住房公积金管理条例》",
    "education": "《中华人民共和国义务教育法》",
    "transport": "《中华人民共和国道路运输条例》",
    "real-estate": "《不动产登记暂行条例》",
    "urban-management": "《城市市容和环境卫生管理条例》《广州市户外广告和招牌设置管理办法》",
    "fire-safety": "《中华人民共和国消防法》",
    "disability": "《中华人民共和国残疾人保障法》",
}


@dataclass
class S:
    """One demo service, in as few words as a table row allows."""

    org: str  # department org code part, MB2C900nn
    seq: int
    name: str
    name_en: str
    category: str
    fields: str
    materials: str
    kind: str = ServiceKind.PUBLIC_SERVICE
    applicant: str = ApplicantKind.PERSON
    limits: tuple[int, int] = (20, 5)
    visits: int = 0
    online: bool = True
    bookable: bool = True
    fee: str = ""
    result: tuple[str, str, str] = (ServiceResult.NONE, "", "")
    steps: tuple[str, ...] = ("审核", "审批")
    description: str = ""
    conditions: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


IND, ORG, ANY = ApplicantKind.PERSON, ApplicantKind.ORGANISATION, ApplicantKind.BOTH
LIC, CONF, PAY = (
    ServiceKind.ADMINISTRATIVE_LICENCE,
    ServiceKind.ADMINISTRATIVE_CONFIRMATION,
    ServiceKind.ADMINISTRATIVE_PAYMENT,
)


def _cert(name: str, type_key: str) -> tuple[str, str, str]:
    return (ServiceResult.CERTIFICATE, name, type_key)


def _paper(name: str) -> tuple[str, str, str]:
    return (ServiceResult.PAPER, name, "")


PERSON = "applicant_name applicant_id_number applicant_phone"
COMPANY = "company_name uscc legal_rep_name legal_rep_id_number applicant_phone"
NEWBORN = "child_name child_gender child_birth_date mother_name mother_id_number"
PARENTS = NEWBORN + " father_name father_id_number"
DECEASED = "deceased_name deceased_id_number death_date relation " + PERSON

SERVICES: list[S] = [
    # 广州市公安局
    S(
        "MB2C90001",
        1,
        "出生登记",
        "Birth registration (household)",
        "household-registration",
        PARENTS + " household_address applicant_phone",
        "birth-medical-certificate household-register resident-id marriage-certificate?父母已婚的",
        kind=CONF,
        result=_paper("居民户口簿（本人页）"),
        description="为新生儿申报常住户口，落户父亲或母亲户籍所在地。",
        conditions="新生儿出生后一个月内，由监护人申报；父母一方为本市户籍。",
    ),
    S(
        "MB2C90001",
        2,
        "死亡人员户口注销",
        "Cancelling the household registration of the deceased",
        "household-registration",
        DECEASED,
        "death-medical-certificate household-register",
        kind=CONF,
        limits=(5, 1),
        steps=("审核",),
        description="公民死亡后，由其户主、亲属注销其常住户口。",
    ),
    S(
        "MB2C90001",
        3,
        "居民身份证申领",
        "Resident identity card, first issue",
        "household-registration",
        PERSON + " household_address",
        "household-register photo",
        kind=CONF,
        limits=(60, 20),
        visits=1,
        online=False,
        fee="20元",
        result=_cert("居民身份证", "resident-id"),
        conditions="年满十六周岁的本市户籍居民，未成年人可自愿申领。",
    ),
    S(
        "MB2C90001",
        4,
        "居民身份证换领",
        "Resident identity card renewal",
        "household-registration",
        PERSON,
        "resident-id photo",
        kind=CONF,
        limits=(60, 20),
        visits=1,
        online=False,
        fee="20元",
        result=_cert("居民身份证", "resident-id"),
    ),
    S(
        "MB2C90001",
        5,
        "居民身份证补领",
        "Replacing a lost resident identity card",
        "household-registration",
        PERSON,
        "household-register photo",
        kind=CONF,
        limits=(60, 20),
        visits=1,
        fee="20元",
        result=_cert("居民身份证", "resident-id"),
    ),
    S(
        "MB2C90001",
        6,
        "居住证申领",
        "Residence permit application",
        "household-registration",
        PERSON + " address",
        "resident-id lease-contract photo",
        kind=CONF,
        limits=(15, 10),
        result=_cert("广东省居住证", "residence-permit"),
        conditions="离开常住户口所在地，在本市居住半年以上，有合法稳定就业、住所或连续就读。",
    ),
    S(
        "MB2C90001",
        7,
        "市内户口迁移",
        "Moving household registration within the city",
        "household-registration",
        PERSON + " household_address address",
        "household-register property-certificate?迁入自有住房的 " + AGENT,
        kind=CONF,
        limits=(20, 10),
    ),
    S(
        "MB2C90001",
        8,
        "机动车驾驶证期满换证",
        "Driving licence renewal",
        "transport",
        PERSON,
        "driving-licence photo",
        kind=LIC,
        limits=(1, 1),
        fee="10元",
        result=_cert("机动车驾驶证", "driving-licence"),
        steps=("审核",),
    ),
    # 广州市民政局
    S(
        "MB2C90002",
        1,
        "内地居民结婚登记",
        "Marriage registration",
        "civil-registration",
        PERSON + " marriage_date",
        "resident-id household-register photo",
        kind=CONF,
        limits=(1, 1),
        visits=1,
        online=False,
        result=_cert("结婚证", "marriage-certificate"),
        steps=("审查登记",),
        conditions="男女双方亲自到场，达到法定婚龄，无配偶。",
    ),
    S(
        "MB2C90002",
        2,
        "内地居民离婚登记",
        "Divorce registration",
        "civil-registration",
        PERSON,
        "resident-id household-register marriage-certificate",
        kind=CONF,
        limits=(30, 30),
        visits=2,
        online=False,
        steps=("审查登记",),
        result=_paper("离婚证"),
    ),
    S(
        "MB2C90002",
        3,
        "补领婚姻登记证",
        "Replacing a marriage certificate",
        "civil-registration",
        PERSON,
        "resident-id household-register photo",
        kind=CONF,
        limits=(30, 5),
        visits=1,
        result=_cert("结婚证", "marriage-certificate"),
        steps=("审查登记",),
    ),
    S(
        "MB2C90002",
        4,
        "基本殡葬服务费用减免",
        "Free basic funeral services",
        "civil-registration",
        DECEASED,
        "death-medical-certificate cremation-certificate",
        kind=PAY,
        limits=(10, 3),
        description="为本市户籍逝者减免遗体接运、火化等基本殡葬服务费用。",
    ),
    S(
        "MB2C90002",
        5,
        "高龄老人津贴申领",
        "Old-age allowance",
        "social-insurance",
        PERSON + " bank_account",
        "resident-id bank-card",
        kind=PAY,
        limits=(20, 10),
        conditions="年满八十周岁的本市户籍老人。",
    ),
    S(
        "MB2C90002",
        6,
        "困难残疾人生活补贴申请",
        "Living allowance for disabled people in need",
        "disability",
        PERSON + " disability_type bank_account",
        "resident-id disability-certificate bank-card",
        kind=PAY,
        limits=(30, 15),
    ),
    # 广州市人力资源和社会保障局
    S(
        "MB2C90003",
        1,
        "个人社会保险参保登记",
        "Social insurance registration (individual)",
        "social-insurance",
        PERSON + " address",
        "resident-id",
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90003",
        2,
        "社会保障卡申领",
        "Social security card application",
        "social-insurance",
        PERSON + " card_reason address",
        "resident-id photo",
        limits=(20, 10),
        result=_cert("社会保障卡", "social-security-card"),
        steps=("审核",),
        description="申领第三代社会保障卡，具有身份凭证、信息记录、自助查询、医保结算、"
        "缴费及待遇领取、金融支付等功能。",
    ),
    S(
        "MB2C90003",
        3,
        "社会保障卡补换",
        "Replacing a social security card",
        "social-insurance",
        PERSON + " card_reason",
        "resident-id photo",
        limits=(20, 5),
        fee="工本费20元（损坏换领）",
        result=_cert("社会保障卡", "social-security-card"),
        steps=("审核",),
    ),
    S(
        "MB2C90003",
        4,
        "社会保障卡挂失",
        "Reporting a lost social security card",
        "social-insurance",
        PERSON,
        "",
        limits=(1, 1),
        bookable=False,
        steps=(),
    ),
    S(
        "MB2C90003",
        5,
        "职工基本养老保险待遇核定",
        "Pension entitlement (employees)",
        "social-insurance",
        PERSON + " retirement_date bank_account",
        "resident-id retirement-form bank-card",
        kind=CONF,
        limits=(20, 10),
        description="办理退休手续，核定按月领取的基本养老金。",
        conditions="达到法定退休年龄，累计缴费满15年。",
    ),
    S(
        "MB2C90003",
        6,
        "城乡居民基本养老保险待遇申领",
        "Pension for urban and rural residents",
        "social-insurance",
        PERSON + " bank_account",
        "resident-id household-register bank-card",
        kind=PAY,
        limits=(20, 10),
    ),
    S(
        "MB2C90003",
        7,
        "丧葬补助金和抚恤金申领",
        "Funeral grant and survivors' pension",
        "social-insurance",
        DECEASED + " bank_account",
        "death-medical-certificate kinship-proof bank-card",
        kind=PAY,
        limits=(20, 10),
    ),
    S(
        "MB2C90003",
        8,
        "养老保险个人账户一次性待遇申领",
        "Lump-sum payout of a pension account after death",
        "social-insurance",
        DECEASED + " bank_account",
        "death-medical-certificate kinship-proof bank-card",
        kind=PAY,
        limits=(20, 10),
    ),
    S(
        "MB2C90003",
        9,
        "失业保险金申领",
        "Unemployment benefit",
        "social-insurance",
        PERSON + " bank_account",
        "resident-id bank-card",
        kind=PAY,
        limits=(10, 5),
        steps=("审核",),
        conditions="非因本人意愿中断就业，已办理失业登记，缴费满一年。",
    ),
    S(
        "MB2C90003",
        10,
        "就业登记",
        "Employment registration",
        "social-insurance",
        PERSON + " company_name uscc",
        "resident-id",
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90003",
        11,
        "单位社会保险参保登记",
        "Social insurance registration (employer)",
        "social-insurance",
        COMPANY + " employee_count",
        "business-licence",
        applicant=ORG,
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90003",
        12,
        "单位社会保险注销登记",
        "Closing an employer's social insurance account",
        "social-insurance",
        COMPANY + " deregistration_reason",
        "business-licence resolution",
        applicant=ORG,
        limits=(10, 5),
    ),
    S(
        "MB2C90003",
        13,
        "工伤认定申请",
        "Work injury recognition",
        "social-insurance",
        PERSON + " company_name",
        "resident-id",
        kind=CONF,
        limits=(60, 30),
        visits=1,
    ),
    # 广州市卫生健康委员会
    S(
        "MB2C90004",
        1,
        "出生医学证明首次签发",
        "Birth medical certificate, first issue",
        "birth-and-health",
        PARENTS + " birth_hospital",
        "resident-id",
        limits=(5, 1),
        result=_cert("出生医学证明", "birth-medical-certificate"),
        steps=("审核",),
        description="由新生儿出生的助产机构签发，是新生儿申报户口的依据。",
    ),
    S(
        "MB2C90004",
        2,
        "预防接种证办理",
        "Vaccination record",
        "birth-and-health",
        NEWBORN + " address",
        "birth-medical-certificate",
        limits=(1, 1),
        result=_cert("预防接种证", "vaccination-certificate"),
        steps=("审核",),
    ),
    S(
        "MB2C90004",
        3,
        "生育登记",
        "Birth registration with the health commission",
        "birth-and-health",
        "mother_name mother_id_number father_name father_id_number applicant_phone",
        "resident-id household-register marriage-certificate?已婚的",
        limits=(1, 1),
        steps=("审核",),
        description="即准生证，在线登记即时办结。",
    ),
    S(
        "MB2C90004",
        4,
        "居民死亡医学证明（推断）书签发",
        "Medical certificate of death",
        "birth-and-health",
        DECEASED,
        "resident-id",
        limits=(1, 1),
        result=_cert("居民死亡医学证明（推断）书", "death-medical-certificate"),
        steps=("审核",),
    ),
    S(
        "MB2C90004",
        5,
        "公共场所卫生许可",
        "Hygiene licence for public places",
        "birth-and-health",
        COMPANY + " business_address business_area",
        "business-licence floor-plan",
        kind=LIC,
        applicant=ORG,
        limits=(20, 5),
    ),
    # 广州市市场监督管理局
    S(
        "MB2C90005",
        1,
        "企业设立登记",
        "Company registration",
        "business-registration",
        COMPANY + " business_address registered_capital business_scope",
        "resident-id articles lease-contract",
        kind=LIC,
        applicant=ANY,
        limits=(15, 1),
        result=_cert("营业执照", "business-licence"),
        description="设立有限责任公司、股份有限公司，领取营业执照。",
    ),
    S(
        "MB2C90005",
        2,
        "个体工商户营业执照设立登记",
        "Sole proprietorship registration",
        "business-registration",
        PERSON + " company_name business_address business_scope",
        "resident-id lease-contract",
        kind=LIC,
        limits=(15, 1),
        result=_cert("营业执照", "business-licence"),
    ),
    S(
        "MB2C90005",
        3,
        "企业变更登记",
        "Change of company registration",
        "business-registration",
        COMPANY + " change_item change_content change_date",
        "business-licence resolution articles?修改章程的",
        kind=LIC,
        applicant=ORG,
        limits=(15, 1),
        result=_cert("营业执照", "business-licence"),
        description="企业名称、住所、法定代表人、注册资本、经营范围等登记事项变更，换发营业执照。",
    ),
    S(
        "MB2C90005",
        4,
        "企业备案",
        "Company filing (articles, directors)",
        "business-registration",
        COMPANY + " change_content",
        "business-licence articles",
        applicant=ORG,
        limits=(15, 1),
    ),
    S(
        "MB2C90005",
        5,
        "企业注销登记",
        "Company deregistration",
        "business-registration",
        COMPANY + " deregistration_reason liquidation_done no_debts",
        "business-licence resolution liquidation-report tax-clearance",
        kind=LIC,
        applicant=ORG,
        limits=(20, 3),
    ),
    S(
        "MB2C90005",
        6,
        "企业简易注销登记",
        "Simplified deregistration",
        "business-registration",
        COMPANY + " no_debts",
        "business-licence",
        kind=LIC,
        applicant=ORG,
        limits=(20, 3),
        conditions="未开业或无债权债务的企业，公示期20日无异议。",
    ),
    S(
        "MB2C90005",
        7,
        "食品经营许可证核发",
        "Food business licence",
        "food-licensing",
        COMPANY + " business_address food_category business_area",
        "business-licence health-certificates food-safety-rules floor-plan",
        kind=LIC,
        applicant=ANY,
        limits=(20, 10),
        visits=0,
        result=_cert("食品经营许可证", "food-licence"),
        description="从事食品销售和餐饮服务活动，应当依法取得食品经营许可。",
    ),
    S(
        "MB2C90005",
        8,
        "食品经营许可证变更",
        "Change of food business licence",
        "food-licensing",
        COMPANY + " change_item change_content",
        "food-licence business-licence",
        kind=LIC,
        applicant=ORG,
        limits=(20, 5),
        result=_cert("食品经营许可证", "food-licence"),
    ),
    S(
        "MB2C90005",
        9,
        "食品经营许可证注销",
        "Cancelling a food business licence",
        "food-licensing",
        COMPANY,
        "food-licence",
        kind=LIC,
        applicant=ORG,
        limits=(20, 3),
    ),
    S(
        "MB2C90005",
        10,
        "小餐饮经营登记",
        "Registration of a small eatery",
        "food-licensing",
        PERSON + " business_address food_category business_area",
        "resident-id health-certificates lease-contract",
        kind=LIC,
        limits=(15, 5),
    ),
    # 国家税务总局广州市税务局
    S(
        "MB2C90006",
        1,
        "新办纳税人涉税事项",
        "Tax set-up for new taxpayers",
        "tax",
        COMPANY + " business_address",
        "business-licence",
        applicant=ORG,
        limits=(1, 1),
        steps=("审核",),
        description="信息确认、发票票种核定、税控设备发行一次办理。",
    ),
    S(
        "MB2C90006",
        2,
        "发票领用",
        "Obtaining invoices",
        "tax",
        COMPANY,
        "business-licence",
        applicant=ORG,
        limits=(1, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90006",
        3,
        "清税证明开具",
        "Tax clearance certificate",
        "tax",
        COMPANY + " deregistration_reason",
        "business-licence",
        applicant=ORG,
        limits=(1, 1),
        result=_cert("清税证明", "tax-clearance"),
        steps=("审核",),
    ),
    S(
        "MB2C90006",
        4,
        "个人所得税综合所得汇算清缴",
        "Annual individual income tax return",
        "tax",
        PERSON + " bank_account",
        "",
        limits=(1, 1),
        bookable=False,
        steps=("审核",),
    ),
    S(
        "MB2C90006",
        5,
        "变更税务登记",
        "Change of tax registration",
        "tax",
        COMPANY + " change_item change_content",
        "business-licence",
        applicant=ORG,
        limits=(1, 1),
        steps=("审核",),
    ),
    # 广州市医疗保障局
    S(
        "MB2C90007",
        1,
        "城乡居民基本医疗保险参保登记",
        "Residents' medical insurance enrolment",
        "medical-insurance",
        PERSON + " household_address",
        "resident-id household-register",
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90007",
        2,
        "新生儿参加城乡居民医保",
        "Medical insurance for a newborn",
        "medical-insurance",
        NEWBORN + " applicant_phone",
        "birth-medical-certificate",
        limits=(5, 1),
        steps=("审核",),
        description="新生儿出生后即可参保，出生当年享受医保待遇。",
    ),
    S(
        "MB2C90007",
        3,
        "基本医疗保险关系转移接续",
        "Transferring medical insurance",
        "medical-insurance",
        PERSON,
        "resident-id",
        limits=(15, 10),
        steps=("审核",),
    ),
    S(
        "MB2C90007",
        4,
        "门诊特定病种待遇认定",
        "Outpatient special disease entitlement",
        "medical-insurance",
        PERSON,
        "resident-id social-security-card",
        kind=CONF,
        limits=(10, 5),
    ),
    S(
        "MB2C90007",
        5,
        "单位医疗保险参保信息变更",
        "Change of employer medical insurance data",
        "medical-insurance",
        COMPANY + " change_item change_content",
        "business-licence",
        applicant=ORG,
        limits=(5, 1),
        steps=("审核",),
    ),
    # 广州住房公积金管理中心
    S(
        "MB2C90008",
        1,
        "离休退休提取住房公积金",
        "Housing fund withdrawal on retirement",
        "housing-fund",
        PERSON + " fund_account bank_account",
        "resident-id retirement-form bank-card",
        kind=PAY,
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90008",
        2,
        "死亡或宣告死亡提取住房公积金",
        "Housing fund withdrawal after death",
        "housing-fund",
        DECEASED + " fund_account bank_account withdrawal_amount",
        "death-medical-certificate kinship-proof inheritance-proof bank-card",
        kind=PAY,
        limits=(5, 3),
    ),
    S(
        "MB2C90008",
        3,
        "住房公积金单位缴存登记",
        "Employer housing fund registration",
        "housing-fund",
        COMPANY + " employee_count",
        "business-licence",
        applicant=ORG,
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90008",
        4,
        "住房公积金单位信息变更",
        "Change of employer housing fund data",
        "housing-fund",
        COMPANY + " change_item change_content",
        "business-licence",
        applicant=ORG,
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90008",
        5,
        "住房公积金单位缴存注销",
        "Closing an employer housing fund account",
        "housing-fund",
        COMPANY + " deregistration_reason",
        "business-licence resolution",
        applicant=ORG,
        limits=(5, 3),
    ),
    S(
        "MB2C90008",
        6,
        "住房公积金个人账户转移",
        "Transferring a housing fund account",
        "housing-fund",
        PERSON + " fund_account",
        "resident-id fund-statement",
        limits=(10, 5),
        steps=("审核",),
    ),
    # 广州市教育局
    S(
        "MB2C90009",
        1,
        "公办小学一年级入学申请",
        "Public primary school admission",
        "education",
        "student_name student_id_number school_stage preferred_school household_address " + PERSON,
        "household-register school-residence birth-medical-certificate vaccination-certificate",
        limits=(30, 20),
        description="适龄儿童按户籍和居住地参加公办小学一年级招生。",
    ),
    S(
        "MB2C90009",
        2,
        "公办初中入学申请",
        "Public junior secondary admission",
        "education",
        "student_name student_id_number school_stage preferred_school " + PERSON,
        "household-register school-residence",
        limits=(30, 20),
    ),
    S(
        "MB2C90009",
        3,
        "来穗人员随迁子女积分入学申请",
        "Points-based admission for migrants' children",
        "education",
        "student_name student_id_number school_stage residence_permit_years " + PERSON,
        "residence-permit household-register school-residence",
        limits=(40, 30),
        conditions="父母一方持有效广州市居住证，并符合积分入学条件。",
    ),
    # 广州市交通运输局
    S(
        "MB2C90010",
        1,
        "道路旅客运输经营许可",
        "Road passenger transport licence",
        "transport",
        COMPANY + " vehicle_count",
        "business-licence safety-rules driver-qualifications",
        kind=LIC,
        applicant=ORG,
        limits=(20, 10),
        visits=1,
        result=_cert("道路运输经营许可证", "road-transport-licence"),
    ),
    S(
        "MB2C90010",
        2,
        "道路货物运输经营许可",
        "Road freight transport licence",
        "transport",
        COMPANY + " vehicle_count",
        "business-licence safety-rules driver-qualifications",
        kind=LIC,
        applicant=ORG,
        limits=(20, 5),
        result=_cert("道路运输经营许可证", "road-transport-licence"),
    ),
    S(
        "MB2C90010",
        3,
        "道路运输车辆营运证配发",
        "Vehicle operating certificates",
        "transport",
        COMPANY + " vehicle_count plate_number",
        "transport-licence vehicle-licence",
        kind=LIC,
        applicant=ORG,
        limits=(10, 3),
    ),
    S(
        "MB2C90010",
        4,
        "道路运输从业人员从业资格证核发",
        "Qualification certificate for transport workers",
        "transport",
        PERSON,
        "resident-id driving-licence photo",
        kind=LIC,
        limits=(10, 5),
        visits=1,
    ),
    # 广州市规划和自然资源局
    S(
        "MB2C90011",
        1,
        "不动产继承登记",
        "Real estate succession registration",
        "real-estate",
        DECEASED + " property_address",
        "property-certificate death-medical-certificate inheritance-proof kinship-proof",
        kind=CONF,
        limits=(30, 5),
        visits=1,
        fee="住宅80元/件",
        result=_cert("不动产权证书", "property-certificate"),
    ),
    S(
        "MB2C90011",
        2,
        "不动产首次登记",
        "First registration of real estate",
        "real-estate",
        PERSON + " property_address",
        "resident-id",
        kind=CONF,
        limits=(30, 10),
        visits=1,
        fee="住宅80元/件",
        result=_cert("不动产权证书", "property-certificate"),
        applicant=ANY,
    ),
    S(
        "MB2C90011",
        3,
        "不动产抵押登记",
        "Mortgage registration",
        "real-estate",
        PERSON + " property_address",
        "property-certificate resident-id",
        kind=CONF,
        limits=(30, 3),
        fee="80元/件",
        applicant=ANY,
    ),
    # 广州市住房和城乡建设局
    S(
        "MB2C90012",
        1,
        "公共租赁住房申请",
        "Public rental housing",
        "real-estate",
        PERSON + " household_address",
        "resident-id household-register",
        limits=(60, 40),
        visits=1,
    ),
    S(
        "MB2C90012",
        2,
        "商品房买卖合同网签备案",
        "Filing a home purchase contract",
        "real-estate",
        PERSON + " property_address",
        "resident-id",
        limits=(3, 1),
        steps=("审核",),
    ),
    # 广州市政务服务和数据管理局
    S(
        "MB2C90013",
        1,
        "公共数据开放申请",
        "Request for open public data",
        "business-registration",
        COMPANY,
        "business-licence",
        applicant=ANY,
        limits=(20, 10),
        steps=("审核",),
    ),
    # 广州市城市管理和综合执法局
    S(
        "MB2C90014",
        1,
        "户外招牌设置备案",
        "Filing an outdoor shop sign",
        "urban-management",
        COMPANY + " business_address sign_text sign_area",
        "business-licence sign-design",
        applicant=ANY,
        limits=(5, 1),
        steps=("审核",),
    ),
    S(
        "MB2C90014",
        2,
        "临时占用城市道路审批",
        "Temporary use of city roads",
        "urban-management",
        COMPANY + " business_address",
        "business-licence floor-plan",
        kind=LIC,
        applicant=ANY,
        limits=(20, 5),
        visits=1,
    ),
    # 广州市消防救援支队
    S(
        "MB2C90015",
        1,
        "公众聚集场所投入使用营业前消防安全检查",
        "Fire safety inspection before opening",
        "fire-safety",
        COMPANY + " business_address business_area",
        "business-licence fire-application floor-plan",
        kind=LIC,
        applicant=ORG,
        limits=(10, 5),
        visits=1,
        result=_paper("公众聚集场所投入使用、营业消防安全检查合格证"),
    ),
    # 广州市残疾人联合会
    S(
        "MB2C90016",
        1,
        "残疾人证核发",
        "Disability certificate",
        "disability",
        PERSON + " disability_type household_address",
        "household-register photo disability-assessment",
        kind=CONF,
        limits=(30, 20),
        visits=1,
        result=_cert("残疾人证", "disability-certificate"),
    ),
    S(
        "MB2C90016",
        2,
        "残疾人证换领",
        "Renewing a disability certificate",
        "disability",
        PERSON + " disability_type",
        "disability-certificate photo",
        kind=CONF,
        limits=(30, 10),
        result=_cert("残疾人证", "disability-certificate"),
    ),
]

# slug, name, English name, life event, applicant, description, members
# (service name, required, condition when optional)
BUNDLES: list[tuple[str, str, str, str, str, str, list[tuple[str, bool, str]]]] = [
    (
        "newborn",
        "新生儿出生一件事",
        "Newborn birth",
        "birth",
        IND,
        "出生医学证明、预防接种证、户口登记、医保参保、社会保障卡申领一次办理。",
        [
            ("出生医学证明首次签发", True, ""),
            ("预防接种证办理", True, ""),
            ("出生登记", True, ""),
            ("新生儿参加城乡居民医保", True, ""),
            ("社会保障卡申领", False, "需要为新生儿申领社会保障卡的"),
        ],
    ),
    (
        "school-enrolment",
        "教育入学一件事",
        "School enrolment",
        "education",
        IND,
        "适龄儿童入学申请与资格审核一次办理，户籍、居住证、房产信息由部门共享核验。",
        [
            ("公办小学一年级入学申请", True, ""),
            ("公办初中入学申请", False, "小学毕业升初中的"),
            ("来穗人员随迁子女积分入学申请", False, "非本市户籍、持居住证的"),
        ],
    ),
    (
        "social-security-card",
        "社会保障卡居民服务一卡通一件事",
        "Social security card services",
        "employment",
        IND,
        "社会保障卡申领、补换与挂失，社保与医保参保一次办理。",
        [
            ("社会保障卡申领", True, ""),
            ("个人社会保险参保登记", False, "尚未参保的"),
            ("城乡居民基本医疗保险参保登记", False, "尚未参加医保的"),
        ],
    ),
    (
        "disability",
        "残疾人服务一件事",
        "Disability services",
        "health",
        IND,
        "残疾人证办理与困难残疾人生活补贴一次申请。",
        [("残疾人证核发", True, ""), ("困难残疾人生活补贴申请", False, "家庭经济困难的")],
    ),
    (
        "retirement",
        "退休一件事",
        "Retirement",
        "retirement",
        IND,
        "养老保险待遇核定、住房公积金提取、医保关系确认一次办理。",
        [
            ("职工基本养老保险待遇核定", True, ""),
            ("离休退休提取住房公积金", False, "有住房公积金账户的"),
            ("门诊特定病种待遇认定", False, "患有特定病种的"),
        ],
    ),
    (
        "after-death",
        "身后一件事",
        "After-death affairs",
        "death",
        IND,
        "死亡医学证明、户口注销、殡葬费用减免、社保待遇停发与丧葬补助、公积金提取、"
        "不动产继承登记联办。",
        [
            ("居民死亡医学证明（推断）书签发", True, ""),
            ("死亡人员户口注销", True, ""),
            ("基本殡葬服务费用减免", True, ""),
            ("丧葬补助金和抚恤金申领", True, ""),
            ("养老保险个人账户一次性待遇申领", False, "逝者有养老保险个人账户余额的"),
            ("死亡或宣告死亡提取住房公积金", False, "逝者有住房公积金账户的"),
            ("不动产继承登记", False, "需继承不动产的"),
        ],
    ),
    (
        "open-restaurant",
        "开办餐饮店一件事",
        "Opening a restaurant",
        "starting_business",
        ORG,
        "营业执照、食品经营许可、消防安全检查、户外招牌设置一次申请。",
        [
            ("企业设立登记", True, ""),
            ("食品经营许可证核发", True, ""),
            ("公众聚集场所投入使用营业前消防安全检查", False, "营业面积较大、属公众聚集场所的"),
            ("户外招牌设置备案", False, "设置户外招牌的"),
            ("新办纳税人涉税事项", True, ""),
        ],
    ),
    (
        "open-transport-company",
        "开办运输企业一件事",
        "Opening a road transport company",
        "starting_business",
        ORG,
        "营业执照、道路运输经营许可、车辆营运证一次办理。",
        [
            ("企业设立登记", True, ""),
            ("道路货物运输经营许可", True, ""),
            ("道路运输车辆营运证配发", True, ""),
        ],
    ),
    (
        "business-change",
        "企业信息变更一件事",
        "Business information change",
        "running_business",
        ORG,
        "营业执照变更后，税务、社保、医保、公积金等信息同步变更。",
        [
            ("企业变更登记", True, ""),
            ("变更税务登记", True, ""),
            ("单位医疗保险参保信息变更", False, "已参加医保的"),
            ("住房公积金单位信息变更", False, "已开立住房公积金账户的"),
            ("食品经营许可证变更", False, "持有食品经营许可证的"),
        ],
    ),
    (
        "business-deregistration",
        "企业注销一件事",
        "Business deregistration",
        "closing_business",
        ORG,
        "清税、社保、公积金注销与企业注销登记一网通办。",
        [
            ("清税证明开具", True, ""),
            ("单位社会保险注销登记", True, ""),
            ("住房公积金单位缴存注销", False, "开立过住房公积金账户的"),
            ("食品经营许可证注销", False, "持有食品经营许可证的"),
            ("企业注销登记", True, ""),
        ],
    ),
]


def _materials(spec: str) -> list[tuple[str, str]]:
    """``"key key?condition"`` to (key, condition) pairs."""
    pairs = []
    for item in spec.split():
        key, _, condition = item.partition("?")
        pairs.append((key, condition))
    return pairs


def _form(keys: str) -> dict[str, Any]:
    fields = []
    for key in dict.fromkeys(keys.split()):
        definition = {"key": key, **FIELDS[key], "required": True}
        if key in {"preferred_school", "agent_applies"}:
            definition["required"] = False
        fields.append(definition)
    return {"fields": fields}


def _code(department: Department, spec: S) -> str:
    return f"{department.code[2:8]}{spec.org[-5:]}{spec.kind[:1].upper()}{spec.seq:04d}"


def _certificate_types() -> dict[str, CertificateType]:
    """The types the catalogue names by key, the certificate demo's loaded first."""
    by_name = {ctype.name: ctype for ctype, _issuer, _values in certificates_demo._types()}
    types = {key: by_name[name] for key, name in CERTIFICATE_TYPES.items()}
    ministries = {key: code for key, (code, _name, _en) in certificates_demo.MINISTRIES.items()}
    for key, (code, name, name_en) in MINISTRIES.items():
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "area_code": "100000"}
        )
        ministries[key] = code
    for key, spec in EXTRA_CERTIFICATE_TYPES.items():
        ministry, seq, name, name_en, issuer, holder, rule, years, colour, fields = spec
        types[key], _created = CertificateType.objects.update_or_create(
            code=f"{ministries[ministry]}{seq:03d}",
            defaults={
                "name": name,
                "name_en": name_en,
                "defining_department": Department.objects.get(code=ministries[ministry]),
                "holder_kind": holder,
                "validity_rule": rule,
                "validity_years": years,
                "layout": {"colour": colour, "title": name},
                "fields": [
                    {"name": f, "label": label, "label_en": en, "type": t}
                    for f, label, en, t in fields
                ],
            },
        )
        types[key].issuing_departments.add(Department.objects.get(name=issuer))
    return types


@transaction.atomic
def load() -> str:
    departments = {d.code: d for d in Department.objects.all()}
    for org_code, name, name_en in EXTRA_DEPARTMENTS:
        code = department_code(org_code)
        departments[code], _created = Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    types = _certificate_types()
    for code, name, name_en in EXTRA_CATEGORIES:
        ServiceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    main_hall = ServiceHall.objects.filter(name=MAIN_HALL).order_by("pk").first()
    if main_hall is None:  # portal's demo makes it; loaded on its own, make it here
        main_hall = ServiceHall.objects.create(name=MAIN_HALL, address="广州市天河区天润路333号")
    halls = [main_hall]
    for name, address, area in HALLS:
        halls.append(
            ServiceHall.objects.update_or_create(
                name=name,
                defaults={
                    "address": address,
                    "area_code": area,
                    "opening_hours": "周一至周五 9:00-12:00，13:00-17:00",
                },
            )[0]
        )

    by_name: dict[str, Service] = {}
    for spec in SERVICES:
        department = departments[department_code(spec.org)]
        service = _load_service(spec, department, categories[spec.category], halls, types)
        by_name[spec.name] = service

    for order, (slug, name, name_en, event, applicant, description, members) in enumerate(BUNDLES):
        bundle, _created = Bundle.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "life_event": event,
                "applicant_kind": applicant,
                "description": description,
                "order": order,
            },
        )
        bundles.add_members(
            bundle,
            [(by_name[service], required, condition) for service, required, condition in members],
        )
    return (
        f"{len(SERVICES)} services of {len({s.org for s in SERVICES})} departments, "
        f"{len(BUNDLES)} bundles (一件事)"
    )


def _load_service(
    spec: S,
    department: Department,
    category: ServiceCategory,
    halls: list[ServiceHall],
    types: dict[str, CertificateType],
) -> Service:
    kind_result, result_name, certificate = spec.result
    service, _created = Service.objects.update_or_create(
        code=_code(department, spec),
        defaults={
            "name": spec.name,
            "name_en": spec.name_en,
            "description": spec.description,
            "department": department,
            "category": category,
            "kind": spec.kind,
            "applicant_kind": spec.applicant,
            "statutory_limit_days": spec.limits[0],
            "promised_limit_days": spec.limits[1],
            "visits_needed": spec.visits,
            "bookable": spec.bookable,
            "online": spec.online,
            "fee": spec.fee,
            "legal_basis": LEGAL_BASIS[category.code],
            "conditions": spec.conditions
            or (
                "依法登记的单位，由法定代表人或经办人申请。"
                if spec.applicant == ApplicantKind.ORGANISATION
                else "申请人本人或其委托的代理人。"
            ),
            "result_kind": kind_result,
            "result_name": result_name,
            "result_certificate_type": types[certificate] if certificate else None,
            "form_definition": _form(spec.fields),
        },
    )
    service.halls.set(halls[:1] + halls[1 + spec.seq % 3 : 2 + spec.seq % 3])
    keys = []
    for order, (key, condition) in enumerate(_materials(spec.materials)):
        name, form, certificate_key = MATERIALS[key]
        keys.append(key)
        MaterialRequirement.objects.update_or_create(
            service=service,
            key=key,
            defaults={
                "name": name,
                "requirement": MaterialRequirement.Requirement.CONDITIONAL
                if condition
                else MaterialRequirement.Requirement.REQUIRED,
                "condition": condition,
                "form": form,
                "certificate_type": types[certificate_key] if certificate_key else None,
                "order": order,
                "file_types": "pdf,jpg,png",
                "max_size_mb": 10,
            },
        )
    service.materials.exclude(key__in=keys).delete()
    service.review_steps.all().delete()
    roles = [StaffRole.REVIEWER, StaffRole.DEPARTMENT_ADMIN]
    ReviewStep.objects.bulk_create(
        ReviewStep(
            service=service,
            order=n,
            name=name,
            department=department,
            role=roles[min(n - 1, 1)] if len(spec.steps) > 1 else StaffRole.REVIEWER,
        )
        for n, name in enumerate(spec.steps, start=1)
    )
    return service

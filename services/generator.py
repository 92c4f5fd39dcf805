"""A large, plausible catalogue for benchmarks: thousands of services over many departments.

As in a real provincial catalogue, most services are the district offices' own copies of
the same matters: one in five generated services carries the name of a service of the demo
catalogue (the district's 个人社会保险参保登记), the others a real matter with an action that
fits it (a licence is issued, changed, renewed; a proof is issued; a benefit is claimed:
食品经营许可证延续, 参保缴费证明开具, never 社保缴费证明迁入), naming whom it concerns where
real catalogues do (职工基本医疗保险参保登记, 合伙企业设立登记), each offered by a district bureau
whose work it is (a proof of contributions by the district's 人力资源和社会保障局, never by its
公安分局), and named as such bureaus name them. The district lives in the department's name,
not in the service's. So search meets the vocabulary, lengths and overlaps of a real
catalogue, and a ranking test measures the ranking, not the generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from portal.demo import department_code
from portal.models import Department, ServiceCategory
from services import search
from services.models import MaterialRequirement, SearchToken, Service

CODE_PREFIX = "G"  # generated services' codes start with it; real codes start with a digit

DISTRICTS = [
    *("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区"),
    *("番禺区", "花都区", "南沙区", "从化区", "增城区"),
]
BUREAUS = [
    ("公安分局", "household-registration"),
    ("市场监督管理局", "business-registration"),
    ("人力资源和社会保障局", "social-insurance"),
    ("卫生健康局", "birth-and-health"),
    ("民政局", "civil-registration"),
    ("住房和城乡建设局", "real-estate"),
    ("交通运输局", "transport"),
    ("教育局", "education"),
    ("医疗保障局", "medical-insurance"),
    ("税务局", "tax"),
]
# The demo's categories whose services a district bureau of another category offers.
CATEGORY_BUREAU = {"food-licensing": "business-registration", "housing-fund": "real-estate"}
# Whose work a generated matter is, by a word in its name (the first that fits); the rest
# are the market regulator's.
SUBJECT_BUREAU: list[tuple[tuple[str, ...], str]] = [
    (("住房公积金",), "real-estate"),  # as the demo's housing-fund services (CATEGORY_BUREAU)
    (("医疗保险", "生育保险"), "medical-insurance"),
    (
        ("保险", "参保", "社会保障卡", "就业", "职业资格", "技能", "人力资源", "劳务"),
        "social-insurance",
    ),
    (
        ("户口", "身份证", "居住证", "驾驶", "行驶证", "犯罪", "危险化学品"),
        "household-registration",
    ),
    (("医", "护士", "出生", "预防接种", "放射", "卫生"), "birth-and-health"),
    (
        ("结婚", "残疾", "社会团体", "民办非企业", "津贴", "救助", "殡葬", "生活保障", "优待"),
        "civil-registration",
    ),
    (("不动产", "住房", "商品房", "建设", "建筑", "燃气", "消防", "招牌", "挖掘"), "real-estate"),
    (("运输", "网约车", "出租汽车", "船舶"), "transport"),
    (("教师", "学籍", "学校"), "education"),
    (("纳税", "发票"), "tax"),
]
LICENCE = ("核发", "变更", "延续", "注销", "补领", "换领")
LICENCES = [
    *("食品经营许可证", "药品经营许可证", "建筑工程施工许可证", "道路运输经营许可证"),
    *("社会保障卡", "居住证", "居民身份证", "机动车驾驶证", "机动车行驶证", "教师资格证"),
    *("职业资格证书", "残疾人证", "预防接种证", "烟草专卖零售许可证", "排污许可证"),
    *("取水许可证", "林木采伐许可证", "渔业捕捞许可证", "出版物经营许可证"),
    *("网络文化经营许可证", "娱乐场所经营许可证", "人力资源服务许可证"),
    *("劳务派遣经营许可证", "民办学校办学许可证", "燃气经营许可证", "城市道路挖掘许可证"),
    *("商品房预售许可证", "建设工程规划许可证", "建设用地规划许可证", "危险化学品经营许可证"),
    *("放射诊疗许可证", "医疗机构执业许可证", "动物防疫条件合格证", "兽药经营许可证"),
    *("种子生产经营许可证", "农药经营许可证", "网约车运输证", "出租汽车驾驶员从业资格证"),
    *("就业创业证", "优待证"),
]
# Matters as real catalogues name them: (whom they concern, what, actions); a name is the three
# run together. A licence is named by itself (食品经营许可证核发). A person's or a unit's
# insurance, housing fund, household and marriage matters name whom they concern first
# (职工基本医疗保险参保登记, 市外户口迁入, never 基本医疗保险参保登记 or 户口迁入); a business
# licence or title deed is issued by a registration and named by it (合伙企业设立登记, never
# 营业执照核发). A bare subject with an action matches an everyday word (医保, 户口, 营业执照) as
# its whole subject, which no real matter does, and outranked the city's own services.
MATTERS: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    (("",), tuple(LICENCES), LICENCE),
    (
        ("个人独资企业", "合伙企业", "农民专业合作社", "外商投资企业", "分公司"),
        ("",),
        ("设立登记", "变更登记", "注销登记", "备案"),
    ),
    (("",), ("不动产",), ("转移登记", "变更登记", "更正登记", "预告登记", "查封登记")),
    (
        ("",),
        ("医疗器械经营", "特种设备使用", "船舶", "社会团体", "民办非企业单位", "医师执业"),
        ("登记", "变更登记", "注销登记"),
    ),
    (("",), ("护士执业注册", "消防设计审查", "户外招牌设置"), ("", "变更", "注销")),
    (
        ("职工", "城乡居民", "灵活就业人员"),
        ("基本养老保险", "基本医疗保险"),
        ("参保登记", "待遇申领", "关系转移接续", "缴费证明开具"),
    ),
    (
        ("职工", "单位"),
        ("失业保险", "工伤保险", "生育保险"),
        ("参保登记", "待遇申领", "关系转移接续", "缴费证明开具"),
    ),
    (
        ("灵活就业人员", "个体工商户", "单位"),
        ("住房公积金",),
        ("缴存登记", "缴存基数调整", "个人账户封存", "缴存证明开具"),
    ),
    (("市外", "夫妻投靠", "大中专学生", "港澳居民回穗定居"), ("户口",), ("迁入", "迁出")),
    (
        ("内地居民同香港居民", "内地居民同台湾居民", "中国公民同外国人"),
        ("结婚登记", "离婚登记"),
        ("",),
    ),
    (
        ("",),
        ("出生医学证明", "无犯罪记录证明", "纳税证明", "参保缴费证明", "学籍证明"),
        ("开具", "查询"),
    ),
    (
        ("",),
        ("高龄津贴", "最低生活保障", "临时救助", "殡葬补贴", "创业担保贷款", "技能提升补贴"),
        ("申领", "资格认定", "发放查询"),
    ),
    (("",), ("发票",), ("领用", "代开", "缴销")),
]


def names(count: int, real: list[str]) -> list[str]:
    """``count`` service names: every fifth a real service's (a district's copy), the others a
    matter with an action that fits it, in turn."""
    made = [
        f"{holder}{subject}{action}"
        for holders, subjects, actions in MATTERS
        for subject in subjects
        for holder in holders
        for action in actions
    ]
    return [
        real[(n // 5) % len(real)] if real and n % 5 == 0 else made[n % len(made)]
        for n in range(count)
    ]


ENGLISH = {
    "营业执照": "business licence",
    "社会保障卡": "social security card",
    "住房公积金": "housing fund",
    "居住证": "residence permit",
}


@dataclass
class Generated:
    departments: int
    services: int
    tokens: int


def _bureau(name: str, category: str) -> str:
    """The category of the district bureau that offers a matter: a copy of a real service's
    that of the real one, a generated matter's by the words of its name."""
    if category:
        return CATEGORY_BUREAU.get(category, category)
    return next(
        (bureau for words, bureau in SUBJECT_BUREAU if any(w in name for w in words)),
        "business-registration",
    )


def _departments(count: int) -> list[tuple[Department, str]]:
    """District bureaus, every kind of bureau in turn, then the next district."""
    made = []
    for n in range(count):
        bureau, category = BUREAUS[n % len(BUREAUS)]
        district = DISTRICTS[(n // len(BUREAUS)) % len(DISTRICTS)]
        department, _created = Department.objects.update_or_create(
            code=department_code(f"MB2G{n:05d}"),
            defaults={"name": f"广州市{district}{bureau}"},
        )
        made.append((department, category))
    return made


@transaction.atomic
def generate(*, services: int = 7000, departments: int = 50, seed: int = 1) -> Generated:
    """Replace the generated part of the catalogue with ``services`` services."""
    rng = random.Random(seed)  # noqa: S311  (plausible data, not secrets)
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    if not categories:
        raise RuntimeError("no service categories: load the demo data first (manage.py demo)")
    fallback = next(iter(categories.values()))
    owners = _departments(departments)
    old = Service.objects.filter(code__startswith=CODE_PREFIX)
    SearchToken.objects.filter(service__in=old).delete()
    MaterialRequirement.objects.filter(service__in=old).delete()
    old.delete()
    real_rows = list(
        Service.objects.exclude(code__startswith=CODE_PREFIX)
        .order_by("code")
        .values_list("name", "category__code")
    )
    real_category = dict(real_rows)
    by_bureau: dict[str, list[tuple[Department, str]]] = {}
    for owner in owners:
        by_bureau.setdefault(owner[1], []).append(owner)
    turns: dict[int, int] = {}
    rows = []
    for n, name in enumerate(names(services, [name for name, _c in real_rows])):
        # Each bureau's matters go round its districts in turn; with too few departments for
        # every kind of bureau, round all of them.
        fitting = by_bureau.get(_bureau(name, real_category.get(name, "")), owners)
        turn = turns[id(fitting)] = turns.get(id(fitting), -1) + 1
        department, category_code = fitting[turn % len(fitting)]
        english = next((e for subject, e in ENGLISH.items() if subject in name), "")
        rows.append(
            Service(
                code=f"{CODE_PREFIX}{department.code[8:17]}{n:06d}",
                name=name,
                name_en=f"{english} {rng.choice(['issue', 'change', 'renewal'])}".strip(),
                description=f"{department.name}办理{name}，"
                f"申请人可{rng.choice(['网上申请', '预约到窗口办理', '到政务服务中心办理'])}。",
                department=department,
                category=categories.get(category_code, fallback),
                statutory_limit_days=20,
                promised_limit_days=rng.choice([1, 3, 5, 10]),
                visits_needed=rng.choice([0, 0, 1]),
                form_definition={
                    "fields": [
                        {
                            "key": "applicant_name",
                            "label": "申请人姓名",
                            "type": "person_name",
                            "required": True,
                        },
                        {
                            "key": "applicant_phone",
                            "label": "联系电话",
                            "type": "phone",
                            "required": True,
                        },
                    ]
                },
            )
        )
    created = Service.objects.bulk_create(rows, batch_size=1000)
    by_id = {d.pk: d for d, _c in owners}
    for service in created:
        service.department = by_id[service.department_id]
        service.category = categories.get(
            next(c for d, c in owners if d.pk == service.department_id), fallback
        )
    MaterialRequirement.objects.bulk_create(
        (
            MaterialRequirement(service=s, key=key, name=name, order=order)
            for s in created
            for order, (key, name) in enumerate(
                [("resident-id", "居民身份证"), ("application", "申请表")]
            )
        ),
        batch_size=2000,
    )
    tokens = 0
    for start in range(0, len(created), 500):
        tokens += search.index_services(created[start : start + 500])
    search.vocabulary.forget()  # the catalogue's size weighs words
    return Generated(departments=len(owners), services=len(created), tokens=tokens)

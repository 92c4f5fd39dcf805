"""A large, plausible catalogue for benchmarks: thousands of services over many departments.

Names combine real certificate and matter names with real actions (营业执照 + 变更登记), so
search meets the same vocabulary, lengths and overlaps as the real catalogue does.
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
SUBJECTS = [
    *("营业执照", "食品经营许可证", "药品经营许可证", "医疗器械经营备案", "建筑工程施工许可"),
    *("道路运输经营许可证", "社会保障卡", "居住证", "户口", "居民身份证", "机动车驾驶证"),
    *("机动车行驶证", "住房公积金", "基本养老保险", "基本医疗保险", "失业保险", "工伤保险"),
    *("生育保险", "不动产权证书", "教师资格证", "职业资格证书", "残疾人证", "结婚登记"),
    *("出生医学证明", "预防接种证", "烟草专卖零售许可证", "排污许可证", "取水许可"),
    *("林木采伐许可证", "渔业捕捞许可证", "出版物经营许可证", "网络文化经营许可证"),
    *("娱乐场所经营许可证", "人力资源服务许可证", "劳务派遣经营许可证", "民办学校办学许可证"),
    *("特种设备使用登记", "燃气经营许可证", "城市道路挖掘许可", "户外招牌设置"),
    *("商品房预售许可证", "建设工程规划许可证", "建设用地规划许可证", "消防设计审查"),
    *("危险化学品经营许可证", "放射诊疗许可", "医师执业注册", "护士执业注册"),
    *("医疗机构执业许可证", "动物防疫条件合格证", "兽药经营许可证", "种子生产经营许可证"),
    *("农药经营许可证", "船舶登记", "网约车运输证", "出租汽车驾驶员从业资格证"),
    *("社会团体登记", "民办非企业单位登记", "无犯罪记录证明", "纳税证明", "发票领用"),
    *("社保缴费证明", "公积金缴存证明", "学籍证明", "高龄津贴", "最低生活保障"),
    *("临时救助", "殡葬补贴", "优待证", "就业创业证", "创业担保贷款", "技能提升补贴"),
]
ACTIONS = [
    *("核发", "变更登记", "延续", "注销", "补领", "换领", "首次申请", "备案", "查询"),
    *("证明开具", "年度报告", "迁入", "迁出", "申领", "信息更正", "暂停", "恢复", "撤销"),
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


def _departments(count: int) -> list[tuple[Department, str]]:
    made = []
    for n in range(count):
        district = DISTRICTS[n % len(DISTRICTS)]
        bureau, category = BUREAUS[(n // len(DISTRICTS)) % len(BUREAUS)]
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
    rows = []
    for n in range(services):
        department, category_code = owners[n % len(owners)]
        subject = SUBJECTS[n % len(SUBJECTS)]
        action = ACTIONS[(n // len(SUBJECTS)) % len(ACTIONS)]
        district = department.name[3:6]
        english = ENGLISH.get(subject, "")
        rows.append(
            Service(
                code=f"{CODE_PREFIX}{department.code[8:17]}{n:06d}",
                name=f"{subject}{action}"
                if n < len(SUBJECTS) * len(ACTIONS)
                else f"{district}{subject}{action}",
                name_en=f"{english} {rng.choice(['issue', 'change', 'renewal'])}".strip(),
                description=f"{department.name}办理{subject}{action}，"
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
                            "type": "text",
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
    return Generated(departments=len(owners), services=len(created), tokens=tokens)

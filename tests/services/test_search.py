"""Catalogue search on a small catalogue: Chinese words, pinyin, initials, synonyms, English,
codes, partial matches; bad input."""

import pytest

from services import search
from services.models import SearchToken, Service
from tests.factories import DepartmentFactory, ServiceCategoryFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    market = DepartmentFactory(name="广州市市场监督管理局")
    hr = DepartmentFactory(name="广州市人力资源和社会保障局")
    business = ServiceCategoryFactory(code="business-registration", name="市场主体登记")
    insurance = ServiceCategoryFactory(code="social-insurance", name="社会保险")
    made = {}
    for code, name, name_en, department, category, description in [
        (
            "11440100MB2C90005A001",
            "个体工商户营业执照设立登记",
            "Sole proprietorship business licence registration",
            market,
            business,
            "",
        ),
        (
            "11440100MB2C90005A002",
            "食品经营许可证核发",
            "Food business licence",
            market,
            business,
            "从事食品销售和餐饮服务的经营者申请",
        ),
        (
            "11440100MB2C90005A003",
            "企业名称变更登记",
            "Company name change",
            market,
            business,
            "变更后换发营业执照",
        ),
        (
            "11440100MB2C90003A001",
            "社会保险登记",
            "Social insurance registration",
            hr,
            insurance,
            "",
        ),
        (
            "11440100MB2C90003A002",
            "社会保障卡申领",
            "Social security card application",
            hr,
            insurance,
            "",
        ),
        ("11440100MB2C90003A003", "失业保险金申领", "Unemployment benefit", hr, insurance, ""),
    ]:
        made[name] = ServiceFactory(
            code=code,
            name=name,
            name_en=name_en,
            department=department,
            category=category,
            description=description,
        )
    return made


def names(query):
    return [s.name for s in search.search(query)]


def test_a_chinese_word_inside_a_name_finds_the_service(catalogue):
    assert names("执照")[0] == "个体工商户营业执照设立登记"
    assert names("工商户营业执照") == ["个体工商户营业执照设立登记"]
    assert names("办理营业执照")[0] == "个体工商户营业执照设立登记"


def test_name_matches_rank_before_description_matches(catalogue):
    # 企业名称变更登记 mentions 营业执照 only in its description.
    assert names("营业执照") == ["个体工商户营业执照设立登记", "企业名称变更登记"]
    assert names("餐饮")[0] == "食品经营许可证核发"


def test_full_pinyin_and_pinyin_from_any_syllable_find_the_service(catalogue):
    assert names("yingyezhizhao")[0] == "个体工商户营业执照设立登记"
    assert names("zhizhao")[0] == "个体工商户营业执照设立登记"
    assert names("shehuibaoxian")[0] == "社会保险登记"


def test_pinyin_initials_find_the_service(catalogue):
    assert names("yyzz")[0] == "个体工商户营业执照设立登记"
    assert names("shbzk") == ["社会保障卡申领"]
    assert names("ＹＹＺＺ") == names("yyzz")  # full-width letters


def test_a_synonym_finds_the_service_named_the_other_way(catalogue):
    # 社保 means 社会保险; the card and the benefit follow through their category.
    assert names("社保")[:1] == ["社会保险登记"]
    assert names("社保卡") == ["社会保障卡申领"]
    assert "个体工商户营业执照设立登记" in names("工商登记")


def test_english_words_find_the_service(catalogue):
    # "business licence" is one English phrase: the business licence, not a food licence.
    assert names("business licence")[:1] == ["个体工商户营业执照设立登记"]
    assert "食品经营许可证核发" not in names("business licence")
    assert names("food licence")[:1] == ["食品经营许可证核发"]
    assert names("business license") == names("business licence")  # US and UK spelling
    assert names("Unemployment") == ["失业保险金申领"]


def test_the_service_code_finds_the_service_and_its_prefix_the_family(catalogue):
    assert names("11440100MB2C90003A002") == ["社会保障卡申领"]
    assert set(names("11440100mb2c90005")) == {
        "个体工商户营业执照设立登记",
        "食品经营许可证核发",
        "企业名称变更登记",
    }


def test_a_word_nothing_has_does_not_empty_the_result(catalogue):
    assert names("社会保险 登记 奶酪")[0] == "社会保险登记"
    assert names("失业保险金 巧克力 冰淇淋")[0] == "失业保险金申领"


def test_services_matching_more_of_the_query_rank_first(catalogue):
    assert names("社会保险 登记")[0] == "社会保险登记"
    assert names("失业 保险")[0] == "失业保险金申领"


@pytest.mark.parametrize("query", ["", "   ", "!!!?？。，", "😀😀", "\x00", "—", "的"])
def test_queries_without_words_find_nothing(catalogue, query):
    assert names(query) == []


def test_a_query_too_long_is_refused():
    with pytest.raises(search.QueryTooLong):
        search.parse_query("营" * (search.MAX_QUERY_LENGTH + 1))


def test_terms_are_capped_and_single_letters_typed_apart_are_one_run_of_initials():
    words = " ".join(f"w{n}" for n in range(20))
    assert len(search.parse_query(words)) == search.MAX_TERMS
    assert search.parse_query("y y z z") == ["yyzz"]
    assert search.parse_query(" ".join("abcdefghij" * 5)) == ["abcdefghij" * 5]


def test_results_come_in_two_queries_however_many_match(catalogue, django_assert_num_queries):
    for n in range(15):
        ServiceFactory(name=f"社会保险待遇申领{n}")
    search.parse_query("warm the vocabulary cache")
    with django_assert_num_queries(2):
        results = [
            (s.name, s.department.name, s.category.name)
            for s in search.search("社保").select_related("department", "category")
        ]
    assert len(results) == 18  # the card service too, through its category 社会保险


def test_tokens_follow_the_service_when_it_is_renamed(catalogue):
    service = catalogue["失业保险金申领"]
    service.name = "失业登记"
    service.save()
    assert not SearchToken.objects.filter(service=service, token="失业保险金申领").exists()
    assert names("syd") == ["失业登记"]
    assert SearchToken.objects.filter(service=service, token="失业登记").exists()


def test_unpublished_services_are_not_found(catalogue):
    Service.objects.filter(name="社会保险登记").update(is_published=False)
    assert "社会保险登记" not in names("社会保险")


def test_a_lone_character_is_glued_to_its_neighbour_or_dropped_beside_other_words():
    assert search.parse_query("残疾人证") == ["残疾人证"]
    assert search.parse_query("我要办理居住证") == ["居住证"]
    assert search.parse_query("证") == ["证"]
    # A lone verb kept apart from its object by filler meets it again (取公积金).
    assert search.parse_query("公积金怎么取") == ["取公积金"]
    assert search.parse_query("公积金怎么查") == ["公积金"]  # 查公积金 is no everyday phrase

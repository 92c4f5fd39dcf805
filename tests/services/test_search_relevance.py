"""Search on the demo catalogue as residents ask (issue 9): the relevance set's shares, and
the issue's own examples."""

from pathlib import Path

import pytest

from portal import demo as portal_demo
from services import demo, search
from services.search import relevance

pytestmark = pytest.mark.django_db

SET = Path(__file__).parent / "data" / "search_relevance.json"
# The levels reached (docs/adr/0011-search-ranking.md): tuned on "tune" only; "holdout" was
# measured once the tuning was done. A change that loses queries fails here.
TUNE_TOP3 = 0.99
HOLDOUT_TOP3 = 0.91
# The reviewer's probe of 2026-12-07 (tuned on, like "tune") and the holdout written beside it
# before search was changed (measured, never tuned on): 36% and 72% top-3 before.
PROBE_TOP3 = 0.97
PROBE_HOLDOUT_TOP3 = 0.96
# The second probe of 2026-12-07: 40 queries written before they were run (90% top-3 then, 95%
# after the day's changes) and 20 never tuned on (100%).
SECOND_PROBE_TOP3 = 0.95
SECOND_PROBE_HOLDOUT_TOP3 = 0.95


@pytest.fixture
def catalogue():
    portal_demo.load()
    demo.load()


def first(query, n=3):
    found = search.find(query)
    return [hit.item.name for hit in search.page(found, 0, n)]


def test_the_relevance_set_finds_an_expected_item_in_the_top_three(catalogue):
    shares = relevance.evaluate(relevance.load(SET))
    assert shares["tune"]["all"]["top3"] >= TUNE_TOP3, shares["misses"].get("tune")
    assert shares["holdout"]["all"]["top3"] >= HOLDOUT_TOP3
    assert shares["probe"]["all"]["top3"] >= PROBE_TOP3, shares["misses"].get("probe")
    assert shares["probe-holdout"]["all"]["top3"] >= PROBE_HOLDOUT_TOP3
    second = shares["probe-2026-12-07"]["all"]["top3"]
    assert second >= SECOND_PROBE_TOP3, shares["misses"].get("probe-2026-12-07")
    assert shares["probe-2026-12-07-holdout"]["all"]["top3"] >= SECOND_PROBE_HOLDOUT_TOP3


def test_one_unknown_word_or_filler_no_longer_empties_the_result(catalogue):
    assert first("开个奶茶店")[0] in {"开办餐饮店一件事", "小餐饮经营登记"}
    assert first("身份证过期了")[0] == "居民身份证换领"
    assert first("社保卡坏了")[0] == "社会保障卡补换"
    assert first("老公去世了公积金怎么取")[0] == "死亡或宣告死亡提取住房公积金"
    # The district is a boost, not a word every service must have.
    assert "个体工商户营业执照设立登记" in first("我在海珠区想开个小卖部要办哪些证")


def test_traditional_characters_pinyin_slips_and_english_variants(catalogue):
    assert first("醫療保險")[0] == "城乡居民基本医疗保险参保登记"
    assert first("戶口遷移")[0] == "市内户口迁移"
    assert first("yingye zhizao")[0] == "个体工商户营业执照设立登记"  # z for zh
    assert first("jiehun dengjin")[0] == "内地居民结婚登记"  # one letter too many
    assert first("driver's license renewal")[0] == "机动车驾驶证期满换证"
    assert first("driving licence renewal")[0] == "机动车驾驶证期满换证"
    assert first("Newborn")[0] == "新生儿出生一件事"  # a bundle's English name


def test_exact_pinyin_ranks_above_fuzzy_pinyin(catalogue):
    exact = search.find("zhuxiao")
    fuzzy = search.find("zuxiao")
    service = exact.services.ids[0]
    assert fuzzy.services.ids[0] == service
    assert exact.services.scores[service] > fuzzy.services.scores[service]
    # The same for an everyday word typed in pinyin: shebao (社保) over sebao.
    exact, fuzzy = search.find("shebao"), search.find("sebao")
    service = exact.services.ids[0]
    assert fuzzy.services.ids[0] == service
    assert exact.services.scores[service] > fuzzy.services.scores[service]
    # yyzz names the business licence itself before what it comes with (设立登记).
    assert first("yyzz")[0] == "个体工商户营业执照设立登记"


def test_life_events_bring_their_bundle_first(catalogue):
    for query, bundle in [
        ("宝宝出生", "新生儿出生一件事"),
        ("退休", "退休一件事"),
        ("家里老人去世", "身后一件事"),
    ]:
        found = search.find(query)
        hits = search.page(found, 0, 3)
        assert (hits[0].kind, hits[0].item.name, hits[0].leading) == ("bundle", bundle, True)


def test_the_common_case_ranks_before_the_narrower_one(catalogue):
    assert first("办身份证")[0] == "居民身份证申领"
    names = first("身份证", 5)
    assert names.index("居民身份证申领") < names.index("居民身份证换领")
    names = first("医保", 5)
    assert names.index("城乡居民基本医疗保险参保登记") < names.index("新生儿参加城乡居民医保")
    # The hygiene licence is only in the birth-and-health category: after every name match.
    names = first("出生", 20)
    assert names.index("公共场所卫生许可") > names.index("生育登记") > names.index("出生登记")
    assert first("社保")[0] == "个人社会保险参保登记"


def test_a_thing_the_catalogue_does_not_offer_finds_nothing(catalogue):
    assert search.find("办理护照签证加急").count == 0
    assert search.find("apply for a passport").count == 0


def test_an_unknown_thing_is_not_found_by_its_procedure_or_a_category_word(catalogue):
    # 登记, 备案, 报名, 缴纳 end many names: they say how, not what. 房屋出租 and 物业费 are in
    # no name, so 企业备案 is no answer; 交通 alone is only the transport services' category.
    for query in ["房屋出租登记备案", "宠物狗登记", "缴纳物业费", "交通违章罚款缴纳", "高考报名"]:
        assert search.find(query).count == 0, query
    # What the catalogue does name still counts beside an unknown word.
    assert first("社保卡不见了")[0].startswith("社会保障卡")
    assert first("买新房签了合同去哪里备案")[0] == "商品房买卖合同网签备案"


def test_a_transfer_of_something_else_does_not_find_the_property_services(catalogue):
    # 过户 alone names no thing: the demo has no vehicle transfer, so nothing is the answer.
    for query in ["二手车过户", "车辆过户", "过户"]:
        assert search.find(query).count == 0, query
    assert all(name.startswith("不动产") for name in first("房屋过户"))
    assert all(name.startswith("不动产") for name in first("房子过户"))


# Everyday short words and the city's own service they mean.
EVERYDAY = {
    "社保": "个人社会保险参保登记",
    "医保": "城乡居民基本医疗保险参保登记",
    "营业执照": "个体工商户营业执照设立登记",
    "户口": "市内户口迁移",
    "公积金": "住房公积金单位缴存登记",
    "结婚": "内地居民结婚登记",
    "身份证": "居民身份证申领",
    "社保卡": "社会保障卡申领",
}


def test_on_a_generated_catalogue_the_citys_own_service_leads_its_district_copies(catalogue):
    from services.generator import generate

    generate(services=1000, departments=50)
    found = search.find("社保")
    hits = search.page(found, 0, 20)
    assert (hits[0].item.name, hits[0].item.code[0]) == ("个人社会保险参保登记", "4")
    # Each copy is a district bureau's whose work it is, never the police's.
    copies = [h.item for h in hits if h.item.code.startswith("G")]
    assert copies and all("人力资源和社会保障局" in s.department.name for s in copies)
    # Generated matters do not outrank it by matching an everyday word as their whole subject.
    for query, name in EVERYDAY.items():
        top = [h.item for h in search.page(search.find(query), 0, 3) if h.kind == "service"]
        assert (name, "4") in [(s.name, s.code[0]) for s in top], (query, [s.name for s in top])


def test_the_word_that_names_the_thing_decides_and_generic_words_only_lift(catalogue):
    # 丢了, 换证, 转移, 证明 name an action or a kind of paper: a service matching only them
    # neither outranks nor joins the services the other word names.
    # (Services that have the thing in their text only still follow: 居民身份证补领 says 户口.)
    replacing = {"补领婚姻登记证"}
    transfers = {"住房公积金个人账户转移"}
    certificates = {"清税证明开具", "出生医学证明首次签发"}
    for query, leading, unrelated in [
        ("营业执照丢了", "个体工商户营业执照设立登记", replacing),
        ("户口本丢了", "市内户口迁移", replacing),
        ("居住证丢了", "居住证申领", replacing),
        ("社保转移", "个人社会保险参保登记", transfers),
        ("社保证明", "个人社会保险参保登记", certificates),
    ]:
        hits = search.page(search.find(query), 0, 50)
        names = [h.item.name for h in hits]
        assert names[0] == leading and not unrelated & set(names), (query, names)
    assert first("身份证换证")[0] == "居民身份证换领"
    # Alone, a generic word still finds what it names.
    assert "补领婚姻登记证" in first("补领", 5)


def test_filler_a_typing_slip_or_a_hyphen_never_empties_the_query(catalogue):
    assert first("孩子刚出生要办什么手续")[0] == "新生儿出生一件事"  # 孩子|刚|出生: 孩子出生
    assert first("公积金怎么取")[0].endswith("提取住房公积金")  # 取 meets 公积金 again
    assert first("结昏登记")[0] == "内地居民结婚登记"  # 昏 sounds as 婚
    assert first("身分证")[0].startswith("居民身份证")
    assert first("ID-card") == first("ID card")
    assert first("租房")[0] == "公共租赁住房申请"  # 租房子 without its 子


def test_pinyin_typed_in_syllables_reads_like_the_unspaced_form(catalogue):
    assert first("jia zhao") == first("jiazhao")
    assert first("jie hun deng ji")[0] == "内地居民结婚登记"
    # Syllables join into the everyday words they spell: shenfenzheng (身份证) buban (补办).
    assert first("shen fen zheng bu ban")[0] == "居民身份证补领"
    assert set(first("yingye zhizhao", 2)) == {"个体工商户营业执照设立登记", "企业设立登记"}


def test_umbrella_words_find_every_service_they_cover(catalogue):
    assert {"内地居民结婚登记", "内地居民离婚登记"} <= set(first("婚姻登记", 5))
    assert all(name.startswith("不动产") for name in first("房产证"))
    assert first("死亡")[0] == "身后一件事"
    assert set(first("business licence", 2)) == {"个体工商户营业执照设立登记", "企业设立登记"}


def test_junk_finds_nothing_and_suggests_nothing(catalogue):
    for query in [
        "无犯罪证明",
        "'; DROP TABLE services;--",
        "hk macau permit",
        "签证",
        "护照",
        "低保",
        "asdfgh",
        "<script>alert(1)</script>",
    ]:
        assert search.find(query).count == 0, query
        assert search.did_you_mean(query) == [], query
    # A slip of a known word is suggested when it finds nothing of its own.
    assert {"kind": "word", "text": "社会保险"} in search.did_you_mean("shebaoo")


# Everyday words whose things the demo does not offer (a vehicle transfer, the first licence).
NOT_IN_DEMO = {"过户", "二手车过户", "车辆过户", "汽车过户", "学车", "考驾照"}


def test_every_everyday_word_means_something_the_catalogue_says(catalogue):
    """An everyday word whose official words no name, keyword or text carries finds nothing
    (房产证 meant 不动产权证书 and 不动产登记; names say 不动产首次登记)."""
    from services.models import BundleSearchToken, SearchToken
    from services.search.text import TEXT_MARK, english_key, is_cjk

    words = search.vocabulary.load()

    def said(word):
        key = word if is_cjk(word) else english_key(word)
        return any(
            model.objects.filter(token__startswith=prefix).exists()
            for model in (SearchToken, BundleSearchToken)
            for prefix in (key, TEXT_MARK + key)
        )

    useless = [
        phrase
        for phrase, means in words.colloquial.items()
        if phrase not in NOT_IN_DEMO and not any(said(word) for word in means)
    ]
    assert useless == []


def test_a_known_word_typed_as_one_name_with_a_word_nothing_has_names_another_thing(catalogue):
    # 车辆年检 is a vehicle's inspection, not the transport company's 车辆营运证; 教师资格证 a
    # teacher's certificate, not the transport workers' 从业资格证: nothing, with suggestions.
    for query in ["车辆年检", "车辆违章", "教师资格证"]:
        assert search.find(query).count == 0, query
    # The catalogue's thing with an attribute or a step nothing names is still that thing.
    assert first("驾驶执照续期")[0] == "机动车驾驶证期满换证"
    assert "企业变更登记" in first("公司地址变更")
    assert first("失业救济金")[0] == "失业保险金申领"
    # A verb after the thing (不见, 提现) or a person before it (孩子) names no other thing.
    assert first("社保卡不见了")[0].startswith("社会保障卡")
    assert first("公积金提现")[0].endswith("提取住房公积金")
    assert first("孩子上学")[0] == "教育入学一件事"


def test_a_lone_verb_means_what_it_asks_for(catalogue):
    assert set(first("取住房公积金", 2)) == {
        "离休退休提取住房公积金",
        "死亡或宣告死亡提取住房公积金",
    }
    assert first("公积金怎么提")[0].endswith("提取住房公积金")
    # Inside a word it is no word of its own: 领取 stays whole.
    assert search.parse_query("领取退休金") == ["领取", "退休金"]


def test_words_typed_with_a_wrong_character_of_the_same_sound(catalogue):
    assert first("社保咔")[0].startswith("社会保障卡")  # 咔 for 卡
    assert first("户口签移")[0] == "市内户口迁移"  # 签 for 迁
    assert first("营业只照")[0] == "个体工商户营业执照设立登记"  # 只 for 执
    assert first("离昏")[0] == "内地居民离婚登记"
    # A real word is not read as another that sounds the same: 事业 is no slip of 失业.
    assert "失业" not in search.parse_query("事业单位")


def test_an_action_on_a_licence_finds_the_registration_that_issues_it(catalogue):
    # 营业执照 is the company's registration: its 注销 is 企业注销登记, never the food licence's.
    names = first("营业执照注销", 5)
    assert {"企业注销登记", "企业简易注销登记"} <= set(names)
    assert "食品经营许可证注销" not in names
    assert "补领婚姻登记证" not in first("营业执照丢了", 20)


def test_a_suggested_word_finds_something(catalogue):
    # 车辆过户 means 机动车转移登记, which the demo does not offer: suggesting it would lead to
    # another empty page.
    for query in ["二手车过户", "车辆违章", "车辆年检", "教师资格证", "结昏", "驾驶症"]:
        for suggestion in search.did_you_mean(query):
            if suggestion["kind"] == "word":
                assert search.find(suggestion["text"]).count, (query, suggestion)
    assert {"kind": "word", "text": "从业资格证"} in search.did_you_mean("教师资格证")

"""Need-word search (hall_app/domain/need_search.py) over six hand-made bundles, vector by
vector (docs/mutation.md): each query's hits whole (bundle, score, why, difference line),
the terms a bundle gives, the text helpers, and the rules around the ranking (the floor,
the limit, `keep`, ties, the 个体户 twin, look-alikes). tests/test_search.py and
tests/test_search_phrases.py hold the accuracy over the real catalog; these vectors are
small enough to run for every mutant.
"""

from __future__ import annotations

from typing import Any

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.need_search import (
    FILLER_CHARS,
    KIND_LABEL,
    SOUND_FACTOR,
    W_ITEM,
    W_KEYWORD,
    W_NAME,
    W_STAGE,
    Hit,
    NeedIndex,
    name_parts,
    normalise,
    strip_fillers,
)


def bundle(code: str, name: str, keywords: list[str], items: list[str], stage: str, complete: bool = True,
           differs: str | None = None) -> Bundle:
    return Bundle.model_validate({
        "code": code, "name": name, "kind": "个人", "lead_department": "部门", "source": "test", "version": 1,
        "life_stage": stage, "keywords": keywords, "complete": complete, "differs": differs,
        "items": [{"code": f"i{k}", "name": n, "department": "部门", "statutory_days": 5, "promised_days": 3,
                   "output": "结果"} for k, n in enumerate(items)],
        "materials": [{"code": "m1", "name": "材料", "spec": "规格", "items": ["i0"]}],
        "fields": [{"key": "f1", "label": "姓名"}],
    })


LONG = "死亡证明办理和户口注销及丧葬补助抚恤金领取一次办好不用来回跑"
BUNDLES = [
    bundle("newborn", "新生儿出生登记", ["生孩子", "上户口"], ["出生医学证明", "户口登记"], "出生",
           differs="新生儿落户"),
    bundle("noodle", "我要开面馆", ["开面馆", "小吃店"], ["食品经营许可", "营业执照"], "准入准营", differs="公司形式"),
    bundle("noodle_ind", "我要开面馆（个体户）", ["面馆个体"], ["个体工商户登记"], "准入准营", differs="个体户形式"),
    bundle("rental", "公租房申请", ["公租房", "廉租房"], ["住房保障资格审核"], "住房", complete=False),
    bundle("death", "身后一件事", ["我爸走了", "妈走了", "去世", LONG], ["死亡医学证明", "户口注销"], "身后"),
    bundle("retire", "退休", ["退休手续", "养老金"], ["养老保险待遇核定"], "养老"),
]
LONG_SHOWN = "关键词：" + LONG[:23] + "…"
NOODLES = [("noodle", 100, "名称：我要开面馆", "公司形式"), ("noodle_ind", 97, "名称：我要开面馆", "个体户形式")]


def hits(words: str, **kw: Any) -> list[tuple[str, int, str, str]]:
    """The hits of a fresh index: built inside the test, so a mutant of the index is in it."""
    return [(h.bundle.code, h.score, h.why, h.differs) for h in NeedIndex(BUNDLES).search(words, **kw)]


@pytest.mark.parametrize(("words", "expected"), [
    # a whole term in what was said
    ("生孩子", [("newborn", 100, "关键词：生孩子", "")]),
    ("我要开面馆", NOODLES), ("开面馆", NOODLES), ("开个面馆？", NOODLES),
    ("退休", [("retire", 100, "名称：退休", "")]),
    ("我爸走了", [("death", 100, "关键词：我爸走了", "")]),
    ("老汉走了怎么办", [("death", 100, "关键词：我爸走了", "")]),  # 老汉 is 爸; 怎么办 and 了 carry nothing
    # the individual form first only when 个体户 is said
    ("开个面馆个体户", [("noodle_ind", 100, "名称：我要开面馆（个体户）", "个体户形式"),
                  ("noodle", 62, "名称：我要开面馆", "公司形式")]),
    ("个体", [("noodle_ind", 60, "名称：我要开面馆（个体户）", "")]),
    # part of a term, typed inside it, or a run shared with it
    ("公租", [("rental", 90, "名称：公租房申请", "")]), ("租房", [("rental", 90, "名称：公租房申请", "")]),
    ("养老", [("retire", 90, "关键词：养老金", "")]),
    ("户口", [("newborn", 90, "关键词：上户口", ""), ("death", 72, LONG_SHOWN, "")]),
    ("死亡证明", [("death", 75, LONG_SHOWN, "")]),
    ("住房", [("rental", 46, "包含事项：住房保障资格审核", "")]),
    ("小吃店营业执照", [("noodle", 81, "关键词：小吃店", "")]),
    ("出生户口", [("newborn", 58, "关键词：上户口", "")]),
    # one character
    ("生", [("newborn", 60, "名称：新生儿出生登记", "")]), ("房", [("rental", 60, "名称：公租房申请", "")]),
    ("面", [("noodle", 60, "名称：我要开面馆", "公司形式"),
           ("noodle_ind", 57, "名称：我要开面馆（个体户）", "个体户形式")]),
    # a term's characters in order with others between
    ("妈昨天走", [("death", 47, "关键词：妈走了", "")]), ("妈昨天晚上突然走", []),
    # by sound: a homophone typo
    ("公组房", [("rental", 85, "名称：公租房申请（同音）", "")]),
    # pinyin: initials, whole, mixed, a longer phrase that holds a term's full pinyin
    ("gzf", [("rental", 100, "关键词：公租房（拼音）", "")]),
    ("gongzufang", [("rental", 100, "关键词：公租房（拼音）", "")]),
    ("xsecsdj", [("newborn", 100, "名称：新生儿出生登记（拼音）", "")]),
    ("xsecs", [("newborn", 85, "名称：新生儿出生登记（拼音）", "")]),
    ("kmg", [("noodle", 100, "名称：开面馆（拼音）", "公司形式"),
             ("noodle_ind", 97, "名称：开面馆（拼音）", "个体户形式")]),
    ("mianguan", [("noodle", 100, "名称：面馆（拼音）", "公司形式"),
                  ("noodle_ind", 97, "名称：面馆（拼音）", "个体户形式")]),
    ("woyaokaimianguan", [("noodle", 100, "名称：我要开面馆（拼音）", "公司形式"),
                          ("noodle_ind", 97, "名称：我要开面馆（拼音）", "个体户形式")]),
    ("woyaokaimianguanle", [("noodle", 84, "名称：我要开面馆（拼音）", "公司形式"),
                            ("noodle_ind", 81, "名称：我要开面馆（拼音）", "个体户形式")]),
    ("xsedj", []), ("g", []),
    # look-alikes: the same stage further down keeps its line; another stage there does not
    ("准入准营", [("noodle", 45, "阶段：准入准营", "公司形式"), ("noodle_ind", 42, "阶段：准入准营", "个体户形式")]),
    ("面馆养老金", [("retire", 70, "关键词：养老金", ""), ("noodle", 45, "名称：面馆", ""),
               ("noodle_ind", 42, "名称：面馆", "")]),
    # nothing to search for
    ("", []), ("  ，。 ", []), ("的了", []), ("怎么办手续", []), ("火箭", []),
])
def test_search(words: str, expected: list[tuple[str, int, str, str]]) -> None:
    assert hits(words) == expected


def test_limit_and_keep() -> None:
    # the look-alike line is for look-alikes shown: with one hit there is none
    assert hits("开面馆", limit=1) == [("noodle", 100, "名称：我要开面馆", "")]
    assert hits("开面馆", keep=lambda b: b.code != "noodle") == [("noodle_ind", 97, "名称：我要开面馆", "")]
    assert hits("公租房", keep=lambda b: b.complete) == []
    assert hits("gzf", keep=lambda b: b.complete) == []
    assert len(hits("户口", limit=1)) == 1


def test_ties_put_the_complete_bundle_first_then_the_code() -> None:
    twins = [bundle("b_open", "自来水开户", [], ["开户"], "水电", complete=False),
             bundle("c_done", "自来水开户", [], ["开户"], "水电"), bundle("a_done", "自来水开户", [], ["开户"], "水电")]
    index = NeedIndex(twins)
    assert [(h.bundle.code, h.score) for h in index.search("自来水开户")] == [("a_done", 100), ("c_done", 100),
                                                                            ("b_open", 100)]


SMALL_B = bundle("b", "庚辛", [], ["事项"], "阶段乙")


def test_hits_below_the_floor_are_left_out() -> None:
    index = NeedIndex([bundle("a", "甲乙丙丁戊己", [], ["事项"], "阶段甲"), SMALL_B])
    # b at 38 is above 0.45 × 77; at 80 (one more character of a said) it falls under
    assert [(h.bundle.code, h.score) for h in index.search("甲乙丙丁戊己庚辛")] == [("a", 77), ("b", 38)]
    assert [(h.bundle.code, h.score) for h in index.search("甲乙丙丁戊己庚辛", limit=1)] == [("a", 77)]
    index = NeedIndex([bundle("a", "甲乙丙丁戊己壬", [], ["事项"], "阶段甲"), SMALL_B])
    assert [(h.bundle.code, h.score) for h in index.search("甲乙丙丁戊己壬庚辛")] == [("a", 80)]


def test_a_hit_s_fields() -> None:
    hit = NeedIndex(BUNDLES).search("退休")[0]
    assert hit == Hit(BUNDLES[5], 100, "名称：退休") and hit.differs == ""


def one(name: str, words: str, keywords: list[str] | None = None) -> list[tuple[str, int, str]]:
    """The hits of an index of one bundle with nothing else to match (item 事项, stage 阶段)."""
    index = NeedIndex([bundle("only", name, keywords or [], ["事项"], "阶段")])
    return [(h.bundle.code, h.score, h.why) for h in index.search(words)]


@pytest.mark.parametrize(("name", "words", "expected"), [
    # two letters are enough to spell
    ("退休", "tx", [("only", 100, "名称：退休（拼音）")]), ("退休", "tu", [("only", 77, "名称：退休（拼音）")]),
    ("退休", "t", []), ("退休", "vv", []), ("退休", "vvvvvv", []),
    # a spelling from the start of a term counts more than one from its middle (the best start is kept)
    ("面条面馆", "mian", [("only", 69, "名称：面条面馆（拼音）")]),
    ("条面馆", "mian", [("only", 57, "名称：条面馆（拼音）")]),
    ("条条面馆", "guan", [("only", 54, "名称：条条面馆（拼音）")]),
    # a term's whole pinyin (four letters or more) inside a longer query
    ("户籍", "hujix", [("only", 80, "名称：户籍（拼音）")]), ("户籍", "xhuji", [("only", 80, "名称：户籍（拼音）")]),
    ("户籍", "huji", [("only", 100, "名称：户籍（拼音）")]), ("阿姨", "ayixx", []),
    ("户籍迁移", "wohujiqianyi", [("only", 82, "名称：户籍迁移（拼音）")]),
])
def test_pinyin_edges(name: str, words: str, expected: list[tuple[str, int, str]]) -> None:
    assert one(name, words) == expected


@pytest.mark.parametrize(("name", "words", "score"), [
    # a term of six characters or fewer, its characters in order with others between
    ("甲乙丙丁戊己", "甲乙丙丁戊x己", 53), ("甲乙丙丁戊己", "甲乙丙丁戊xxxx己", 31),
    ("甲乙丙丁戊己", "甲乙丙丁戊xxxxx己", 26),  # spread over len + 4 characters or more: not found so
    ("甲乙丙丁戊己庚", "甲乙丙丁戊己x庚", 50),  # seven characters: only the run 甲…己 counts
])
def test_a_short_term_with_others_between(name: str, words: str, score: int) -> None:
    assert one(name, words) == [("only", score, f"名称：{name}")]


def two(a: str, b: str, words: str) -> list[tuple[str, int, str]]:
    index = NeedIndex([bundle("a", a, [], ["事项"], "阶段"), bundle("b", b, [], ["事项"], "阶段")])
    return [(h.bundle.code, h.score, h.why) for h in index.search(words)]


def test_sound_only_when_the_words_do_not_match_well() -> None:
    assert two("公租房", "供足房", "公租房") == [("a", 100, "名称：公租房")]  # matched whole: no homophones
    assert one("公租房", "公组") == [("only", 76, "名称：公租房（同音）")]  # two characters are enough


def test_individual_said_as_个人户() -> None:
    assert [(h[0], h[1]) for h in hits("开面馆个人户")] == [("noodle_ind", 70), ("noodle", 67)]


def test_gapped_terms_edges() -> None:
    assert one("妈走了", "走妈") == []  # in order only
    assert one("妈走了", "妈x走xxxx走") == [("only", 17, "名称：妈走了")]  # the first 走 after 妈
    assert one("妈走了", "甲乙妈昨天走") == [("only", 18, "名称：妈走了")]  # the spread counts from 妈
    # every term found so is credited, in each bundle, also after one that is not
    assert two("妈走了", "爸走了", "妈爸昨走") == [("a", 33, "名称：妈走了"), ("b", 33, "名称：爸走了")]
    assert two("妈丙走", "妈走了", "妈昨天走") == [("b", 24, "名称：妈走了")]


def with_lines(bundles: list[Bundle], words: str) -> list[tuple[str, int, str, str]]:
    return [(h.bundle.code, h.score, h.why, h.differs) for h in NeedIndex(bundles).search(words)]


def test_look_alike_lines() -> None:
    # within 0.15 of the top: a look-alike whatever its stage
    assert with_lines([bundle("a", "甲乙", [], ["事项"], "阶段一", differs="差一"),
                       bundle("b", "甲丙", [], ["事项"], "阶段二", differs="差二")], "甲") == [
        ("a", 60, "名称：甲乙", "差一"), ("b", 60, "名称：甲丙", "差二")]
    # 0.46 under the top in the same stage: too far (0.4 at most), so no line for either
    assert with_lines([bundle("a", "甲乙", [], ["事项"], "阶段", differs="差一"),
                       bundle("b", "别的", [], ["甲乙丙"], "阶段", differs="差二")], "甲乙") == [
        ("a", 100, "名称：甲乙", ""), ("b", 54, "包含事项：甲乙丙", "")]
    # a look-alike without a line of its own shows none
    assert with_lines([bundle("a", "妈走了", [], ["事项"], "阶段", differs="差一"),
                       bundle("b", "爸走了", [], ["事项"], "阶段")], "妈爸昨走") == [
        ("a", 33, "名称：妈走了", "差一"), ("b", 33, "名称：爸走了", "")]


def test_more_edges() -> None:
    # a term passed over (its last character not said) does not end the look for the next one
    assert two("妈丙", "妈走了", "妈昨天走") == [("b", 30, "名称：妈走了")]
    # 组房 matches two of three characters: not enough, so homophones are looked for too
    assert two("公租房", "组房", "公组房") == [("a", 85, "名称：公租房（同音）"), ("b", 65, "名称：组房")]
    # "why" names the term explaining most of the query: 甲乙戊 gapped over three characters
    # (0.7 × 3) before 丙丁 said whole (1.0 × 2)
    assert one("丙丁", "甲乙己戊丙丁", keywords=["甲乙戊"]) == [("only", 57, "关键词：甲乙戊")]
    # pinyin of an item or a stage counts with its weight
    assert one("名称", "shixiang") == [("only", 60, "包含事项：事项（拼音）")]
    assert one("名称", "jieduan") == [("only", 45, "阶段：阶段（拼音）")]


def test_a_term_is_shown_whole_up_to_24_characters() -> None:
    k24 = "甲" * 12 + "乙" * 12
    assert one("名称", "甲甲", keywords=[k24]) == [("only", 72, f"关键词：{k24}")]
    assert one("名称", "甲甲", keywords=[k24 + "丙"]) == [("only", 72, f"关键词：{k24[:23]}…")]


def test_eight_hits_at_most_by_default() -> None:
    index = NeedIndex([bundle(f"b{k}", f"出生登记{k}", [], ["事项"], "阶段") for k in range(10)])
    assert len(index.search("出生登记")) == 8 and len(index.search("出生登记", limit=10)) == 10


# -- the terms of a bundle -----------------------------------------------------------------------


def test_the_terms_of_a_bundle() -> None:
    INDEX = NeedIndex(BUNDLES)
    assert [(t.text, t.kind, t.weight, t.key) for t in INDEX.terms[2]] == [
        ("我要开面馆（个体户）", "name", 1.0, "开面馆体户"), ("我要开面馆", "name", 1.0, "开面馆"),
        ("开面馆", "name", 1.0, "开面馆"), ("面馆", "name", 1.0, "面馆"), ("个体户", "name", 1.0, "体户"),
        ("面馆个体", "keyword", 1.0, "面馆体"), ("个体工商户登记", "item", 0.6, "体工商户登记"),
        ("准入准营", "stage", 0.45, "准入准营"),
    ]
    assert INDEX.terms[2][3].bigrams == frozenset({"面馆"})
    assert INDEX.terms[2][0].bigrams == frozenset({"开面", "面馆", "馆体", "体户"})
    # a term shorter than two characters once fillers are gone, or shown twice, is not kept
    assert [(t.text, t.key) for t in INDEX.terms[5]] == [
        ("退休", "退休"), ("退休手续", "退休"), ("养老金", "养老金"), ("养老保险待遇核定", "养老保险待遇核定"),
        ("养老", "养老")]
    short = NeedIndex([bundle("s", "我要", ["的了", "办", "AB", "ab", "申请"], ["手续办理"], "生")])
    assert [(t.text, t.kind, t.key) for t in short.terms[0]] == [("AB", "keyword", "ab")]
    assert (W_NAME, W_KEYWORD, W_ITEM, W_STAGE, SOUND_FACTOR) == (1.0, 1.0, 0.6, 0.45, 0.85)
    assert KIND_LABEL == {"name": "名称", "keyword": "关键词", "item": "包含事项", "stage": "阶段"}


def test_twins_and_character_weights() -> None:
    INDEX = NeedIndex(BUNDLES)
    assert INDEX._twins == {1}  # 我要开面馆 has 我要开面馆（个体户）
    assert NeedIndex(BUNDLES[2:])._twins == set()
    index = NeedIndex([bundle("a", "甲乙", [], ["事项"], "阶段"), bundle("b", "甲丙", [], ["事项"], "阶段")])
    import math
    assert index._char_weight["甲"] == pytest.approx(0.3 + math.log(3 / 3))
    assert index._char_weight["乙"] == pytest.approx(0.3 + math.log(3 / 2))
    assert index._char_weight["段"] == pytest.approx(0.3)  # in every bundle (its stage)


def test_the_pinyin_tables_are_built_once_in_the_background() -> None:
    index = NeedIndex(BUNDLES[:2])
    assert index._sound_index is None and index._syllables is None
    index.prepare_in_background()
    thread = index._preparing
    index.prepare_in_background()
    assert index._preparing is thread and thread is not None
    assert thread.name == "need-search-pinyin" and thread.daemon is True  # never holds the app open
    thread.join(timeout=60)
    assert not thread.is_alive() and index._sound_index and index._syllables is not None
    sounds, syllables = index._sound_index, index._syllables
    index.prepare()
    assert index._sound_index is sounds and index._syllables is syllables
    assert [(t.text, s, full) for t, s, full in index._syllables[0][:1]] == [
        ("新生儿出生登记", (("xin",), ("sheng",), ("er", "ren"), ("chu",), ("sheng",), ("deng", "de"), ("ji",)),
         "xinshengerchushengdengji")]  # the reading in context first, then the others
    assert (0, 0, 0) in index._pinyin_starts["xi"] and (0, 0, 0) in index._pinyin_starts["xs"]
    assert (0, 0, 1) in index._pinyin_starts["sh"] and (0, 0, 1) in index._pinyin_starts["se"]
    assert (0, 0, 2) in index._pinyin_starts["rc"] and (0, 0, 5) in index._pinyin_starts["dj"]
    # the last syllable starts only by its own first two letters (no syllable follows it)
    assert [h for h, starts in index._pinyin_starts.items() if (0, 0, 6) in starts] == ["ji"]


# -- the text helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "normal"), [
    (" 我要 开ＡＢ,面馆！_x ", "我要开ab面馆x"), ("Gong Zu Fang", "gongzufang"), ("", ""), ("，。！", ""),
    ("a_b-c", "abc"), ("１２３", "123"),
])
def test_normalise(text: str, normal: str) -> None:
    assert normalise(text) == normal


@pytest.mark.parametrize(("text", "stripped"), [
    ("老汉走了怎么办", "爸走"), ("娃儿上户口需要啥子材料", "孩子上户口"), ("小孩子读书", "孩子读书"),
    ("扯结婚证", "领结婚证"), ("我想咨询一下", ""), ("办理", ""), ("欠钱了", "债务"), ("屋头", ""),
    ("公租房", "公租房"), ("怎么样", ""), ("能不能申请", ""),
])
def test_strip_fillers(text: str, stripped: str) -> None:
    assert strip_fillers(text) == stripped


def test_filler_characters() -> None:
    assert frozenset("我要想办个了的吗呢啊吧把给在和与及啥咋哦嘛呀得") == FILLER_CHARS


@pytest.mark.parametrize(("name", "parts"), [
    ("我要开火锅店（个体户）", ["我要开火锅店（个体户）", "我要开火锅店", "开火锅店", "火锅店", "个体户"]),
    ("我要开办火锅店", ["我要开办火锅店", "开办火锅店", "火锅店", "办火锅店"]),
    ("开面馆(个体户)", ["开面馆(个体户)", "开面馆", "面馆", "个体户"]),
    ("不动产“带押过户”（二手房）（个人）", ["不动产“带押过户”（二手房）（个人）", "不动产带押过户", "二手房", "个人"]),
    ("退休", ["退休"]), ("（个体户）", ["（个体户）", "个体户"]), ("面馆（面馆）", ["面馆（面馆）", "面馆"]),
])
def test_name_parts(name: str, parts: list[str]) -> None:
    assert name_parts(name) == parts


def test_spans_of_the_query_in_a_term() -> None:
    grams = ["ab", "bc", "cx", "xb", "bc"]
    assert NeedIndex._spans("abcxbc", grams, "zabcz") == [(0, 3), (4, 6)]
    assert NeedIndex._spans("abcxbc", grams, "bc") == [(1, 3), (4, 6)]
    assert NeedIndex._spans("abcxbc", grams, "abcxbc") == [(0, 6)]
    assert NeedIndex._spans("abcxbc", grams, "q") == []
    assert NeedIndex._spans("abab", ["ab", "ba", "ab"], "ab") == [(0, 2), (2, 4)]
    assert NeedIndex._spans("abc", ["ab", "bc"], "abxbc") == [(0, 2), (1, 3)]  # runs may share a character

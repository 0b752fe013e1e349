"""`make_plan` on a small hand-made bundle, vector by vector (docs/mutation.md).

Each plan is compared whole: every item with its reason, every material with its
reason, status, items and note, every field, the answers in force, what the file
answered, what is still pending and the warnings. The bundle is tiny on purpose, so a
changed word, a dropped condition or a swapped argument in the planner shows here.
"""

from __future__ import annotations

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.planner import BASE_REASON, Applicant, Plan, make_plan


def _item(code: str, name: str, **extra: object) -> dict[str, object]:
    return {"code": code, "name": name, "department": "部门", "statutory_days": 5, "promised_days": 3,
            "output": "结果", **extra}


def _material(code: str, name: str, items: list[str], **extra: object) -> dict[str, object]:
    return {"code": code, "name": name, "spec": "规格", "items": items, **extra}


TINY = Bundle(
    code="tiny", name="小套餐", kind="个人", life_stage="出生", lead_department="部门", source="test", version=1,
    questions=[
        {"id": "local", "text": "是否本地出生？", "prefill": "has(出生证)"},
        {"id": "follow", "text": "随谁落户?", "kind": "choice", "choices": ["父", "母"], "ask_if": "local = 是"},
        {"id": "insured", "text": "是否参保", "prefill": "fact.insured = 是 and not has(退保单)"},
        {"id": "remote", "text": "是否异地办理", "ask_if": "fact.hukou = 外地 or has(居住证)"},
    ],
    items=[
        _item("base", "基础"),
        _item("birth", "出生登记", when="local = 是"),
        _item("ins", "参保登记", when="insured = 是", reason="因为已参保"),
        _item("mother", "随母落户", when="follow = 母", reason="随母亲落户"),
        _item("extra", "补充登记", when="false"),
    ],
    rules=[
        {"when": "local = 否", "reason": "外地出生", "add_items": ["extra"],
         "add_materials": ["copy"], "drop_materials": ["cert"]},
        {"when": "follow = 父", "drop_items": ["ins"], "add_materials": ["late"]},
        {"when": "follow = 父 and insured = 是", "reason": "因为随父且参保", "drop_materials": ["late"]},
        {"when": "insured = 否", "reason": "未参保", "drop_materials": ["gone"]},
        {"when": "insured = 否 and local = 是", "add_materials": ["gone"]},
    ],
    materials=[
        _material("cert", "出生证明", ["base", "birth", "mother"]),
        _material("copy", "出生证明复印件", ["base"], when="false"),
        _material("idcard", "身份证", ["base"], elicence="身份证"),
        _material("photo", "照片", ["birth"], requirement="deferrable"),
        _material("slip", "参保单", ["ins"], requirement="optional", when="insured = 是", reason="参保者提交"),
        _material("late", "随父声明", ["base"], when="false"),
        _material("gone", "退保说明", ["base"], when="false", reason="因为退保"),
        _material("orphan", "随母证明", ["mother"]),
        _material("notyet", "户口簿", ["base"], when="local = 是 and insured = 是"),
        _material("resid", "居住证明", ["base"], when="fact.hukou = 外地 or has(居住证)"),
    ],
    fields=[
        {"key": "name", "label": "姓名"},
        {"key": "mname", "label": "母亲姓名", "items": ["base"], "when": "follow = 母"},
        {"key": "insno", "label": "参保号", "items": ["ins", "mother"]},
    ],
)


def shape(plan: Plan) -> dict[str, object]:
    return {
        "items": [(p.item.code, p.reason) for p in plan.items],
        "materials": [(m.material.code, m.reason, m.status, m.items, m.note) for m in plan.materials],
        "fields": [(f.field.key, sorted(f.items)) for f in plan.fields],
        "without_merge": plan.fields_without_merge,
        "answers": dict(plan.answers),
        "prefilled": dict(plan.prefilled),
        "questions": [q.id for q in plan.questions],
        "pending": [q.id for q in plan.pending],
        "warnings": list(plan.warnings),
    }


BIRTH_REASON = "因为：是否本地出生：是"
CERT = ("cert", "办理基础、出生登记所需", "missing", ("base", "birth"), None)
IDCARD = ("idcard", "办理基础所需", "missing", ("base",), None)
PHOTO = ("photo", "办理出生登记所需", "missing", ("birth",), None)


def test_nothing_answered_plans_the_base_and_asks_the_first_questions():
    plan = make_plan(TINY, {})
    assert shape(plan) == {
        "items": [("base", BASE_REASON)],
        "materials": [("cert", "办理基础所需", "missing", ("base",), None), IDCARD],
        "fields": [("name", ["base"])],
        "without_merge": 1,
        "answers": {}, "prefilled": {},
        "questions": ["local", "insured"],  # follow is asked only after local = 是
        "pending": ["local", "insured"],
        "warnings": [],
    }
    assert make_plan(TINY, {}, None, None).materials == plan.materials


def test_local_father_insured():
    plan = make_plan(TINY, {"local": "是", "follow": "父", "insured": "是"})
    assert shape(plan) == {
        "items": [("base", BASE_REASON), ("birth", BIRTH_REASON)],  # ins dropped by the rule
        "materials": [CERT, IDCARD, PHOTO, ("notyet", "因为：是否本地出生：是，且是否参保：是", "missing",
                                           ("base",), None)],
        "fields": [("name", ["base", "birth"])],
        "without_merge": 2,
        "answers": {"local": "是", "follow": "父", "insured": "是"}, "prefilled": {},
        "questions": ["local", "follow", "insured"], "pending": [],
        "warnings": [],
    }


def test_local_father_not_insured_adds_with_the_rules_reason():
    plan = make_plan(TINY, {"local": "是", "follow": "父", "insured": "否"})
    assert shape(plan)["items"] == [("base", BASE_REASON), ("birth", BIRTH_REASON)]
    assert shape(plan)["materials"] == [
        CERT, IDCARD, PHOTO,
        ("late", "因为：随谁落户：父", "missing", ("base",), None),
        # dropped by "insured = 否", added back by the later rule: the later rule wins
        ("gone", "因为：是否参保：否，且是否本地出生：是", "missing", ("base",), None),
    ]


def test_local_mother_insured():
    plan = make_plan(TINY, {"local": "是", "follow": "母", "insured": "是"})
    assert shape(plan) == {
        "items": [("base", BASE_REASON), ("birth", BIRTH_REASON), ("ins", "因为已参保"),
                  ("mother", "因为：随母亲落户")],
        "materials": [
            ("cert", "办理基础、出生登记、随母落户所需", "missing", ("base", "birth", "mother"), None),
            IDCARD, PHOTO,
            ("slip", "因为：参保者提交", "missing", ("ins",), None),
            ("orphan", "办理随母落户所需", "missing", ("mother",), None),
            ("notyet", "因为：是否本地出生：是，且是否参保：是", "missing", ("base",), None),
        ],
        "fields": [("name", ["base", "birth", "ins", "mother"]), ("mname", ["base"]),
                   ("insno", ["ins", "mother"])],
        "without_merge": 7,
        "answers": {"local": "是", "follow": "母", "insured": "是"}, "prefilled": {},
        "questions": ["local", "follow", "insured"], "pending": [],
        "warnings": [],
    }


def test_born_elsewhere_the_rule_adds_an_item_and_swaps_the_material():
    plan = make_plan(TINY, {"local": "否", "follow": "母", "insured": "否"})
    assert shape(plan) == {
        "items": [("base", BASE_REASON), ("extra", "因为：外地出生")],
        # gone is dropped by "insured = 否" and not added back (local is 否)
        "materials": [("copy", "因为：外地出生", "missing", ("base",), None), IDCARD],
        "fields": [("name", ["base", "extra"])],
        "without_merge": 2,
        # the answer to follow (no longer asked) is kept out of the answers in force
        "answers": {"local": "否", "insured": "否"}, "prefilled": {},
        "questions": ["local", "insured"], "pending": [],
        "warnings": [],
    }


def test_the_file_answers_yes_no_questions_and_an_answer_overrules_it():
    applicant = Applicant(facts={"insured": "是"}, elicences=frozenset({"出生证"}))
    plan = make_plan(TINY, {}, applicant)
    assert shape(plan)["answers"] == {"local": "是", "insured": "是"}
    assert shape(plan)["prefilled"] == {"local": "据档案：已有电子证照“出生证”",
                                        "insured": "据档案：insured：是，且并非（已有电子证照“退保单”）"}
    assert shape(plan)["questions"] == ["local", "follow", "insured"]
    assert shape(plan)["pending"] == ["follow"]
    # an empty answer is no answer: the file still answers
    assert make_plan(TINY, {"local": "", "insured": ""}, applicant).prefilled == plan.prefilled
    overruled = make_plan(TINY, {"local": "否", "insured": "否"}, applicant)
    assert shape(overruled)["answers"] == {"local": "否", "insured": "否"}
    assert shape(overruled)["prefilled"] == {}
    # the fact alone, or the fact with the 退保单 on file, do not answer
    assert make_plan(TINY, {}, Applicant(facts={"insured": "否"})).prefilled == {}
    returned = Applicant(facts={"insured": "是"}, elicences=frozenset({"退保单"}))
    assert make_plan(TINY, {}, returned).prefilled == {}
    assert make_plan(TINY, {}, Applicant(elicences=frozenset({"出生证"}))).prefilled == {
        "local": "据档案：已有电子证照“出生证”"}


def test_a_question_asked_after_a_prefilled_answer_sees_it():
    applicant = Applicant(elicences=frozenset({"出生证"}))
    plan = make_plan(TINY, {"follow": "母"}, applicant)
    assert [p.item.code for p in plan.items] == ["base", "birth", "mother"]


def test_answers_outside_the_options_are_dropped_with_a_warning():
    plan = make_plan(TINY, {"local": "对", "insured": "是"})
    assert shape(plan)["answers"] == {"insured": "是"}
    assert shape(plan)["pending"] == ["local"]
    assert shape(plan)["warnings"] == ["问题“是否本地出生？”的答案“对”不是可选项，已忽略"]
    both = make_plan(TINY, {"local": "是", "follow": "父亲", "insured": "有"})
    assert both.warnings == ("问题“随谁落户?”的答案“父亲”不是可选项，已忽略",
                             "问题“是否参保”的答案“有”不是可选项，已忽略")
    assert [q.id for q in both.pending] == ["follow", "insured"]


MARK_CASES = [
    # (material, mark, elicences) -> (status, note)
    ("idcard", None, frozenset(), ("missing", None)),
    ("idcard", "handed_in", frozenset(), ("handed_in", None)),
    ("idcard", "missing", frozenset(), ("missing", None)),
    ("idcard", "deferred", frozenset(), ("missing", "此材料不属于可容缺材料")),
    ("idcard", "handed_in", frozenset({"身份证"}), ("exempt", "电子证照“身份证”在库，免于提交")),
    ("idcard", None, frozenset({"户口簿"}), ("missing", None)),
    ("photo", "deferred", frozenset(), ("deferred", None)),
    ("photo", "handed_in", frozenset(), ("handed_in", None)),
    ("photo", None, frozenset({"身份证"}), ("missing", None)),  # no e-licence stands in for it
    ("photo", "missing", frozenset(), ("missing", None)),
]


@pytest.mark.parametrize(("code", "mark", "elicences", "expected"), MARK_CASES)
def test_material_status_from_marks_and_elicences(code, mark, elicences, expected):
    marks = {} if mark is None else {code: mark}
    plan = make_plan(TINY, {"local": "是", "follow": "父", "insured": "是"}, Applicant(elicences=elicences), marks)
    planned = next(m for m in plan.materials if m.material.code == code)
    assert (planned.status, planned.note) == expected
    assert plan.warnings == ()


def test_an_unknown_mark_is_a_warning_and_counts_as_missing():
    plan = make_plan(TINY, {}, marks={"idcard": "lost", "cert": "handed_in"})
    assert plan.warnings == ("材料 idcard 的状态“lost”无效，按缺少处理",)
    assert [(m.material.code, m.status) for m in plan.materials] == [("cert", "handed_in"), ("idcard", "missing")]


SUGGESTED = [
    # marks -> missing, missing and not deferrable, deferred, the suggestion
    ({}, ["cert", "idcard", "photo"], ["cert", "idcard"], [], "notice"),
    ({"cert": "handed_in", "idcard": "handed_in"}, ["photo"], [], [], "defer"),
    ({"cert": "handed_in", "idcard": "handed_in", "photo": "deferred"}, [], [], ["photo"], "defer"),
    ({"cert": "handed_in", "idcard": "handed_in", "photo": "handed_in"}, [], [], [], "accept"),
]


@pytest.mark.parametrize(("marks", "missing", "hard", "deferred", "suggestion"), SUGGESTED)
def test_what_blocks_and_what_is_suggested(marks, missing, hard, deferred, suggestion):
    plan = make_plan(TINY, {"local": "是", "follow": "父", "insured": "否"}, marks={**marks, "late": "handed_in",
                                                                                   "gone": "handed_in"})
    assert [m.material.code for m in plan.missing] == missing
    assert [m.material.code for m in plan.missing_not_deferrable] == hard
    assert [m.material.code for m in plan.deferred] == deferred
    assert plan.suggested_decision() == suggestion


def test_an_optional_material_never_blocks_and_an_exempt_one_is_listed():
    plan = make_plan(TINY, {"local": "否", "insured": "是"}, Applicant(elicences=frozenset({"身份证"})),
                     {"copy": "handed_in"})
    assert [(m.material.code, m.status, m.blocking) for m in plan.materials] == [
        ("copy", "handed_in", False), ("idcard", "exempt", False), ("slip", "missing", False)]
    assert plan.missing == () and plan.suggested_decision() == "accept"
    assert [m.material.code for m in plan.exempt] == ["idcard"]
    assert plan.item_codes() == ["base", "ins", "extra"] and plan.material_codes() == ["copy", "idcard", "slip"]
    # mname (not asked: follow is not asked) is skipped, the field after it is not
    assert [(f.field.key, sorted(f.items)) for f in plan.fields] == [("name", ["base", "extra", "ins"]),
                                                                     ("insno", ["ins"])]
    assert plan.fields_without_merge == 4 and plan.fields_asked == 2
    assert plan.bundle is TINY


@pytest.mark.parametrize("applicant", [Applicant(facts={"hukou": "外地"}), Applicant(elicences=frozenset({"居住证"}))])
def test_questions_and_materials_asked_for_by_the_file(applicant):
    """Conditions on a fact or an e-licence, when asking a question and when planning."""
    plan = make_plan(TINY, {"local": "否"}, applicant)
    assert [q.id for q in plan.questions] == ["local", "insured", "remote"]
    assert [q.id for q in plan.pending] == ["insured", "remote"]
    resid = next(m for m in plan.materials if m.material.code == "resid")
    assert (resid.reason, resid.status) == ("因为：hukou：外地，或已有电子证照“居住证”", "missing")
    nobody = make_plan(TINY, {"local": "否"}, Applicant(facts={"hukou": "本地"}, elicences=frozenset({"身份证"})))
    assert [q.id for q in nobody.questions] == ["local", "insured"]
    assert "resid" not in nobody.material_codes()


def test_describe_keeps_a_latin_letter_and_reads_a_question_inside_not():
    from hall_app.domain.conditions import parse
    from hall_app.domain.planner import describe

    bundle = Bundle(code="x", name="x", kind="个人", life_stage="x", lead_department="x", source="x", version=1,
                    questions=[{"id": "last_x", "text": "身份证号末位是否为X？"}])
    assert describe(parse("last_x = 是"), bundle) == "身份证号末位是否为X：是"
    assert describe(parse("not last_x = 否"), bundle) == "并非（身份证号末位是否为X：否）"

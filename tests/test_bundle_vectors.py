"""The bundle definition (hall_app/domain/bundle.py) on tiny hand-made bundles, vector by
vector (docs/mutation.md): each refusal in its exact words with its field path, each
boundary on both sides, and what a valid bundle gives back (conditions parsed once, the
departments in order). Nothing here reads the shipped catalog, so it runs in a second.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from hall_app.domain import conditions as cond
from hall_app.domain.bundle import (
    FORM_LABELS,
    LIMITS,
    REQUIREMENT_LABELS,
    Bundle,
    DeferralPolicy,
    FieldDef,
    ItemDef,
    MaterialDef,
    QuestionDef,
    RuleDef,
)


def item(code: str = "i1", **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "事项", "department": "部门甲", "statutory_days": 5, "promised_days": 3,
            "output": "结果", **extra}


def material(code: str = "m1", items: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "材料", "spec": "规格", "items": items or ["i1"], **extra}


def bundle(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"code": "tiny", "name": "小套餐", "kind": "个人", "life_stage": "出生",
                            "lead_department": "部门甲", "source": "test", "version": 1,
                            "items": [item()], "materials": [material()]}
    data.update(over)
    return data


def errors(model: type, data: dict[str, Any]) -> list[tuple[str, str]]:
    """Each refusal as (field path, message), in pydantic's order."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in info.value.errors()]


def refusal(data: dict[str, Any]) -> str:
    """The one model-level refusal of a bundle (the references check), its words only."""
    found = errors(Bundle, data)
    assert len(found) == 1 and found[0][0] == "", found
    prefix = "Value error, "
    assert found[0][1].startswith(prefix)
    return found[0][1][len(prefix):]


# -- conditions -----------------------------------------------------------------------------


def test_a_broken_condition_is_quoted_with_the_parser_reason() -> None:
    assert errors(Conditional_, {"when": "a = "}) == [("when", "Value error, 条件“a =”有误：条件意外结束")]
    assert errors(RuleDef, {"when": "a ==", "add_items": ["x"]}) == [
        ("when", "Value error, 条件“a ==”有误：此处应为取值，实为 '='")]
    assert errors(QuestionDef, {"id": "q", "text": "问", "ask_if": "(x = 是"}) == [
        ("ask_if", "Value error, 条件“(x = 是”有误：条件意外结束")]
    assert errors(QuestionDef, {"id": "q", "text": "问", "prefill": "has("}) == [
        ("prefill", "Value error, 条件“has(”有误：条件意外结束")]


@pytest.mark.parametrize(("length", "shown"), [
    (80, None),  # shown whole
    (81, "……（共 81 字）"),
    (200, "……（共 200 字）"),
])
def test_a_long_broken_condition_is_cut_at_60_characters(length: int, shown: str | None) -> None:
    text = "a = " + "是" * (length - 5) + "("  # one character too many: "(" opens nothing
    assert len(text) == length
    (path, message), = errors(Conditional_, {"when": text})
    quoted = text if shown is None else text[:60] + shown
    assert path == "when" and message.startswith(f"Value error, 条件“{quoted}”有误：")


def test_conditions_are_parsed_once_and_kept() -> None:
    material_def = MaterialDef.model_validate(material(when="a = 是 and has(结婚证)"))
    assert material_def.when_node == cond.parse("a = 是 and has(结婚证)")
    assert MaterialDef.model_validate(material()).when_node is None
    assert errors(MaterialDef, material(when="")) == [("when", "Value error, 条件“”有误：条件为空")]
    question = QuestionDef.model_validate({"id": "q", "text": "问", "ask_if": "a = 否", "prefill": "has(户口簿)"})
    assert question.ask_node == cond.parse("a = 否") and question.prefill_node == cond.parse("has(户口簿)")
    bare = QuestionDef.model_validate({"id": "q", "text": "问"})
    assert bare.ask_node is None and bare.prefill_node is None
    assert RuleDef.model_validate({"when": "true", "drop_items": ["x"]}).when_node == cond.Const(True)


# -- items, questions, rules, fields, deferral ----------------------------------------------------


def test_a_promise_may_equal_the_law_but_not_exceed_it() -> None:
    assert ItemDef.model_validate(item(statutory_days=3, promised_days=3)).promised_days == 3
    assert errors(ItemDef, item(statutory_days=3, promised_days=4)) == [
        ("", "Value error, 承诺时限（4）不能长于法定时限（3）")]
    assert [p for p, _ in errors(ItemDef, item(statutory_days=3651, promised_days=0))] == ["statutory_days"]
    assert [p for p, _ in errors(ItemDef, item(promised_days=-1))] == ["promised_days"]
    assert ItemDef.model_validate(item(statutory_days=3650, promised_days=0)).statutory_days == 3650
    defaults = ItemDef.model_validate(item())
    assert (defaults.mailable, defaults.commitment, defaults.note, defaults.when, defaults.reason) == (
        False, False, None, None, None)


@pytest.mark.parametrize(("question", "expected"), [
    ({"choices": ["否", "是"]}, "是否题的选项固定为 [是, 否]，不必填写 choices"),
    ({"choices": ["是"]}, "是否题的选项固定为 [是, 否]，不必填写 choices"),
    ({"prefill": "a = 是"}, "prefill 只能依据电子证照 has(…) 或档案 fact.…，不能引用其他问题"),
    ({"prefill": "has(户口簿) or a = 是"}, "prefill 只能依据电子证照 has(…) 或档案 fact.…，不能引用其他问题"),
    ({"kind": "choice", "choices": ["甲", "乙"], "prefill": "has(户口簿)"}, "只有是否题可以由档案预填答案（prefill）"),
    ({"kind": "choice", "choices": ["甲"]}, "选择题至少需要两个选项"),
    ({"kind": "choice"}, "选择题至少需要两个选项"),
    ({"kind": "choice", "choices": ["甲", "乙", "甲"]}, "选项有重复"),
])
def test_question_refusals(question: dict[str, Any], expected: str) -> None:
    assert errors(QuestionDef, {"id": "q", "text": "问", **question}) == [("", f"Value error, {expected}")]


def test_questions_that_pass_and_their_options() -> None:
    yesno = QuestionDef.model_validate({"id": "q", "text": "问", "choices": ["是", "否"],
                                        "prefill": "fact.insured = 是 and not has(退保单)"})
    assert yesno.options == ["是", "否"] and yesno.kind == "yesno"
    assert QuestionDef.model_validate({"id": "q", "text": "问"}).options == ["是", "否"]
    choice = QuestionDef.model_validate({"id": "q", "text": "问", "kind": "choice", "choices": ["甲", "乙", "丙"]})
    assert choice.options == ["甲", "乙", "丙"]
    choice.options.append("丁")  # a copy: the definition is not changed through it
    assert choice.choices == ["甲", "乙", "丙"]
    assert [p for p, _ in errors(QuestionDef, {"id": "1q", "text": "问"})] == ["id"]
    assert QuestionDef.model_validate({"id": "_Q9", "text": "问"}).id == "_Q9"


def test_a_rule_must_add_or_drop_something() -> None:
    assert errors(RuleDef, {"when": "true"}) == [("", "Value error, 规则没有增减任何事项或材料")]
    for key in ("add_items", "drop_items", "add_materials", "drop_materials"):
        assert getattr(RuleDef.model_validate({"when": "true", key: ["x"]}), key) == ["x"]
    rule = RuleDef.model_validate({"when": "true", "add_items": ["x"]})
    assert (rule.reason, rule.drop_items, rule.add_materials, rule.drop_materials) == (None, [], [], [])


@pytest.mark.parametrize(("prefill", "ok"), [
    ("person.name", True), ("firm.uscc", True), ("elicence:结婚证.number", True), ("person.id_number", True),
    ("person.Name", False), ("people.name", False), ("person.", False), ("elicence:.number", False),
    ("elicence:结婚证.x.y", False), ("xperson.name", False), ("person.name ", True),  # stripped first
    ("person.name\nx", False), ("firm.uscc.x", False),
])
def test_a_field_prefill_names_its_source(prefill: str, ok: bool) -> None:
    data = {"key": "k", "label": "标签", "prefill": prefill}
    if ok:
        assert FieldDef.model_validate(data).prefill == prefill.strip()
    else:
        assert errors(FieldDef, data) == [
            ("prefill", "Value error, 预填来源应为 person.字段、firm.字段 或 elicence:证照名.字段")]


def test_field_defaults_and_choices() -> None:
    plain = FieldDef.model_validate({"key": "k", "label": "标签"})
    assert (plain.type, plain.required, plain.items, plain.prefill, plain.choices, plain.max_length) == (
        "text", True, [], None, [], None)
    assert errors(FieldDef, {"key": "k", "label": "标签", "type": "choice", "choices": ["甲"]}) == [
        ("", "Value error, 选择型字段至少需要两个选项")]
    assert FieldDef.model_validate({"key": "k", "label": "标签", "type": "choice", "choices": ["甲", "乙"]}).choices \
        == ["甲", "乙"]
    assert FieldDef.model_validate({"key": "k", "label": "标签", "choices": ["甲"]}).choices == ["甲"]
    assert FieldDef.model_validate({"key": "k", "label": "标签", "max_length": 2000}).max_length == 2000
    assert [p for p, _ in errors(FieldDef, {"key": "k", "label": "标签", "max_length": 2001})] == ["max_length"]
    assert [p for p, _ in errors(FieldDef, {"key": "k", "label": "标签", "max_length": 0})] == ["max_length"]


def test_material_defaults_and_bounds() -> None:
    m = MaterialDef.model_validate(material())
    assert (m.material, m.validity, m.requirement, m.elicence, m.form, m.copies) == (
        None, None, "required", None, "original", 1)
    assert MaterialDef.model_validate(material(copies=20)).copies == 20
    assert MaterialDef.model_validate(material(copies=0)).copies == 0
    assert [p for p, _ in errors(MaterialDef, material(copies=21))] == ["copies"]
    assert [p for p, _ in errors(MaterialDef, {**material(), "items": []})] == ["items"]
    assert MaterialDef.model_validate(material(elicence="证" * 200)).elicence == "证" * 200
    assert [p for p, _ in errors(MaterialDef, material(elicence="证" * 201))] == ["elicence"]


@pytest.mark.parametrize(("policy", "expected"), [
    ({"days": 2}, "提前提醒天数（2）应少于补交期限（2 个工作日）"),  # the default reminder, 2 days
    ({"days": 5, "remind_before_days": 6}, "提前提醒天数（6）应少于补交期限（5 个工作日）"),
    ({"days": 1, "remind_before_days": 1}, "提前提醒天数（1）应少于补交期限（1 个工作日）"),
])
def test_a_reminder_comes_before_the_deadline(policy: dict[str, Any], expected: str) -> None:
    assert errors(DeferralPolicy, policy) == [("", f"Value error, {expected}")]


def test_deferral_policies_that_pass() -> None:
    default = DeferralPolicy()
    assert (default.days, default.remind_before_days, default.grace_days, default.on_overdue) == (
        None, 2, 0, "terminate")
    assert DeferralPolicy.model_validate({"days": 3}).days == 3  # 2 days before a 3-day deadline
    assert DeferralPolicy.model_validate({"remind_before_days": 30}).remind_before_days == 30  # no deadline set
    assert DeferralPolicy.model_validate({"days": 1, "remind_before_days": 0}).days == 1
    assert Bundle.model_validate(bundle()).deferral == DeferralPolicy()


# -- the bundle's references ---------------------------------------------------------------------


def test_duplicates_are_named_by_kind_once_per_repeat() -> None:
    data = bundle(
        items=[item("i1"), item("i1"), item("i1")],
        questions=[{"id": "q", "text": "问"}, {"id": "q", "text": "问二"}],
        materials=[material("m1"), material("m1")],
        fields=[{"key": "k", "label": "甲"}, {"key": "k", "label": "乙"}],
    )
    assert refusal(data) == "事项编号重复：i1；事项编号重复：i1；问题编号重复：q；材料编号重复：m1；表单字段重复：k"


def test_a_condition_names_questions_that_exist_earlier_with_their_options() -> None:
    questions = [
        {"id": "a", "text": "甲？"},
        {"id": "b", "text": "乙？", "kind": "choice", "choices": ["父", "母"], "ask_if": "a = 是 and c = 是"},
        {"id": "c", "text": "丙？", "ask_if": "zz = 是 or a in (是, 也许) or fact.x = 1"},
    ]
    assert refusal(bundle(questions=questions)) == (
        "questions[1]（b）.ask_if：条件引用了排在其后的问题 c；"
        "questions[2]（c）.ask_if：条件引用了不存在的问题 zz；"
        "questions[2]（c）.ask_if：问题 a 没有选项“也许”（可选：是、否）"
    )


def test_every_condition_of_the_bundle_is_checked() -> None:
    questions = [{"id": "a", "text": "甲？", "kind": "choice", "choices": ["父", "母"]}]
    data = bundle(
        questions=questions,
        items=[item("i1", when="a = 叔"), item("i2", when="later = 是")],
        rules=[{"when": "a in (父, 姨)", "add_items": ["i9", "i1"], "drop_items": ["i8"],
                "add_materials": ["m9"], "drop_materials": ["m1", "m8"]}],
        materials=[material("m1", ["i1", "i7"], when="nope = 是")],
        fields=[{"key": "k", "label": "甲", "items": ["i2", "i6"], "when": "a = 哥"}],
    )
    assert refusal(data).split("；") == [
        "items[0]（i1）.when：问题 a 没有选项“叔”（可选：父、母）",
        "items[1]（i2）.when：条件引用了不存在的问题 later",
        "rules[0].when：问题 a 没有选项“姨”（可选：父、母）",
        "rules[0]：引用了不存在的事项 i9",
        "rules[0]：引用了不存在的事项 i8",
        "rules[0]：引用了不存在的材料 m9",
        "rules[0]：引用了不存在的材料 m8",
        "materials[0]（m1）.when：条件引用了不存在的问题 nope",
        "materials[0]（m1）.items：引用了不存在的事项 i7",
        "fields[0]（k）.when：问题 a 没有选项“哥”（可选：父、母）",
        "fields[0]（k）.items：引用了不存在的事项 i6",
    ]


def test_items_rules_materials_and_fields_may_name_any_question() -> None:
    """Unlike a question's ask_if, the others may name a question asked later, and facts."""
    data = bundle(
        questions=[{"id": "a", "text": "甲？"}, {"id": "b", "text": "乙？", "ask_if": "a = 是 and fact.kind = 企业"}],
        items=[item("i1", when="b = 是"), item("i2", when="fact.age != 18")],
        rules=[{"when": "b = 否", "drop_items": ["i2"]}],
        materials=[material("m1", ["i1", "i2"], when="a = 否")],
        fields=[{"key": "k", "label": "甲", "items": ["i2"], "when": "b = 是"}],
    )
    parsed = Bundle.model_validate(data)
    assert [i.code for i in parsed.items] == ["i1", "i2"]


@pytest.mark.parametrize(("empty", "label"), [("items", "事项"), ("materials", "材料"), ("fields", "表单字段")])
def test_a_complete_bundle_defines_items_materials_and_fields(empty: str, label: str) -> None:
    full = {"items": [item()], "materials": [material()], "fields": [{"key": "k", "label": "甲"}]}
    full[empty] = []
    if empty == "items":
        full["materials"] = []
        full["fields"] = [{"key": "k", "label": "甲"}]
    data = bundle(complete=True, **full)
    expected = [f"complete = true 的套餐必须定义{x}" for x, key in
                (("事项", "items"), ("材料", "materials"), ("表单字段", "fields")) if not full[key]]
    assert label in "".join(expected)
    assert refusal(data).split("；") == expected
    full[empty] = [item()] if empty == "items" else [material()] if empty == "materials" else [
        {"key": "k", "label": "甲"}]
    assert Bundle.model_validate(bundle(complete=False, items=[], materials=[], fields=[])).complete is False


def test_a_complete_bundle_with_everything_passes() -> None:
    data = bundle(complete=True, fields=[{"key": "k", "label": "甲"}])
    assert Bundle.model_validate(data).complete is True


# -- what a bundle gives back -------------------------------------------------------------------


def test_item_question_and_departments() -> None:
    parsed = Bundle.model_validate(bundle(
        lead_department="部门乙",
        cooperating_departments=["部门丙", "部门乙", "部门丁"],
        items=[item("i1", department="部门甲"), item("i2", department="部门丙"), item("i3", department="部门戊")],
        questions=[{"id": "a", "text": "甲？"}, {"id": "b", "text": "乙？"}],
    ))
    assert parsed.departments == ["部门乙", "部门丙", "部门丁", "部门甲", "部门戊"]
    assert parsed.item("i2").department == "部门丙" and parsed.item("i3").code == "i3"
    assert parsed.question("b").text == "乙？" and parsed.question("a").id == "a"
    with pytest.raises(StopIteration):
        parsed.item("nope")
    with pytest.raises(StopIteration):
        parsed.question("nope")


def test_strictness_unknown_keys_whitespace_and_freezing() -> None:
    assert [(p, m) for p, m in errors(Bundle, bundle(colour="红"))] == [("colour", "Extra inputs are not permitted")]
    parsed = Bundle.model_validate(bundle(name="  小套餐 "))
    assert parsed.name == "小套餐"
    with pytest.raises(ValidationError):
        parsed.name = "别的"  # type: ignore[misc]
    assert [p for p, _ in errors(Bundle, bundle(name="  "))] == ["name"]
    assert [p for p, _ in errors(Bundle, bundle(version=0))] == ["version"]
    assert [p for p, _ in errors(Bundle, bundle(kind="团体"))] == ["kind"]
    assert [p for p, _ in errors(Bundle, bundle(code="Tiny"))] == ["code"]
    assert [p for p, _ in errors(Bundle, bundle(source=""))] == ["source"]
    assert [p for p, _ in errors(Bundle, bundle(differs="字" * 41))] == ["differs"]
    assert Bundle.model_validate(bundle(differs="字" * 40)).differs == "字" * 40
    assert ItemDef.model_validate(item("a" * 64)).code == "a" * 64
    assert [p for p, _ in errors(ItemDef, item("a" * 65))] == ["code"]


# -- the size limits ---------------------------------------------------------------------------

def test_the_limits_themselves() -> None:
    assert LIMITS == {
        "file_bytes": 262144, "items": 40, "questions": 60, "rules": 100, "materials": 100, "fields": 100,
        "choices": 20, "keywords": 50, "departments": 30, "refs": 40, "text": 200, "long_text": 1000,
        "source": 4000, "condition": 1000,
    }
    assert FORM_LABELS == {
        "original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件", "electronic": "电子件"}
    assert REQUIREMENT_LABELS == {"required": "必交", "optional": "选交", "deferrable": "可容缺"}


@pytest.mark.parametrize(("key", "limit", "make"), [
    ("items", 40, lambda n: {"items": [item(f"i{k}") for k in range(n)], "materials": []}),
    ("questions", 60, lambda n: {"questions": [{"id": f"q{k}", "text": "问"} for k in range(n)]}),
    ("rules", 100, lambda n: {"rules": [{"when": "true", "add_items": ["i1"]}] * n}),
    ("materials", 100, lambda n: {"materials": [material(f"m{k}") for k in range(n)]}),
    ("fields", 100, lambda n: {"fields": [{"key": f"f{k}", "label": "甲"} for k in range(n)]}),
    ("keywords", 50, lambda n: {"keywords": ["词"] * n}),
    ("cooperating_departments", 30, lambda n: {"cooperating_departments": ["部门"] * n}),
])
def test_list_limits(key: str, limit: int, make: Any) -> None:
    assert len(getattr(Bundle.model_validate(bundle(**make(limit))), key)) == limit
    assert [p for p, _ in errors(Bundle, bundle(**make(limit + 1)))] == [key]


@pytest.mark.parametrize(("model", "data", "path", "limit"), [
    (Bundle, lambda s: bundle(name=s), "name", 200),
    (Bundle, lambda s: bundle(summary=s), "summary", 1000),
    (Bundle, lambda s: bundle(source=s), "source", 4000),
    (ItemDef, lambda s: item(note=s), "note", 1000),
    (ItemDef, lambda s: item(reason=s), "reason", 1000),
    (QuestionDef, lambda s: {"id": "q", "text": s}, "text", 200),
    (QuestionDef, lambda s: {"id": "q", "text": "问", "help": s}, "help", 1000),
    (FieldDef, lambda s: {"key": "k", "label": "甲", "prefill": "person." + "a" * (len(s) - 7)}, "prefill", 200),
])
def test_text_limits(model: type, data: Any, path: str, limit: int) -> None:
    assert model.model_validate(data("字" * limit)) is not None
    assert [p for p, _ in errors(model, data("字" * (limit + 1)))] == [path]


def test_condition_and_choice_and_ref_limits() -> None:
    long_condition = "a = " + "是" * 996
    assert len(long_condition) == 1000
    assert MaterialDef.model_validate(material(when=long_condition)).when == long_condition
    assert [p for p, _ in errors(MaterialDef, material(when=long_condition + "是"))] == ["when"]
    question = {"id": "q", "text": "问", "kind": "choice"}
    assert len(QuestionDef.model_validate({**question, "choices": [f"选{k}" for k in range(20)]}).choices) == 20
    assert [p for p, _ in errors(QuestionDef, {**question, "choices": [f"选{k}" for k in range(21)]})] == ["choices"]
    assert len(MaterialDef.model_validate(material(items=[f"i{k}" for k in range(40)])).items) == 40
    assert [p for p, _ in errors(MaterialDef, material(items=[f"i{k}" for k in range(41)]))] == ["items"]


# a Conditional alone: the shared `when` check, as items, materials and fields use it
Conditional_ = MaterialDef.__mro__[1]

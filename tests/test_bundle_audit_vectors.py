"""The bundle audit (hall_app/domain/bundle_audit.py) on tiny hand-made bundles, vector
by vector (docs/mutation.md): which questions count as used, which applicants are tried
(every mix, or the seeded sample past the bound), the answer sets in the intake's order,
what a dry run records, and each finding in its exact words. No files, no catalog:
`test_bundle_checks.py` runs the same checks through `bundles check`.
"""

from __future__ import annotations

from typing import Any

import pytest

from hall_app.domain import bundle_audit as audit
from hall_app.domain.bundle import Bundle
from hall_app.domain.bundle_audit import (
    MAX_APPLICANTS,
    MAX_COMBINATIONS,
    OTHER_FACT,
    DryRun,
    Finding,
    answer_sets,
    applicants,
    dry_run,
    findings,
    unused_questions,
)
from hall_app.domain.planner import Applicant


def item(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "事项" + code, "department": "部门", "statutory_days": 5, "promised_days": 3,
            "output": "结果", **extra}


def material(code: str, items: list[str], **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "材料" + code, "spec": "规格", "items": items, **extra}


def make(**over: Any) -> Bundle:
    data: dict[str, Any] = {"code": "tiny", "name": "小套餐", "kind": "个人", "life_stage": "出生",
                            "lead_department": "部门", "source": "test", "version": 1,
                            "items": [item("i1")], "materials": [material("m1", ["i1"])]}
    data.update(over)
    return Bundle.model_validate(data)


# a: yes/no; b: asked when a = 是; c: used by nothing; d: asked when b = 母
TINY = make(
    questions=[{"id": "a", "text": "甲？"},
               {"id": "b", "text": "乙？", "kind": "choice", "choices": ["父", "母"], "ask_if": "a = 是"},
               {"id": "c", "text": "丙？"},
               {"id": "d", "text": "丁？", "ask_if": "b = 母"}],
    items=[item("i1", when="a = 是"), item("i2", when="d = 是"), item("i3", when="false")],
    rules=[{"when": "b = 父", "add_materials": ["m2"]}, {"when": "a = 是 and a = 否", "drop_materials": ["m1"]}],
    materials=[material("m1", ["i1"], elicence="身份证"), material("m2", ["i1"], when="false"),
               material("m3", ["i3"])],
    fields=[{"key": "f1", "label": "姓名", "items": ["i1", "i2"]}, {"key": "f2", "label": "电话", "items": ["i1"]},
            {"key": "f3", "label": "地址", "items": ["i2"]}],
)
TINY_SETS = [
    {"a": "是", "b": "父", "c": "是"}, {"a": "是", "b": "父", "c": "否"},
    {"a": "是", "b": "母", "c": "是", "d": "是"}, {"a": "是", "b": "母", "c": "是", "d": "否"},
    {"a": "是", "b": "母", "c": "否", "d": "是"}, {"a": "是", "b": "母", "c": "否", "d": "否"},
    {"a": "否", "c": "是"}, {"a": "否", "c": "否"},
]


def test_the_bounds() -> None:
    assert (MAX_COMBINATIONS, MAX_APPLICANTS, OTHER_FACT) == (4096, 64, "（其他）")


# -- which questions are used -------------------------------------------------------------------


def test_a_question_counts_as_used_from_any_condition() -> None:
    bundle = make(
        questions=[{"id": f"u_{k}", "text": k} for k in ("item", "material", "field", "rule", "none")],
        items=[item("i1", when="u_item = 是")],
        materials=[material("m1", ["i1"], when="u_material = 否")],
        fields=[{"key": "f", "label": "字段", "when": "u_field = 是"}],
        rules=[{"when": "u_rule = 是", "drop_materials": ["m1"]}],
    )
    assert unused_questions(bundle) == [4]


def test_a_question_used_only_through_the_ask_if_of_a_used_question_counts_all_the_way_up() -> None:
    bundle = make(
        questions=[{"id": "q1", "text": "一"}, {"id": "q2", "text": "二", "ask_if": "q1 = 是"},
                   {"id": "q3", "text": "三", "ask_if": "q2 = 是"}, {"id": "q4", "text": "四", "ask_if": "q1 = 否"},
                   {"id": "q5", "text": "五"}, {"id": "q6", "text": "六", "ask_if": "q5 = 是"}],
        items=[item("i1", when="q3 = 是")],
    )
    # the ask_if of an unused question (q4, q6) makes nothing used
    assert unused_questions(bundle) == [3, 4, 5]
    assert unused_questions(TINY) == [2]
    assert unused_questions(make()) == []


# -- which applicants are tried ------------------------------------------------------------------


def test_e_licences_and_facts_come_from_every_condition() -> None:
    bundle = make(
        questions=[{"id": "a", "text": "甲", "ask_if": "has(X1) or fact.k = 2"},
                   {"id": "b", "text": "乙", "prefill": "not has(X2) and fact.j != 9"}],
        items=[item("i1", when="(has(X3) or a = 是) and fact.k in (1, 3)")],
        materials=[material("m1", ["i1"], when="not (has(X4))")],
        fields=[{"key": "f", "label": "字段", "when": "has(X5) and not (has(X6) or b = 是)"}],
        rules=[{"when": "has(X7) or fact.m = 甲", "drop_materials": ["m1"]}],
    )
    assert audit._elicences(bundle) == ["X1", "X2", "X3", "X4", "X5", "X6", "X7"]
    assert audit._facts(bundle) == {"j": ["9", OTHER_FACT], "k": ["1", "2", "3", OTHER_FACT],
                                    "m": ["甲", OTHER_FACT]}
    assert audit._elicences(TINY) == [] and audit._facts(TINY) == {}


def test_every_mix_in_order_when_there_are_few() -> None:
    bundle = make(rules=[{"when": "has(A) and fact.k = 1", "drop_materials": ["m1"]}])
    assert applicants(bundle) == ([
        Applicant(facts={"k": "1"}), Applicant(facts={}),
        Applicant(facts={"k": "1"}, elicences=frozenset({"A"})), Applicant(facts={}, elicences=frozenset({"A"})),
    ], True)
    assert applicants(TINY) == ([Applicant()], True)


def rules_on(names: list[str], *extra: str) -> list[dict[str, Any]]:
    return [{"when": f"has({n})", "add_materials": ["m1"]} for n in names] + [
        {"when": w, "add_materials": ["m1"]} for w in extra]


NAMES = [f"证{k}" for k in range(7)]


def test_64_mixes_are_tried_whole_and_128_sampled() -> None:
    people, every = applicants(make(rules=rules_on(NAMES[:6])))
    assert every and len(people) == 64 and len({p.elicences for p in people}) == 64
    assert people[0] == Applicant() and people[-1] == Applicant(elicences=frozenset(NAMES[:6]))
    people, every = applicants(make(rules=rules_on(NAMES)))
    assert not every and len(people) == MAX_APPLICANTS
    # none held, all held, then the sample seeded by the bundle's code (the same every run)
    assert [sorted(p.elicences) for p in people[:6]] == [
        [], NAMES, ["证3", "证4"], ["证2", "证5", "证6"], ["证5", "证6"], ["证2", "证3", "证5"]]
    assert applicants(make(rules=rules_on(NAMES)))[0] == people
    other_code = applicants(make(code="other", rules=rules_on(NAMES)))[0]
    assert other_code[:2] == people[:2] and other_code != people


def test_fact_values_multiply_the_mixes() -> None:
    # 2^5 e-licence mixes times 3 values of k (1, 2, other): 96, past the bound
    people, every = applicants(make(rules=rules_on(NAMES[:5], "fact.k in (1, 2)")))
    assert not every and len(people) == MAX_APPLICANTS
    assert [(sorted(p.elicences), dict(p.facts)) for p in people[:5]] == [
        ([], {"k": "1"}), (NAMES[:5], {}), (["证3", "证4"], {"k": "1"}), (["证3"], {"k": "1"}), (["证0", "证1"], {})]
    # 2^5 times 2 values of k (1, other): exactly the bound, every one
    people, every = applicants(make(rules=rules_on(NAMES[:5], "fact.k = 1")))
    assert every and len(people) == 64
    assert people[:2] == [Applicant(facts={"k": "1"}), Applicant(facts={})]


# -- the answer sets ----------------------------------------------------------------------------


def test_answer_sets_in_the_intake_order() -> None:
    assert list(answer_sets(TINY, Applicant(), 100)) == TINY_SETS
    assert list(answer_sets(TINY, Applicant(), 3)) == TINY_SETS[:3]
    assert list(answer_sets(TINY, Applicant(), 0)) == []
    assert list(answer_sets(make(), Applicant(), 5)) == [{}]


def test_an_ask_if_sees_the_applicant() -> None:
    bundle = make(questions=[{"id": "a", "text": "甲", "ask_if": "has(X) and fact.k = 1"}],
                  items=[item("i1", when="a = 是")])
    assert list(answer_sets(bundle, Applicant(facts={"k": "1"}, elicences=frozenset({"X"})), 9)) == [
        {"a": "是"}, {"a": "否"}]
    assert list(answer_sets(bundle, Applicant(facts={"k": "1"}), 9)) == [{}]
    assert list(answer_sets(bundle, Applicant(elicences=frozenset({"X"})), 9)) == [{}]


def test_a_sampled_answer_set_follows_the_ask_ifs() -> None:
    import random

    seen = [audit._sampled(TINY, Applicant(), random.Random(k)) for k in range(40)]
    assert all(s in TINY_SETS for s in seen)  # never d without b = 母, never b without a = 是
    assert {tuple(s) for s in seen} == {("a", "b", "c"), ("a", "b", "c", "d"), ("a", "c")}
    bundle = make(questions=[{"id": "a", "text": "甲", "ask_if": "has(X)"}], items=[item("i1", when="a = 是")])
    assert audit._sampled(bundle, Applicant(), random.Random(1)) == {}
    assert audit._sampled(bundle, Applicant(elicences=frozenset({"X"})), random.Random(1)) in ({"a": "是"}, {"a": "否"})
    bundle = make(questions=[{"id": "a", "text": "甲", "ask_if": "fact.k = 1"}], items=[item("i1", when="a = 是")])
    assert audit._sampled(bundle, Applicant(facts={"k": "2"}), random.Random(1)) == {}
    assert audit._sampled(bundle, Applicant(facts={"k": "1"}), random.Random(1)) in ({"a": "是"}, {"a": "否"})


# -- the dry run ---------------------------------------------------------------------------------


def test_a_whole_dry_run_records_every_plan() -> None:
    assert dry_run(TINY) == DryRun(
        combinations=8, exhaustive=True, rules_fired={0}, items_reached={"i1", "i2"},
        materials_asked={"m1", "m2"}, fields_asked={"f1", "f2", "f3"},
        dead_ends=[{"a": "否", "c": "是"}, {"a": "否", "c": "否"}],
        fields_saved=[0, 0, 1, 0, 1, 0, 0, 0],  # f1 serves i1 and i2: asked once, not twice
        exempt_max=1, item_counts=[1, 1, 2, 1, 2, 1, 0, 0],
    )
    assert dry_run(TINY, 8).exhaustive is True


def test_a_sampled_dry_run_keeps_half_in_order_and_samples_the_rest() -> None:
    run = dry_run(TINY, 5)  # 8 sets > 5: the first 2, then 3 drawn with the seed tiny:0
    assert run == DryRun(
        combinations=5, exhaustive=False, rules_fired={0}, items_reached={"i1"}, materials_asked={"m1", "m2"},
        fields_asked={"f1", "f2"}, dead_ends=[{"a": "否", "c": "否"}, {"a": "否", "c": "是"}, {"a": "否", "c": "否"}],
        fields_saved=[0, 0, 0, 0, 0], exempt_max=1, item_counts=[1, 1, 0, 0, 0],
    )
    assert dry_run(TINY, 7).combinations == 7 and dry_run(TINY, 7).exhaustive is False


def test_the_limit_is_shared_among_the_applicants_at_least_one_each() -> None:
    bundle = make(questions=[{"id": "a", "text": "甲"}], items=[item("i1", when="a = 是 or has(X) or has(Y)")])
    assert len(applicants(bundle)[0]) == 4
    run = dry_run(bundle, 8)  # two sets for each of 4 applicants
    assert (run.combinations, run.exhaustive) == (8, True)
    run = dry_run(bundle, 2)  # one each, drawn
    assert (run.combinations, run.exhaustive) == (4, False)
    run = dry_run(bundle, 5)  # 5 // 4 = 1 each
    assert (run.combinations, run.exhaustive) == (4, False)


def test_rules_fire_on_the_applicant_and_dead_ends_stop_at_five() -> None:
    bundle = make(
        questions=[{"id": f"q{k}", "text": f"问{k}"} for k in range(3)],
        items=[item("i1", when="q0 = 是 and q0 = 否")],
        rules=[{"when": "has(X) and fact.k = 1", "drop_materials": ["m1"]},
               {"when": "q1 = 是", "drop_materials": ["m1"]},
               {"when": "fact.k = 2 and fact.k = 1", "drop_materials": ["m1"]}],
        materials=[material("m1", ["i1"], elicence="证"), material("m2", ["i1"], elicence="证二")],
    )
    run = dry_run(bundle)
    assert run.rules_fired == {0, 1} and run.items_reached == set() and run.materials_asked == set()
    assert run.combinations == 2 * 3 * 8 and run.exempt_max == 0
    assert run.dead_ends == [{"q0": "是", "q1": "是", "q2": "是"}, {"q0": "是", "q1": "是", "q2": "否"},
                             {"q0": "是", "q1": "否", "q2": "是"}, {"q0": "是", "q1": "否", "q2": "否"},
                             {"q0": "否", "q1": "是", "q2": "是"}]


def test_the_most_materials_e_licences_can_exempt_in_one_plan() -> None:
    bundle = make(
        questions=[{"id": "a", "text": "甲"}],
        items=[item("i1"), item("i2", when="a = 是")],
        materials=[material("m1", ["i1"], elicence="证一"), material("m2", ["i2"], elicence="证二"),
                   material("m3", ["i2"]), material("m4", ["i1"], elicence="证三", when="a = 否")],
    )
    run = dry_run(bundle)
    assert run.exempt_max == 2 and run.item_counts == [2, 1] and run.dead_ends == []


# -- the findings ---------------------------------------------------------------------------------


UNUSED_C = "问题 c（丙？）没有被任何事项、规则、材料或字段的条件使用 / question used by no condition"


def test_findings_in_words() -> None:
    assert findings(TINY) == [
        Finding("questions[2]", UNUSED_C),
        Finding("rules[1]", "规则“a = 是 and a = 否”在任何答案组合下都不会生效，它增减的事项和材料永远用不上"
                            " / rule never fires"),
        Finding("items[2]", "事项 i3（事项i3）在任何答案组合下都不会进入办理清单 / item never reached"),
        Finding("materials[2]", "材料 m3（材料m3）在任何答案组合下都不会被要求 / material never asked"),
        Finding("items", "死路：答案 a=否，c=是 得到的办理清单没有任何事项 / dead end: no items"),
    ]


def test_findings_of_a_sampled_run_say_so() -> None:
    sampled = " （在 5 组抽样答案中）".strip()
    assert findings(TINY, dry_run(TINY, 5)) == [
        Finding("questions[2]", UNUSED_C),
        Finding("rules[1]", f"规则“a = 是 and a = 否”在任何答案组合下都不会生效{sampled}，它增减的事项和材料永远用不上"
                            " / rule never fires"),
        Finding("items[1]", f"事项 i2（事项i2）在任何答案组合下都不会进入办理清单{sampled} / item never reached"),
        Finding("items[2]", f"事项 i3（事项i3）在任何答案组合下都不会进入办理清单{sampled} / item never reached"),
        Finding("materials[2]", f"材料 m3（材料m3）在任何答案组合下都不会被要求{sampled} / material never asked"),
        Finding("items", "死路：答案 a=否，c=否 得到的办理清单没有任何事项 / dead end: no items"),
    ]


def test_a_dead_end_with_no_question_and_a_clean_bundle() -> None:
    bundle = make(items=[item("i1", when="has(X)")], materials=[material("m1", ["i1"])])
    assert findings(bundle) == [
        Finding("items", "死路：答案 （不答任何问题） 得到的办理清单没有任何事项 / dead end: no items")]
    assert findings(make()) == []
    assert findings(make(), DryRun(items_reached={"i1"}, materials_asked={"m1"})) == []  # the run given is used


@pytest.mark.parametrize("run", [DryRun(), DryRun(rules_fired={0}, items_reached={"i1"}, materials_asked={"m1"})])
def test_the_run_given_is_the_one_judged(run: DryRun) -> None:
    bundle = make(rules=[{"when": "true", "drop_materials": ["m1"]}])
    got = findings(bundle, run)
    assert [f.path for f in got] == ([] if run.rules_fired else ["rules[0]", "items[0]", "materials[0]"])

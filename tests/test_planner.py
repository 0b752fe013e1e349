"""The planner on the newborn flagship: reasons, recomputation, exemptions, merge."""

from bundles.loader import load_catalog
from hall_app.domain.planner import Applicant, make_plan

CATALOG = load_catalog()
NEWBORN = CATALOG.get("新生儿出生")
ALL_YES = {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
           "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是", "want_ss_card": "是"}
SEVEN = ["birth_certificate", "vaccination_certificate", "maternity_insurance", "household_registration",
         "medical_insurance_enrolment", "medical_insurance_payment", "social_security_card"]


def test_all_apply_gives_the_seven_items_with_reasons():
    plan = make_plan(NEWBORN, ALL_YES)
    assert plan.item_codes() == SEVEN
    assert all(p.reason for p in plan.items) and all(p.reason for p in plan.materials)
    assert dict(p and (p.item.code, p.reason) for p in plan.items)["maternity_insurance"].startswith("因为")
    assert plan.pending == ()


def test_none_apply_gives_fewer_items():
    answers = {"born_locally": "否", "both_local": "否", "one_local": "否", "parents_married": "否",
               "mother_employee_insured": "否", "want_medical_insurance": "否", "want_ss_card": "否"}
    plan = make_plan(NEWBORN, answers)
    assert plan.item_codes() == ["vaccination_certificate"]
    assert "follow" not in [q.id for q in plan.questions]  # not asked when nobody is local
    assert "pay_now" not in [q.id for q in plan.questions]


def test_changing_an_earlier_answer_recomputes_everything():
    plan = make_plan(NEWBORN, ALL_YES)
    changed = make_plan(NEWBORN, {**ALL_YES, "want_medical_insurance": "否"})
    assert "medical_insurance_enrolment" not in changed.item_codes()
    assert "medical_insurance_payment" not in changed.item_codes()  # depends on it
    assert "bank_card" not in changed.material_codes()
    assert "pay_now" not in changed.answers  # answer to a question no longer asked is not used
    assert len(changed.items) == len(plan.items) - 2


def test_rule_adds_a_material_with_its_reason():
    plan = make_plan(NEWBORN, {**ALL_YES, "born_locally": "否"})
    assert "birth_certificate" not in plan.item_codes()
    copy = next(m for m in plan.materials if m.material.code == "birth_certificate_copy")
    assert "不在本市助产机构出生" in copy.reason


def test_pending_questions_until_answered():
    plan = make_plan(NEWBORN, {"born_locally": "是"})
    assert [q.id for q in plan.pending][:2] == ["both_local", "parents_married"]
    assert "one_local" not in [q.id for q in plan.pending]


def test_elicences_exempt_paper_and_decision_follows_marks():
    applicant = Applicant(elicences=frozenset({"居民身份证", "居民户口簿", "结婚证", "分娩记录"}))
    plan = make_plan(NEWBORN, ALL_YES, applicant)
    exempt = {m.material.code for m in plan.exempt}
    assert exempt == {"parents_id_cards", "household_register", "marriage_certificate", "birth_medical_info"}
    assert plan.suggested_decision() == "defer"  # only the deferrable photo and bill are missing
    marks = {"maternity_bill": "handed_in", "baby_photo": "deferred"}
    assert make_plan(NEWBORN, ALL_YES, applicant, marks).suggested_decision() == "defer"
    marks["baby_photo"] = "handed_in"
    assert make_plan(NEWBORN, ALL_YES, applicant, marks).suggested_decision() == "accept"
    assert make_plan(NEWBORN, ALL_YES).suggested_decision() == "notice"


def test_non_deferrable_material_cannot_be_deferred():
    plan = make_plan(NEWBORN, ALL_YES, marks={"parents_id_cards": "deferred"})
    ids = next(m for m in plan.materials if m.material.code == "parents_id_cards")
    assert ids.status == "missing" and ids.note


def test_one_form_merges_fields():
    plan = make_plan(NEWBORN, ALL_YES)
    keys = [f.field.key for f in plan.fields]
    assert len(keys) == len(set(keys))
    assert plan.fields_asked == 14 and plan.fields_without_merge == 55
    fewer = make_plan(NEWBORN, {**ALL_YES, "want_medical_insurance": "否"})
    assert "insurance_grade" not in [f.field.key for f in fewer.fields]


def test_invalid_answer_is_ignored_with_a_warning():
    plan = make_plan(NEWBORN, {**ALL_YES, "follow": "随便"})
    assert "follow" not in plan.answers and any("随便" in w for w in plan.warnings)


def test_the_file_answers_what_it_knows_and_the_clerk_can_overrule_it():
    mother = Applicant(elicences=frozenset({"结婚证", "分娩记录"}))
    plan = make_plan(NEWBORN, {}, mother)
    assert plan.answers == {"born_locally": "是", "parents_married": "是"}
    assert set(plan.prefilled) == {"born_locally", "parents_married"}
    assert "结婚证" in plan.prefilled["parents_married"]
    assert "parents_married" not in [q.id for q in plan.pending]
    overruled = make_plan(NEWBORN, {"parents_married": "否"}, mother)
    assert overruled.answers["parents_married"] == "否" and "parents_married" not in overruled.prefilled
    assert "non_marital_statement" in overruled.material_codes()
    nothing_on_file = make_plan(NEWBORN, {})
    assert nothing_on_file.prefilled == {} and "parents_married" in [q.id for q in nothing_on_file.pending]


def test_prefill_is_only_for_yes_no_questions_decided_by_the_file():
    import pytest
    from pydantic import ValidationError

    from hall_app.domain.bundle import QuestionDef

    with pytest.raises(ValidationError, match="是否题"):
        QuestionDef(id="x", text="?", kind="choice", choices=["a", "b"], prefill="has(结婚证)")
    with pytest.raises(ValidationError, match="不能引用其他问题"):
        QuestionDef(id="x", text="?", prefill="y = 是")


def test_describe_reads_every_kind_of_condition_in_chinese():
    """The reason shown when a bundle's author wrote none (mutation survivors)."""
    from hall_app.domain.conditions import parse
    from hall_app.domain.planner import describe

    def said(text: str) -> str:
        return describe(parse(text), NEWBORN)

    assert said("born_locally = 是") == "新生儿是否在本市助产机构出生：是"
    assert said("born_locally != 是") == "新生儿是否在本市助产机构出生：不是是"
    assert said("born_locally in (是, 否)") == "新生儿是否在本市助产机构出生：是或否"
    assert said("fact.kind = 企业") == "kind：企业"
    assert said("has(结婚证)") == "已有电子证照“结婚证”"
    assert said("true") == "总是" and said("false") == "从不"
    assert said("not has(结婚证)") == "并非（已有电子证照“结婚证”）"
    assert said("true and false") == "总是，且从不" and said("true or false") == "总是，或从不"
    assert said("born_locally = 是 and not (fact.kind != 企业 or has(结婚证)) or true and false") == (
        "新生儿是否在本市助产机构出生：是，且并非（kind：不是企业，或已有电子证照“结婚证”），或总是，且从不")
    assert describe("x", NEWBORN) == "x"  # type: ignore[arg-type]

"""The eight flagship bundles, driven through the planner as a clerk would at the window.

For each flagship: an all-apply, a none-apply and a mixed set of answers with the exact
items and key materials they must yield; reasons on everything; recomputation when an
earlier answer changes; e-licences exempting paper; the merged form asking fewer fields.
Expected values are written out by hand from the bundle's meaning, not read back from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bundles.loader import load_catalog
from hall_app.domain.planner import BASE_REASON, Applicant, make_plan


@dataclass(frozen=True)
class Case:
    answers: dict[str, str]
    items: set[str]
    materials: set[str]  # must be in the plan
    not_materials: set[str] = field(default_factory=set)  # must not be in the plan


@dataclass(frozen=True)
class Flagship:
    code: str
    all_apply: Case
    none_apply: Case
    mixed: Case
    # (answer id, new value, items that must disappear, items that must appear), applied to `mixed`
    change: tuple[str, str, set[str], set[str]]
    # e-licences on file for the all-apply case → materials exempt / still to hand in
    elicences: frozenset[str]
    exempt: set[str]
    still_missing: set[str]


FLAGSHIPS = [
    Flagship(
        code="newborn",
        all_apply=Case(
            {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
             "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是", "want_ss_card": "是"},
            {"birth_certificate", "vaccination_certificate", "maternity_insurance", "household_registration",
             "medical_insurance_enrolment", "medical_insurance_payment", "social_security_card"},
            {"parents_id_cards", "household_register", "marriage_certificate", "birth_medical_info", "maternity_bill",
             "baby_photo", "bank_card"},
            {"non_marital_statement", "birth_certificate_copy"},
        ),
        none_apply=Case(
            {"born_locally": "否", "both_local": "否", "one_local": "否", "parents_married": "否",
             "mother_employee_insured": "否", "want_medical_insurance": "否", "want_ss_card": "否"},
            {"vaccination_certificate"},
            {"birth_medical_info"},
            {"parents_id_cards", "household_register", "birth_certificate_copy", "maternity_bill"},
        ),
        mixed=Case(
            {"born_locally": "否", "both_local": "否", "one_local": "是", "follow": "随母", "parents_married": "否",
             "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "否", "want_ss_card": "是"},
            {"vaccination_certificate", "maternity_insurance", "household_registration", "medical_insurance_enrolment",
             "social_security_card"},
            {"parents_id_cards", "household_register", "non_marital_statement", "birth_certificate_copy",
             "maternity_bill", "baby_photo"},
            {"marriage_certificate", "bank_card"},
        ),
        change=("one_local", "否", {"household_registration"}, set()),
        elicences=frozenset({"居民身份证", "居民户口簿", "结婚证", "分娩记录"}),
        exempt={"parents_id_cards", "household_register", "marriage_certificate", "birth_medical_info"},
        still_missing={"maternity_bill", "baby_photo"},
    ),
    Flagship(
        code="primary_school_enrolment",
        all_apply=Case(
            {"child_hukou": "外省市户籍", "parents_work": "单位就业", "housing": "自有住房",
             "property_owner": "祖父母或外祖父母", "marital": "离异", "born_in_city": "否", "vacc_local": "否",
             "special_needs": "是"},
            {"enrol_application", "hukou_check", "residence_permit_check", "property_check", "marriage_check",
             "birth_certificate_check", "vaccination_check", "social_insurance_check", "disability_check"},
            {"hukou_booklet_other", "guardian_id", "birth_certificate_paper", "property_certificate", "kinship_proof",
             "residence_permit", "labour_contract", "social_insurance_record", "divorce_certificate",
             "custody_document", "vaccination_booklet", "disability_certificate", "child_photo"},
            {"hukou_booklet", "birth_certificate", "rental_contract", "public_rental_contract", "marriage_certificate",
             "business_licence"},
        ),
        none_apply=Case(
            {"child_hukou": "本市户籍", "housing": "公租房", "marital": "其他", "born_in_city": "是",
             "special_needs": "否"},
            {"enrol_application", "hukou_check", "public_rental_check", "birth_certificate_check", "vaccination_check"},
            {"hukou_booklet", "guardian_id", "birth_certificate", "public_rental_contract", "guardian_statement"},
            {"residence_permit", "property_certificate", "rental_contract", "vaccination_booklet",
             "disability_certificate"},
        ),
        mixed=Case(
            {"child_hukou": "外省市户籍", "parents_work": "个体经营", "housing": "租住住房", "marital": "已婚",
             "born_in_city": "是", "vacc_local": "是", "special_needs": "否"},
            {"enrol_application", "hukou_check", "residence_permit_check", "rental_filing_check", "marriage_check",
             "birth_certificate_check", "vaccination_check", "business_licence_check"},
            {"hukou_booklet_other", "guardian_id", "birth_certificate", "rental_contract", "residence_permit",
             "business_licence", "marriage_certificate"},
            {"social_insurance_record", "labour_contract", "custody_document", "property_certificate"},
        ),
        change=("child_hukou", "本市户籍", {"residence_permit_check", "business_licence_check"}, set()),
        elicences=frozenset({"居民身份证", "居民户口簿", "不动产权证书", "离婚证", "残疾人证"}),
        exempt={"guardian_id", "property_certificate", "divorce_certificate", "disability_certificate"},
        # the child's hukou booklet and birth certificate were issued outside the city: no e-licence helps
        still_missing={"hukou_booklet_other", "birth_certificate_paper", "residence_permit", "custody_document"},
    ),
    Flagship(
        code="marriage_childbirth",
        all_apply=Case(
            {"hukou_status": "一方为本市户籍", "prior_marriage": "一方或双方再婚", "move_hukou": "是",
             "premarital_check": "是", "plan_birth": "是", "pregnant": "是"},
            {"marriage_registration", "hukou_move", "premarital_checkup", "birth_registration",
             "maternal_health_record"},
            {"both_id_cards", "hukou_booklet", "outside_hukou_booklet", "photos", "declaration", "prior_marriage_end",
             "household_head_consent", "pregnancy_proof"},
        ),
        none_apply=Case(
            {"hukou_status": "双方均非本市户籍", "prior_marriage": "双方均为初婚", "premarital_check": "否",
             "plan_birth": "否"},
            {"marriage_registration"},
            {"both_id_cards", "photos", "declaration"},
            {"hukou_booklet", "prior_marriage_end", "household_head_consent", "pregnancy_proof"},
        ),
        mixed=Case(
            {"hukou_status": "双方均为本市户籍", "prior_marriage": "双方均为初婚", "move_hukou": "否",
             "premarital_check": "否", "plan_birth": "是", "pregnant": "否"},
            {"marriage_registration", "marital_status_update", "birth_registration", "pregestational_checkup"},
            {"both_id_cards", "hukou_booklet", "photos", "declaration"},
            {"outside_hukou_booklet", "household_head_consent", "pregnancy_proof", "prior_marriage_end"},
        ),
        change=("move_hukou", "是", {"marital_status_update"}, {"hukou_move"}),
        elicences=frozenset({"居民身份证", "居民户口簿", "离婚证", "不动产权证书"}),
        exempt={"both_id_cards", "hukou_booklet", "prior_marriage_end", "property_certificate"},
        still_missing={"outside_hukou_booklet", "photos", "declaration"},
    ),
    Flagship(
        code="company_setup",
        all_apply=Case(
            {"entity_type": "有限责任公司", "premises": "租赁房屋", "legal_rep_present": "否", "want_seal": "是",
             "want_invoice": "是", "invoice_type": "税控纸质发票", "hire_staff": "是", "bank_appointment": "是"},
            {"business_licence", "seal_engraving", "tax_info_confirm", "invoice_application",
             "social_insurance_registration", "medical_insurance_registration", "housing_fund_account",
             "bank_account_appointment"},
            {"investor_ids", "articles", "lease_contract", "tax_staff_ids", "authorisation", "staff_roster"},
            {"partnership_agreement", "property_certificate", "cluster_agreement"},
        ),
        none_apply=Case(
            {"entity_type": "个人独资企业", "premises": "集群注册地址", "legal_rep_present": "是", "want_seal": "否",
             "want_invoice": "否", "hire_staff": "否", "bank_appointment": "否"},
            {"business_licence", "tax_info_confirm"},
            {"investor_ids", "cluster_agreement", "tax_staff_ids"},
            {"articles", "authorisation", "staff_roster", "lease_contract"},
        ),
        mixed=Case(
            {"entity_type": "合伙企业", "premises": "自有房屋", "legal_rep_present": "是", "want_seal": "否",
             "want_invoice": "是", "invoice_type": "税控纸质发票", "hire_staff": "否", "bank_appointment": "是"},
            {"business_licence", "seal_engraving", "tax_info_confirm", "invoice_application",
             "bank_account_appointment"},
            {"investor_ids", "partnership_agreement", "property_certificate", "tax_staff_ids"},
            {"articles", "authorisation", "staff_roster"},
        ),
        # 数电发票 needs no 发票专用章: the seal the rule added goes away
        change=("invoice_type", "数电发票", {"seal_engraving"}, set()),
        elicences=frozenset({"居民身份证", "房屋租赁合同备案"}),
        exempt={"investor_ids", "tax_staff_ids", "lease_contract"},
        still_missing={"articles", "authorisation"},
    ),
    Flagship(
        code="employee_retirement",
        all_apply=Case(
            {"declarant": "单位代为申报", "retire_type": "因病提前退休", "pension_years_ok": "是", "veteran": "是",
             "medical_years_ok": "否", "has_fund": "是", "fund_loan": "是", "use_ss_card": "否"},
            {"retirement_approval", "pension_calculation", "labour_ability_assessment", "medical_insurance_retiree",
             "medical_insurance_topup", "housing_fund_withdrawal"},
            {"id_card", "hukou_booklet", "personnel_file", "ss_card", "bank_card", "photo", "medical_records",
             "veteran_certificate", "employer_licence", "employer_form", "loan_settlement"},
            {"flexible_application", "special_job_proof"},
        ),
        none_apply=Case(
            {"declarant": "本人申报", "retire_type": "达到法定退休年龄", "pension_years_ok": "是", "veteran": "否",
             "medical_years_ok": "是", "has_fund": "否", "use_ss_card": "是"},
            {"retirement_approval", "pension_calculation", "medical_insurance_retiree"},
            {"id_card", "hukou_booklet", "personnel_file", "ss_card", "photo"},
            {"bank_card", "employer_licence", "veteran_certificate", "loan_settlement", "medical_records"},
        ),
        mixed=Case(
            {"declarant": "本人申报", "retire_type": "特殊工种提前退休", "pension_years_ok": "否", "veteran": "否",
             "medical_years_ok": "是", "has_fund": "是", "fund_loan": "否", "use_ss_card": "是"},
            {"retirement_approval", "extend_contribution", "medical_insurance_retiree", "housing_fund_withdrawal"},
            {"id_card", "personnel_file", "ss_card", "special_job_proof"},
            {"loan_settlement", "bank_card", "employer_form"},
        ),
        change=("pension_years_ok", "是", {"extend_contribution"}, {"pension_calculation"}),
        elicences=frozenset({"居民身份证", "居民户口簿", "社会保障卡", "退役军人证", "营业执照"}),
        exempt={"id_card", "hukou_booklet", "ss_card", "veteran_certificate", "employer_licence"},
        still_missing={"personnel_file", "employer_form", "medical_records", "bank_card"},
    ),
    Flagship(
        code="after_death",
        all_apply=Case(
            {"death_place": "家中正常死亡", "deceased_local": "是", "pension": "领取企业职工养老金",
             "medical_insured": "是", "has_fund": "是", "veteran": "是", "relation": "配偶", "other_heirs": "是"},
            {"death_certificate", "hukou_cancellation", "cremation", "funeral_fee_waiver", "pension_benefits",
             "medical_insurance_termination", "ss_card_cancellation", "housing_fund_withdrawal", "veteran_pension"},
            {"applicant_id", "deceased_id", "deceased_hukou_booklet", "cremation_certificate", "marriage_certificate",
             "heirs_agreement", "payee_bank_card", "veteran_certificate"},
            # died at home: the certificate is issued inside this bundle, not asked of the family
            {"death_medical_certificate", "police_death_proof", "kinship_proof", "relative_authorisation"},
        ),
        none_apply=Case(
            {"death_place": "医疗机构内", "deceased_local": "否", "pension": "未参保", "medical_insured": "否",
             "has_fund": "否", "veteran": "否", "relation": "子女"},
            {"cremation", "ss_card_cancellation"},
            {"applicant_id", "death_medical_certificate", "deceased_ss_card"},
            {"deceased_id", "payee_bank_card", "kinship_proof", "cremation_certificate", "heirs_agreement"},
        ),
        mixed=Case(
            {"death_place": "非正常死亡", "deceased_local": "是", "pension": "在职参保未退休", "medical_insured": "是",
             "has_fund": "否", "veteran": "否", "relation": "其他亲属", "other_heirs": "否"},
            {"hukou_cancellation", "cremation", "funeral_fee_waiver", "pension_account_inheritance",
             "medical_insurance_termination", "ss_card_cancellation"},
            {"applicant_id", "deceased_id", "police_death_proof", "cremation_certificate", "relative_authorisation",
             "payee_bank_card"},
            {"death_medical_certificate", "marriage_certificate", "kinship_proof", "heirs_agreement"},
        ),
        change=("deceased_local", "否", {"hukou_cancellation", "funeral_fee_waiver"}, set()),
        elicences=frozenset({"居民身份证", "居民户口簿", "火化证明", "结婚证", "退役军人证"}),
        exempt={"applicant_id", "deceased_hukou_booklet", "cremation_certificate", "marriage_certificate",
                "veteran_certificate"},
        still_missing={"deceased_id", "heirs_agreement", "payee_bank_card"},
    ),
    Flagship(
        code="second_hand_housing",
        all_apply=Case(
            {"payment": "组合贷款", "seller_mortgage": "是", "seller_marital": "已婚", "all_present": "否",
             "supervise_funds": "是", "buyer_first_home": "是", "utilities": "是", "has_gas": "是"},
            {"contract_filing", "fund_supervision", "tax_declaration", "mortgage_cancellation",
             "transfer_registration", "fund_loan", "mortgage_registration", "water_transfer", "power_transfer",
             "gas_transfer"},
            {"parties_ids", "property_certificate", "seller_marriage_certificate", "spouse_consent",
             "buyer_hukou_booklet", "first_home_commitment", "loan_contract", "income_proof", "loan_clearance",
             "notarised_power", "utility_bills"},
            {"divorce_papers"},
        ),
        none_apply=Case(
            {"payment": "全款", "seller_mortgage": "否", "seller_marital": "未婚", "all_present": "是",
             "supervise_funds": "否", "buyer_first_home": "否", "utilities": "否"},
            {"contract_filing", "tax_declaration", "transfer_registration"},
            {"parties_ids", "property_certificate", "buyer_hukou_booklet"},
            {"loan_contract", "loan_clearance", "spouse_consent", "utility_bills", "first_home_commitment"},
        ),
        mixed=Case(
            {"payment": "商业贷款", "seller_mortgage": "否", "seller_marital": "离异或丧偶", "all_present": "是",
             "supervise_funds": "否", "buyer_first_home": "是", "utilities": "是", "has_gas": "否"},
            {"contract_filing", "tax_declaration", "transfer_registration", "mortgage_registration", "water_transfer",
             "power_transfer"},
            {"parties_ids", "property_certificate", "divorce_papers", "first_home_commitment", "loan_contract",
             "utility_bills"},
            {"income_proof", "spouse_consent", "seller_marriage_certificate", "notarised_power"},
        ),
        change=("utilities", "否", {"water_transfer", "power_transfer"}, set()),
        elicences=frozenset({"居民身份证", "不动产权证书", "结婚证", "居民户口簿"}),
        exempt={"parties_ids", "property_certificate", "seller_marriage_certificate", "buyer_hukou_booklet"},
        still_missing={"spouse_consent", "loan_contract", "loan_clearance", "notarised_power"},
    ),
    Flagship(
        code="open_hotpot_restaurant",
        all_apply=Case(
            {"has_licence": "否", "premises": "租赁房屋", "renovate": "是", "area": "500平方米及以上",
             "heating": "瓶装液化石油气", "signboard": "是", "signboard_type": "大型或楼顶招牌"},
            {"business_licence", "food_licence", "fire_check", "fire_acceptance", "signboard", "drainage_permit",
             "tax_info_confirm"},
            {"legal_rep_id", "articles", "lease_contract", "layout_plan", "food_safety_system", "health_certificates",
             "fire_commitment", "fire_facility_report", "construction_drawings", "lpg_safety", "signboard_design",
             "structure_safety", "drainage_docs"},
            {"business_licence_copy", "property_certificate", "gas_contract"},
        ),
        none_apply=Case(
            {"has_licence": "是", "premises": "自有房屋", "renovate": "否", "heating": "电加热", "signboard": "否"},
            {"food_licence", "fire_check", "drainage_permit"},
            {"legal_rep_id", "business_licence_copy", "property_certificate", "layout_plan", "health_certificates",
             "fire_commitment", "drainage_docs"},
            {"articles", "lease_contract", "construction_drawings", "signboard_design", "lpg_safety", "gas_contract"},
        ),
        mixed=Case(
            {"has_licence": "否", "premises": "租赁房屋", "renovate": "是", "area": "500平方米以下",
             "heating": "管道天然气", "signboard": "是", "signboard_type": "门头店招"},
            {"business_licence", "food_licence", "fire_check", "fire_filing", "signboard", "drainage_permit",
             "tax_info_confirm"},
            {"legal_rep_id", "articles", "lease_contract", "construction_drawings", "gas_contract", "signboard_design"},
            {"lpg_safety", "structure_safety", "business_licence_copy"},
        ),
        change=("area", "500平方米及以上", {"fire_filing"}, {"fire_acceptance"}),
        elicences=frozenset({"居民身份证", "房屋租赁合同备案", "营业执照"}),
        exempt={"legal_rep_id", "lease_contract"},
        still_missing={"articles", "layout_plan", "lpg_safety", "structure_safety"},
    ),
]

BY_CODE = {f.code: f for f in FLAGSHIPS}
CASES = ("all_apply", "none_apply", "mixed")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def plan_for(catalog, code, answers, elicences=frozenset(), marks=None):
    return make_plan(catalog.get(code), answers, Applicant(elicences=frozenset(elicences)), marks)


def test_every_flagship_has_cases():
    assert set(BY_CODE) == {
        "newborn", "primary_school_enrolment", "marriage_childbirth", "company_setup", "employee_retirement",
        "after_death", "second_hand_housing", "open_hotpot_restaurant",
    }


@pytest.mark.parametrize("code", BY_CODE)
def test_flagship_shape(catalog, code):
    bundle = catalog.get(code)
    assert bundle.complete
    assert len(bundle.items) >= 4 and len({i.department for i in bundle.items}) >= 2
    assert len(bundle.questions) >= 3
    assert any(q.kind == "choice" for q in bundle.questions)
    assert any(q.ask_if for q in bundle.questions)
    assert len(bundle.rules) >= 2 and all(r.reason for r in bundle.rules)
    assert any(m.requirement == "deferrable" for m in bundle.materials)
    assert sum(1 for m in bundle.materials if m.elicence) >= 3
    assert any(len(m.items) >= 3 for m in bundle.materials)
    assert any(f.prefill for f in bundle.fields)
    assert any(len(f.items) >= 3 for f in bundle.fields)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("code", BY_CODE)
def test_answers_give_exact_items_and_materials(catalog, code, case):
    expected: Case = getattr(BY_CODE[code], case)
    plan = plan_for(catalog, code, expected.answers)
    assert plan.warnings == ()
    assert [q.id for q in plan.pending] == [], "the answer set must answer every applicable question"
    assert set(plan.item_codes()) == expected.items
    materials = set(plan.material_codes())
    assert expected.materials <= materials, expected.materials - materials
    assert not (expected.not_materials & materials), expected.not_materials & materials
    # without e-licences nothing is exempt
    assert plan.exempt == ()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("code", BY_CODE)
def test_everything_in_a_plan_says_why(catalog, code, case):
    plan = plan_for(catalog, code, getattr(BY_CODE[code], case).answers)
    assert plan.items
    for planned in plan.items:
        assert planned.reason.strip(), planned.item.code
    for planned in plan.materials:
        assert planned.reason.strip(), planned.material.code
        assert planned.items and set(planned.items) <= set(plan.item_codes())


@pytest.mark.parametrize("code", BY_CODE)
def test_situational_items_carry_their_situation_as_reason(catalog, code):
    """Items that apply only in some situations (a `when`, or added by a rule) say which situation."""
    flagship = BY_CODE[code]
    for case in CASES:
        plan = plan_for(catalog, code, getattr(flagship, case).answers)
        for planned in plan.items:
            if planned.item.when is not None:
                assert planned.reason != BASE_REASON, (case, planned.item.code)
                assert planned.reason.startswith("因为"), (case, planned.item.code)
            else:
                assert planned.reason == BASE_REASON, (case, planned.item.code)
        for planned in plan.materials:
            if planned.material.when is not None:
                assert planned.reason.startswith("因为"), (case, planned.material.code)


@pytest.mark.parametrize("code", BY_CODE)
def test_changing_an_earlier_answer_recomputes(catalog, code):
    flagship = BY_CODE[code]
    question, value, gone, appear = flagship.change
    before = plan_for(catalog, code, flagship.mixed.answers)
    assert gone <= set(before.item_codes())
    assert not (appear & set(before.item_codes()))
    after = plan_for(catalog, code, {**flagship.mixed.answers, question: value})
    assert gone and not (gone & set(after.item_codes()))
    assert appear <= set(after.item_codes())
    # and back again: nothing was patched in place
    again = plan_for(catalog, code, flagship.mixed.answers)
    assert again.item_codes() == before.item_codes()
    assert again.material_codes() == before.material_codes()


@pytest.mark.parametrize("code", BY_CODE)
def test_elicences_on_file_exempt_materials(catalog, code):
    flagship = BY_CODE[code]
    answers = flagship.none_apply.answers if code == "open_hotpot_restaurant" else flagship.all_apply.answers
    without = plan_for(catalog, code, answers)
    with_ = plan_for(catalog, code, answers, flagship.elicences)
    exempt = {m.material.code for m in with_.exempt}
    if code == "open_hotpot_restaurant":
        expected_exempt = {"legal_rep_id", "business_licence_copy", "property_certificate"}
        still = {"layout_plan", "fire_commitment", "drainage_docs"}
        with_ = plan_for(catalog, code, answers, {"居民身份证", "营业执照", "不动产权证书"})
        exempt = {m.material.code for m in with_.exempt}
    else:
        expected_exempt, still = flagship.exempt, flagship.still_missing
    assert exempt == expected_exempt
    for planned in with_.exempt:
        assert planned.material.elicence and planned.note and planned.material.elicence in planned.note
    missing = {m.material.code for m in with_.materials if m.status == "missing"}
    assert still <= missing
    assert len(with_.missing) < len(without.missing)
    # the same items are planned whatever is on file
    assert with_.item_codes() == without.item_codes()


def test_hotpot_rental_elicence_exempts_the_lease(catalog):
    flagship = BY_CODE["open_hotpot_restaurant"]
    plan = plan_for(catalog, "open_hotpot_restaurant", flagship.all_apply.answers, flagship.elicences)
    assert {m.material.code for m in plan.exempt} == flagship.exempt
    assert flagship.still_missing <= {m.material.code for m in plan.missing}


@pytest.mark.parametrize("code", BY_CODE)
def test_deferrable_materials_allow_accepting_with_deferral(catalog, code):
    flagship = BY_CODE[code]
    plan = plan_for(catalog, code, flagship.all_apply.answers)
    assert plan.suggested_decision() == "notice"
    deferrable = {m.material.code for m in plan.materials if m.material.requirement == "deferrable"}
    assert deferrable
    marks = {m.material.code: ("deferred" if m.material.code in deferrable else "handed_in") for m in plan.materials}
    deferred = plan_for(catalog, code, flagship.all_apply.answers, marks=marks)
    assert {m.material.code for m in deferred.deferred} == deferrable
    assert deferred.suggested_decision() == "defer"
    handed_in = plan_for(catalog, code, flagship.all_apply.answers, marks={c: "handed_in" for c in marks})
    assert handed_in.suggested_decision() == "accept"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("code", BY_CODE)
def test_one_form_asks_fewer_fields_than_the_items_would(catalog, code, case):
    plan = plan_for(catalog, code, getattr(BY_CODE[code], case).answers)
    assert plan.fields_asked > 0
    if len(plan.items) >= 2:
        assert plan.fields_asked < plan.fields_without_merge
    for planned in plan.fields:
        assert set(planned.items) <= set(plan.item_codes())


@pytest.mark.parametrize("code", BY_CODE)
def test_form_prefills_from_the_file(catalog, code):
    plan = plan_for(catalog, code, BY_CODE[code].all_apply.answers)
    prefilled = [f for f in plan.fields if f.field.prefill]
    assert len(prefilled) >= 3
    shared = [f for f in prefilled if len(f.items) >= 2]
    assert shared, "a prefilled field should serve several items"


@pytest.mark.parametrize("code", BY_CODE)
def test_materials_are_shared_between_items(catalog, code):
    plan = plan_for(catalog, code, BY_CODE[code].all_apply.answers)
    assert any(len(m.items) >= 2 for m in plan.materials)
    # submit once, reuse: a material appears once in the plan however many items use it
    assert len(plan.material_codes()) == len(set(plan.material_codes()))


# ---------------------------------------------------------------- bundle-specific checks

def test_newborn_all_apply_is_the_seven_items_of_seed_001(catalog):
    plan = plan_for(catalog, "newborn", BY_CODE["newborn"].all_apply.answers)
    names = [p.item.name for p in plan.items]
    assert len(names) == 7
    for word in ("出生医学证明", "预防接种证", "生育保险", "户口登记", "参保登记", "缴费", "社会保障卡"):
        assert sum(word in n for n in names) == 1, word
    assert {p.item.department for p in plan.items} == {"市卫生健康委", "市公安局", "市医保局", "市人力社保局"}


def test_newborn_declining_the_optional_items_gives_fewer(catalog):
    answers = {**BY_CODE["newborn"].all_apply.answers,
               "mother_employee_insured": "否", "want_medical_insurance": "否", "want_ss_card": "否"}
    plan = plan_for(catalog, "newborn", answers)
    assert set(plan.item_codes()) == {"birth_certificate", "vaccination_certificate", "household_registration"}
    assert "pay_now" not in {q.id for q in plan.questions}
    assert {"maternity_bill", "baby_photo", "bank_card"}.isdisjoint(plan.material_codes())


def test_newborn_follow_question_only_when_a_parent_is_local(catalog):
    plan = plan_for(catalog, "newborn", {"both_local": "否", "one_local": "否"})
    assert "follow" not in {q.id for q in plan.questions}
    plan = plan_for(catalog, "newborn", {"both_local": "否", "one_local": "是"})
    assert "follow" in {q.id for q in plan.pending}


def test_primary_school_models_the_twelve_items_of_nine_departments(catalog):
    bundle = catalog.get("primary_school_enrolment")
    assert len(bundle.items) == 12
    assert len({bundle.lead_department, *bundle.cooperating_departments}) == 9
    assert {i.department for i in bundle.items} == {bundle.lead_department, *bundle.cooperating_departments}


def test_primary_school_outside_birth_certificate_swaps_the_material(catalog):
    answers = {**BY_CODE["primary_school_enrolment"].mixed.answers, "born_in_city": "否", "vacc_local": "否"}
    plan = plan_for(catalog, "primary_school_enrolment", answers, {"出生医学证明"})
    codes = set(plan.material_codes())
    assert "birth_certificate" not in codes and "birth_certificate_paper" in codes
    assert "vaccination_booklet" in codes
    reason = next(m.reason for m in plan.materials if m.material.code == "birth_certificate_paper")
    assert "非本市签发" in reason


def test_primary_school_migrant_questions_only_for_migrant_children(catalog):
    local = plan_for(catalog, "primary_school_enrolment", {"child_hukou": "本市户籍", "born_in_city": "是"})
    asked = {q.id for q in local.questions}
    assert "parents_work" not in asked and "vacc_local" not in asked
    migrant = plan_for(catalog, "primary_school_enrolment", {"child_hukou": "外省市户籍"})
    assert {"parents_work", "vacc_local"} <= {q.id for q in migrant.pending}


def test_company_setup_paper_invoice_forces_a_seal_with_the_rule_reason(catalog):
    plan = plan_for(catalog, "company_setup", BY_CODE["company_setup"].mixed.answers)
    seal = next(p for p in plan.items if p.item.code == "seal_engraving")
    assert "发票专用章" in seal.reason
    # asked for a seal anyway: the seal is there for the applicant's own reason, not the invoice rule
    plan = plan_for(catalog, "company_setup", BY_CODE["company_setup"].all_apply.answers)
    seal = next(p for p in plan.items if p.item.code == "seal_engraving")
    assert seal.reason == "因为：申请刻制企业印章"


def test_company_setup_staff_roster_shared_by_three_items(catalog):
    plan = plan_for(catalog, "company_setup", BY_CODE["company_setup"].all_apply.answers)
    roster = next(m for m in plan.materials if m.material.code == "staff_roster")
    assert set(roster.items) == {"social_insurance_registration", "medical_insurance_registration",
                                 "housing_fund_account"}


def test_retirement_short_contribution_drops_the_pension_with_reason(catalog):
    plan = plan_for(catalog, "employee_retirement", BY_CODE["employee_retirement"].mixed.answers)
    extend = next(p for p in plan.items if p.item.code == "extend_contribution")
    assert "最低年限" in extend.reason
    assert "pension_calculation" not in plan.item_codes()


def test_retirement_fund_loan_question_only_with_a_fund(catalog):
    plan = plan_for(catalog, "employee_retirement", {"has_fund": "否"})
    assert "fund_loan" not in {q.id for q in plan.questions}


def test_after_death_unnatural_death_needs_police_proof(catalog):
    plan = plan_for(catalog, "after_death", BY_CODE["after_death"].mixed.answers, {"死亡医学证明"})
    codes = set(plan.material_codes())
    assert "police_death_proof" in codes and "death_medical_certificate" not in codes
    police = next(m for m in plan.materials if m.material.code == "police_death_proof")
    assert police.status == "missing"


def test_second_hand_gas_only_when_gas_is_connected(catalog):
    answers = {**BY_CODE["second_hand_housing"].mixed.answers, "has_gas": "是"}
    plan = plan_for(catalog, "second_hand_housing", answers)
    assert "gas_transfer" in plan.item_codes()
    bills = next(m for m in plan.materials if m.material.code == "utility_bills")
    assert set(bills.items) == {"water_transfer", "power_transfer", "gas_transfer"}


def test_hotpot_area_only_asked_when_renovating(catalog):
    plan = plan_for(catalog, "open_hotpot_restaurant", {"renovate": "否"})
    assert "area" not in {q.id for q in plan.questions}
    plan = plan_for(catalog, "open_hotpot_restaurant", {"renovate": "是", "area": "500平方米及以上"})
    assert "fire_acceptance" in plan.item_codes() and "fire_filing" not in plan.item_codes()


def test_stale_answers_to_questions_no_longer_asked_are_ignored(catalog):
    answers = {**BY_CODE["open_hotpot_restaurant"].mixed.answers, "renovate": "否"}
    plan = plan_for(catalog, "open_hotpot_restaurant", answers)
    assert "area" not in plan.answers
    assert not {"fire_filing", "fire_acceptance"} & set(plan.item_codes())

"""The bundles completed for issue 14 (first half of the catalog), driven through the
planner as a clerk would at the window: for each, answer sets with the exact items
they must yield and materials that must (or must not) be asked. Expected values are
written by hand from what the bundle means (the law or common practice named in its
source note), not read back from the files.
"""

from __future__ import annotations

import pytest

from bundles.loader import load_catalog
from hall_app.domain.planner import Applicant, make_plan

# The first half of the 72 bundles that were incomplete (sorted by file name).
FIRST_HALF = [
    "adoption_registration", "animal_clinic_permit", "car_rental_permit", "catering_permit",
    "deceased_bank_account_inquiry", "deregistration_joint_licences", "disability_assistance",
    "elderly_care", "employee_hiring", "employment", "enterprise_change_joint_licences",
    "enterprise_change_social_insurance", "enterprise_change_tax", "enterprise_change_waterway",
    "enterprise_property_registration", "entertainment_venue_permit", "flexible_employment",
    "freight_truck_permit", "general_deregistration", "government_procurement",
    "graduate_employment_service", "graduate_entrepreneurship", "graduate_hukou_transfer", "hotel_permit",
    "housing_fund_repayment_account", "international_trade", "land_use_pre_review",
    "livestock_farming_permit", "maternity_allowance", "medical_service", "middle_school_enrolment",
    "mortgaged_property_transfer", "municipal_facility_approval", "open_barbershop",
    "open_barbershop_individual", "open_clothing_store",
]

# (bundle, answers, exact items, materials that must be asked, materials that must not)
CASES = [
    # 扶残助困: not yet certified, severe, low income, 16-59 without employee pension, a relative files
    ("disability_assistance",
     {"has_certificate": "否", "grade": "一级或二级", "low_income": "是", "age_group": "16至59周岁",
      "employee_pension": "否", "assessment_mode": "远程评残", "by_relative": "是"},
     {"needs_registration", "disability_certificate", "living_allowance", "nursing_allowance", "pension_subsidy",
      "medical_subsidy"},
     {"medical_records", "photos", "low_income_proof", "care_assessment", "agent_id_card", "kinship_proof"},
     {"disability_card", "home_assessment_request"}),
    # 扶残助困: certified grade 3, not poor, a child: only the needs registration (and the card is on file)
    ("disability_assistance",
     {"has_certificate": "是", "renew": "否", "grade": "三级或四级", "low_income": "否", "age_group": "16周岁以下",
      "by_relative": "否"},
     {"needs_registration"}, {"id_card"}, {"medical_records", "agent_id_card"}),
    # 企业普通注销: first visit starts the liquidation only
    ("general_deregistration",
     {"stage": "开始清算", "reason": "股东会（股东）决议解散", "legal_rep_present": "是"},
     {"liquidation_filing", "creditor_notice"}, {"dissolution_resolution", "liquidation_group"},
     {"liquidation_report", "licence_return"}),
    # 企业普通注销: after the 45 days, with staff, fund, foreign trade and paper invoices, licence lost
    ("general_deregistration",
     {"stage": "公告期满申请注销", "reason": "股东会（股东）决议解散", "insured": "是", "housing_fund": "是",
      "foreign_trade": "是", "invoices": "是", "licence_lost": "是", "legal_rep_present": "否"},
     {"tax_clearance", "social_insurance_cancel", "medical_insurance_cancel", "housing_fund_cancel", "customs_cancel",
      "trade_filing_cancel", "deregistration"},
     {"liquidation_report", "invoice_surrender", "licence_loss_notice", "authorisation", "staff_separation"},
     {"licence_return", "liquidation_group"}),
    # 员工录用: part-time work has no employee medical insurance; out-of-town insurance to transfer
    ("employee_hiring",
     {"employment_type": "非全日制用工", "prior_insurance": "在外省市参保过", "has_ss_card": "是", "headcount": "1人"},
     {"employment_filing", "social_insurance", "contribution_declaration"},
     {"prior_contribution_proof", "labour_contract"}, {"staff_roster", "employee_photo"}),
    ("employee_hiring",
     {"employment_type": "全日制劳动合同", "prior_insurance": "首次参保", "housing_fund": "是", "has_ss_card": "否",
      "headcount": "2人及以上"},
     {"employment_filing", "social_insurance", "contribution_declaration", "medical_insurance", "housing_fund",
      "ss_card"},
     {"staff_roster", "employee_photo"}, {"prior_contribution_proof"}),
    # 中学入学: a migrant child renting, parents employed, primary school elsewhere
    ("middle_school_enrolment",
     {"child_hukou": "外省市户籍", "parents_work": "单位就业", "school_type": "公办学校（划片入学）",
      "housing": "租住住房", "marital": "已婚", "primary_local": "否", "special_needs": "否"},
     {"enrol_application", "hukou_check", "residence_permit_check", "rental_filing_check", "marriage_check",
      "student_record_check", "vaccination_check", "social_insurance_check"},
     {"hukou_booklet_other", "residence_permit", "rental_contract", "labour_contract", "student_record_paper",
      "vaccination_booklet"},
     {"hukou_booklet", "property_certificate"}),
    # 中学入学: a local child for a private school: no residence checks
    ("middle_school_enrolment",
     {"child_hukou": "本市户籍", "school_type": "民办学校（报名摇号）", "marital": "离异", "primary_local": "是",
      "special_needs": "否"},
     {"enrol_application", "hukou_check", "marriage_check", "student_record_check", "vaccination_check"},
     {"hukou_booklet", "divorce_certificate", "custody_document"}, {"student_record_paper", "rental_contract"}),
    # 生育津贴: employer files for a woman, settled at the hospital
    ("maternity_allowance",
     {"insured_person": "女职工本人", "applicant": "用人单位代为申请", "delivery_type": "顺产", "settled": "是"},
     {"allowance", "leave_info", "birth_check"}, {"employer_application", "birth_certificate"},
     {"maternity_medical_bills", "bank_card"}),
    # 生育津贴: a male employee for his unemployed wife: reimbursement only, no allowance
    ("maternity_allowance",
     {"insured_person": "男职工（配偶未就业）", "applicant": "本人申请", "delivery_type": "顺产",
      "local_hospital": "否"},
     {"medical_reimbursement", "birth_check"},
     {"marriage_certificate", "spouse_unemployed_commitment", "bank_card", "birth_certificate_other",
      "discharge_summary"},
     {"birth_certificate", "employer_application"}),
    # 理发店 (firm): new shop, hygiene permit on the full procedure, large signboard
    ("open_barbershop",
     {"has_licence": "否", "premises": "租赁房屋", "hygiene_mode": "一般程序（现场审查后发证）", "signboard": "是",
      "signboard_type": "大型或楼顶招牌", "self_present": "是"},
     {"business_licence", "hygiene_licence", "tax_info_confirm", "signboard"},
     {"articles_of_association", "lease_contract_filed", "hygiene_layout", "hygiene_test_report",
      "signboard_structure_report"},
     {"hygiene_commitment", "property_certificate"}),
    # 理发店 (individual): already licensed, by commitment: no articles, no tax item
    ("open_barbershop_individual",
     {"has_licence": "是", "premises": "自有房屋", "hygiene_mode": "告知承诺（当场发证）", "signboard": "否",
      "self_present": "否"},
     {"hygiene_licence"}, {"business_licence", "hygiene_commitment", "authorisation_letter"},
     {"hygiene_test_report", "articles_of_association"}),
    ("open_clothing_store",
     {"entity": "个体工商户", "premises": "租赁房屋", "signboard": "否", "self_present": "是"},
     {"business_licence", "tax_info_confirm"}, {"lease_contract_filed"}, {"articles_of_association"}),
    # 企业准营（餐饮）: 500 m² or more after renovation needs the acceptance, gas needs its contract
    ("catering_permit",
     {"premises": "自有房屋", "food_type": "热食类（含火锅、中餐、面食）", "renovate": "是", "area": "500平方米及以上",
      "fire_mode": "告知承诺（当场出证）", "fuel": "管道天然气", "signboard": "否", "legal_rep_present": "是"},
     {"food_licence", "fire_safety_check", "fire_acceptance", "drainage_permit"},
     {"gas_supply_contract", "fire_safety_commitment", "fire_construction_drawings"},
     {"lpg_supply_contract", "cold_food_room", "fire_facility_report"}),
    ("flexible_employment",
     {"hukou": "外省市户籍", "want_pension": "是", "want_medical": "是", "prior_insured": "否", "difficulty": "是"},
     {"employment_registration", "pension_enrolment", "medical_enrolment", "contribution_assessment", "subsidy"},
     {"residence_permit", "employment_registration_certificate", "bank_card"}, {"social_insurance_record"}),
    ("flexible_employment",
     {"hukou": "本市户籍", "want_pension": "否", "want_medical": "否", "difficulty": "是"},
     {"employment_registration"}, {"id_card"}, {"bank_card", "employment_registration_certificate"}),
    ("employment",
     {"situation": "失业（办理失业登记）", "benefit": "是", "hukou": "外省市户籍"},
     {"employment_registration", "unemployment_benefit"}, {"separation_proof", "ss_card"},
     {"labour_contract", "hukou_booklet_other_province"}),
    ("employment",
     {"situation": "首次就业", "prior_insurance": "外省市参保过", "housing_fund": "是", "hukou": "外省市户籍",
      "move_hukou": "是", "settle_place": "单位集体户"},
     {"employment_registration", "insurance_transfer", "medical_insurance", "housing_fund", "hukou_move_in"},
     {"labour_contract", "social_insurance_record", "collective_hukou_consent"},
     {"separation_proof", "property_certificate"}),
    # 养老服务: 80+, poor, bedridden, employee-insured, wants everything
    ("elderly_care",
     {"age_group": "80周岁及以上", "hardship": "是", "disabled": "是", "employee_medical": "是",
      "want_care_home": "是", "want_adaptation": "是", "want_family_doctor": "是", "by_relative": "是"},
     {"ability_assessment", "longevity_allowance", "care_home", "home_adaptation", "ltc_insurance", "family_doctor"},
     {"hardship_status", "medical_records", "agent_id", "kinship_proof"}, set()),
    ("elderly_care",
     {"age_group": "60至79周岁", "hardship": "否", "disabled": "是", "employee_medical": "否", "want_care_home": "否",
      "want_family_doctor": "否", "by_relative": "否"},
     {"ability_assessment"}, {"medical_records"}, {"hardship_status", "hukou_booklet"}),
    ("graduate_employment_service",
     {"status": "离校未就业", "graduating_year": "是", "difficulty": "是", "file_place": "本市公共就业人才服务机构",
      "move_hukou": "否", "want_internship": "是"},
     {"graduate_report", "file_receipt", "job_grant", "internship"},
     {"hardship_proof", "student_status_proof", "bank_card"}, {"employment_agreement"}),
    ("graduate_hukou_transfer",
     {"employed": "是", "hukou_at_school": "是", "settle_place": "亲属住房", "file_in": "否"},
     {"graduate_report", "hukou_move_in"},
     {"hukou_migration_certificate", "household_head_consent", "kinship_proof", "employment_agreement"},
     {"hukou_booklet_other_province", "collective_hukou_consent"}),
    ("graduate_entrepreneurship",
     {"student_status": "在校大学生", "has_licence": "否", "entity": "有限责任公司", "want_loan": "是",
      "want_incubator": "否"},
     {"entrepreneurship_registration", "business_licence", "guaranteed_loan"},
     {"student_status_proof", "articles_of_association", "business_plan", "loan_application"},
     {"graduation_certificate"}),
    ("graduate_entrepreneurship",
     {"student_status": "毕业5年内高校毕业生", "has_licence": "是", "operating_six_months": "是", "want_loan": "否",
      "want_incubator": "是"},
     {"entrepreneurship_registration", "startup_grant", "incubator"},
     {"graduation_certificate", "business_licence", "bank_card"}, {"loan_application"}),
    # 收养: a stepchild: no capacity assessment, the other parent's consent
    ("adoption_registration",
     {"adoptee_source": "继子女", "adopter_marital": "夫妻共同收养", "adoptee_over_eight": "否",
      "adopter_hukou": "本市户籍"},
     {"adoption_registration", "hukou_registration"}, {"adoption_consent", "marriage_certificate"},
     {"adoptee_origin_proof", "adoptee_consent"}),
    ("adoption_registration",
     {"adoptee_source": "社会福利机构抚养的孤儿或查找不到生父母的儿童", "adopter_marital": "无配偶者收养",
      "adoptee_over_eight": "是", "adopter_hukou": "外省市户籍"},
     {"adoption_assessment", "adoption_registration"},
     {"adoptee_origin_proof", "marital_statement", "adoptee_consent", "hukou_booklet_other_province"},
     {"adoptee_birth_certificate", "marriage_certificate", "giver_id"}),
    ("deceased_bank_account_inquiry",
     {"relation": "配偶、子女或父母（第一顺序继承人）", "death_in_system": "是", "withdraw": "否"},
     {"death_info_check", "account_inquiry"}, {"death_medical_certificate", "kinship_proof_same_household"},
     {"heirs_agreement", "police_death_proof"}),
    ("housing_fund_repayment_account",
     {"account_owner": "借款人配偶", "co_borrower": "否", "self_present": "是"},
     {"account_change", "deduction_agreement", "marriage_check"}, {"marriage_certificate", "spouse_id"},
     {"co_borrower_consent"}),
    ("mortgaged_property_transfer",
     {"buyer_payment": "全款", "seller_loan": "公积金贷款", "seller_married": "否", "self_present": "是"},
     {"contract_filing", "double_notice", "loan_handover", "tax_payment", "transfer_and_mortgage", "mortgage_cancel"},
     {"funds_supervision_agreement", "housing_fund_loan_settlement"},
     {"buyer_loan_contract", "income_proof", "spouse_consent"}),
    ("medical_service",
     {"main_need": "异地就医备案", "want_appointment": "否", "voucher_active": "是", "offsite": "转诊转院",
      "has_prior_results": "否", "by_relative": "否"},
     {"offsite_filing"}, {"referral_certificate"}, {"offsite_residence_commitment", "agent_id"}),
    ("enterprise_change_tax",
     {"change_what": "住所（经营场所）", "cross_district": "是", "legal_rep_present": "是"},
     {"change_registration", "linked_change", "tax_migration"},
     {"premises_proof", "unused_invoices_and_tax_devices"}, {"appointment_document", "authorisation_letter"}),
    ("enterprise_change_social_insurance",
     {"change_what": "法定代表人（负责人）", "medical_registered": "是", "legal_rep_present": "是"},
     {"change_registration", "linked_change", "medical_change"}, {"appointment_document", "new_legal_rep_id"},
     {"premises_proof"}),
    ("enterprise_change_waterway",
     {"change_what": "名称", "has_ships": "是", "legal_rep_present": "是"},
     {"change_registration", "linked_change", "ship_certificate_change"},
     {"waterway_transport_licence", "ship_certificates"}, set()),
    ("enterprise_change_joint_licences",
     {"change_what": "名称", "food": "否", "hygiene": "是", "travel": "是", "road": "否", "agri": "否",
      "legal_rep_present": "是"},
     {"change_registration", "hygiene_licence_change", "travel_licence_change"}, {"permit_certificate_originals"},
     {"new_premises_layout"}),
    ("deregistration_joint_licences",
     {"path": "普通注销（已清算完毕）", "food": "是", "hygiene": "否", "travel": "否", "road": "是", "agri": "否",
      "licence_lost": "否", "legal_rep_present": "是"},
     {"deregistration", "food_cancel", "road_cancel"},
     {"liquidation_report", "shareholders_resolution", "tax_clearance_certificate", "permit_certificate_originals"},
     {"all_investors_commitment"}),
    ("enterprise_property_registration",
     {"acquisition": "出让土地上自建房屋", "mortgage": "是", "legal_rep_present": "是"},
     {"tax_declaration", "first_registration", "mortgage_registration"},
     {"land_grant_contract", "completion_acceptance_filing", "survey_report", "loan_and_mortgage_contract"},
     {"house_purchase_contract", "seller_property_certificate"}),
    ("hotel_permit",
     {"has_licence": "是", "premises": "自有房屋", "lodging_type": "宾馆、酒店、旅馆", "renovate": "是",
      "area": "一万平方米以上", "hygiene_mode": "一般程序（现场审查后发证）", "fire_mode": "现场检查后出证",
      "legal_rep_present": "是"},
     {"special_trade_licence", "hygiene_licence", "fire_safety_check", "fire_acceptance"},
     {"business_licence", "hygiene_test_report", "fire_facility_report", "hotel_security_system"},
     {"hygiene_commitment", "fire_safety_commitment", "homestay_commitment"}),
    ("entertainment_venue_permit",
     {"has_licence": "否", "entity": "有限责任公司", "premises": "租赁房屋", "venue_type": "游艺娱乐场所（电子游艺厅）",
      "renovate": "否", "fire_mode": "告知承诺（当场出证）", "legal_rep_present": "是"},
     {"business_licence", "venue_licence", "fire_safety_check"},
     {"equipment_list", "no_criminal_record_proof", "articles_of_association"}, {"fire_construction_drawings"}),
    ("car_rental_permit",
     {"has_licence": "否", "entity": "个体工商户", "premises": "自有房屋", "register_vehicles": "是",
      "legal_rep_present": "是"},
     {"business_licence", "rental_filing", "vehicle_registration"},
     {"parking_site_proof", "vehicle_sales_invoice", "compulsory_insurance_policy"},
     {"articles_of_association", "partnership_agreement"}),
    # 货车准营: a small truck only needs registering; a heavy one needs the permit and the 道路运输证
    ("freight_truck_permit",
     {"has_licence": "是", "premises": "租赁房屋", "weight": "总质量4.5吨及以下", "legal_rep_present": "是"},
     {"vehicle_registration"}, {"vehicle_sales_invoice"}, {"driver_qualification_certificate"}),
    ("freight_truck_permit",
     {"has_licence": "是", "premises": "租赁房屋", "weight": "总质量4.5吨以上", "registered": "是",
      "legal_rep_present": "是"},
     {"transport_licence", "transport_certificate"}, {"vehicle_licence", "driver_qualification_certificate"},
     {"vehicle_sales_invoice"}),
    ("animal_clinic_permit",
     {"has_licence": "是", "premises": "租赁房屋", "clinic_type": "动物医院", "xray": "是", "legal_rep_present": "是"},
     {"clinic_licence", "radiation_licence"}, {"hospital_facilities", "radiation_safety_docs", "vet_certificates"},
     set()),
    ("livestock_farming_permit",
     {"has_licence": "是", "new_facility": "否", "scale": "规模以下", "breeding": "否", "legal_rep_present": "是"},
     {"eia", "epidemic_certificate"}, {"eia_registration", "waste_disposal_plan"},
     {"eia_report", "facility_land_agreement", "breeding_stock_records"}),
    ("land_use_pre_review",
     {"project_type": "企业投资备案类项目", "filed": "否", "land_supply": "划拨", "farmland": "是", "mineral": "否",
      "legal_rep_present": "是"},
     {"project_filing", "pre_review"}, {"site_selection_report", "farmland_compensation_plan"},
     {"project_approval_document"}),
    ("municipal_facility_approval",
     {"main_facility": "城市绿地或树木", "road": "是", "traffic": "是", "pipeline": "否", "legal_rep_present": "是"},
     {"road_excavation", "green_space", "traffic_plan"}, {"tree_relocation_plan", "traffic_organisation_plan"},
     set()),
    ("international_trade",
     {"direction": "进口", "transport": "铁路运输（含中欧班列）", "transit": "否", "inspection": "是",
      "by_broker": "是", "first_time": "否"},
     {"declaration", "receipt_query", "inspection_booking", "rail_tracking"},
     {"bill_of_lading", "broker_authorisation"}, {"customs_registration"}),
    ("government_procurement",
     {"supplier_type": "企业", "sme": "是", "has_e_licence": "否", "subscribe": "是"},
     {"supplier_registration", "identity_check", "info_subscription"}, {"sme_declaration", "legal_rep_id"}, set()),
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_every_bundle_of_the_first_half_is_complete_and_has_cases(catalog):
    assert len(FIRST_HALF) == 36
    for code in FIRST_HALF:
        bundle = catalog.get(code)
        assert bundle is not None and bundle.complete, code
        assert "自拟" in bundle.source and ".txt" in bundle.source, code
    assert {code for code, *_ in CASES} == set(FIRST_HALF)


@pytest.mark.parametrize("code, answers, items, must, must_not", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_answers_give_exact_items_and_materials(catalog, code, answers, items, must, must_not):
    plan = make_plan(catalog.get(code), answers)
    assert not plan.pending, [q.id for q in plan.pending]
    assert set(plan.item_codes()) == items
    asked = set(plan.material_codes())
    assert must <= asked, must - asked
    assert not (must_not & asked), must_not & asked
    for planned in [*plan.items, *plan.materials]:
        assert planned.reason, planned


def test_disability_card_on_file_answers_the_first_question_and_exempts_paper(catalog):
    bundle = catalog.get("disability_assistance")
    on_file = Applicant(elicences=frozenset({"残疾人证", "居民身份证"}))
    plan = make_plan(bundle, {"renew": "否", "grade": "一级或二级", "low_income": "否", "age_group": "60周岁及以上",
                              "by_relative": "否"}, on_file)
    assert plan.answers["has_certificate"] == "是" and "has_certificate" in plan.prefilled
    assert "disability_certificate" not in plan.item_codes()
    assert {"nursing_allowance", "medical_subsidy"} <= set(plan.item_codes())
    exempt = {m.material.code for m in plan.exempt}
    assert {"disability_card", "id_card"} <= exempt


def test_middle_school_keeps_the_seed_size_of_the_enrolment_bundle(catalog):
    """001: 入学 — 12 items from 9 departments; the middle-school bundle is built the same way."""
    bundle = catalog.get("middle_school_enrolment")
    assert len(bundle.items) == 12
    assert len(bundle.departments) == 9


def test_general_deregistration_asks_the_second_visit_questions_only_after_the_notice(catalog):
    bundle = catalog.get("general_deregistration")
    first = make_plan(bundle, {"stage": "开始清算"})
    asked = {q.id for q in first.questions}
    assert {"insured", "housing_fund", "foreign_trade", "invoices", "licence_lost"}.isdisjoint(asked)
    second = make_plan(bundle, {"stage": "公告期满申请注销", "reason": "股东会（股东）决议解散"})
    assert {"insured", "invoices", "licence_lost"} <= {q.id for q in second.questions}


def test_shop_form_is_asked_once_across_items(catalog):
    plan = make_plan(catalog.get("open_barbershop"),
                     {"has_licence": "否", "premises": "自有房屋", "hygiene_mode": "告知承诺（当场发证）",
                      "signboard": "是", "signboard_type": "门头店招", "self_present": "是"})
    assert plan.fields_asked < plan.fields_without_merge
    assert len({f.field.key for f in plan.fields}) == plan.fields_asked


def test_someone_elses_id_card_is_not_exempted_by_the_applicants_elicence(catalog):
    """A relative filing for a disabled person: the applicant's own ID card is on file, the
    relative's is not, so only the applicant's is exempt."""
    plan = make_plan(catalog.get("disability_assistance"),
                     {"has_certificate": "否", "grade": "尚不清楚", "low_income": "否", "age_group": "60周岁及以上",
                      "assessment_mode": "到定点医院评定", "by_relative": "是"},
                     Applicant(elicences=frozenset({"居民身份证"})))
    status = {m.material.code: m.status for m in plan.materials}
    assert status["id_card"] == "exempt"
    assert status["agent_id_card"] == "missing"

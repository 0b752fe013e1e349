"""`hall-app bundles check` rejects what the dictionary and the planner say is wrong:
a material or field outside the dictionary, what only the dictionary may set, a question
nothing uses, a rule that never fires, an item no answers reach, a dead end, and a
promise longer than the law. Each case is a small bad bundle next to a good one."""

from pathlib import Path

import pytest

from bundles.loader import DICTIONARY_DIR, check, load_dictionary, load_file
from hall_app.domain.bundle_audit import MAX_COMBINATIONS, dry_run, unused_questions
from hall_app.domain.planner import Applicant, make_plan

GOOD = '''code = "tiny"
name = "小套餐"
kind = "企业"
life_stage = "准入准营"
lead_department = "市市场监管局"
source = "测试用"
version = 1
complete = true

[[items]]
code = "permit"
name = "许可"
department = "市市场监管局"
statutory_days = 20
promised_days = 5
output = "许可证"

[[items]]
code = "fire_check"
name = "消防检查"
department = "市消防救援支队"
statutory_days = 10
promised_days = 3
output = "合格证"
when = "crowd = 是"
reason = "公众聚集场所"

[[questions]]
id = "crowd"
text = "是否公众聚集场所？"

[[questions]]
id = "own"
text = "场所自有还是租用？"
kind = "choice"
choices = ["自有", "租用"]

[[rules]]
when = "own = 自有"
reason = "自有房屋"
drop_materials = ["lease_contract_filed"]

[[materials]]
code = "legal_rep_id"
material = "resident_id_card"
name = "法定代表人居民身份证"
items = ["permit", "fire_check"]

[[materials]]
code = "lease_contract_filed"
items = ["permit"]

[[fields]]
key = "company_name"

[[fields]]
key = "phone"
items = ["permit"]
'''


def run_check(tmp_path: Path, text: str):
    path = tmp_path / "tiny.toml"
    path.write_text(text, encoding="utf-8")
    return check([path])


def reasons(problems) -> str:
    return "\n".join(str(p) for p in problems)


def test_the_good_fixture_passes_and_is_filled_in_from_the_dictionary(tmp_path):
    entries, problems = run_check(tmp_path, GOOD)
    assert problems == []
    bundle = entries[0].bundle
    rep = next(m for m in bundle.materials if m.code == "legal_rep_id")
    assert (rep.material, rep.elicence, rep.name) == ("resident_id_card", "居民身份证", "法定代表人居民身份证")
    assert rep.validity and "有效期" in rep.validity
    lease = next(m for m in bundle.materials if m.code == "lease_contract_filed")
    assert lease.name == "房屋租赁合同（已备案）" and lease.elicence == "房屋租赁合同备案"
    phone = next(f for f in bundle.fields if f.key == "phone")
    assert (phone.label, phone.type, phone.prefill) == ("联系电话", "phone", "firm.phone")  # 企业: prefill_firm
    # the e-licence named by the dictionary exempts the material, as in every bundle
    plan = make_plan(bundle, {"crowd": "否", "own": "租用"}, Applicant(elicences=frozenset({"居民身份证"})))
    assert {p.material.code for p in plan.exempt} == {"legal_rep_id"}


def test_a_personal_bundle_takes_the_personal_prefill(tmp_path):
    entries, problems = run_check(tmp_path, GOOD.replace('kind = "企业"', 'kind = "个人"'))
    assert problems == []
    assert next(f for f in entries[0].bundle.fields if f.key == "phone").prefill == "person.phone"


def test_material_outside_the_dictionary(tmp_path):
    _, problems = run_check(tmp_path, GOOD.replace('code = "lease_contract_filed"\n', 'code = "lease_contrct"\n'))
    assert len(problems) == 1 or all(p.file.endswith("tiny.toml") for p in problems)
    p = next(p for p in problems if p.path == "materials[1].code")
    assert p.file.endswith("tiny.toml") and p.bundle == "tiny 小套餐"
    assert "lease_contrct" in p.reason and "不在材料字典" in p.reason and "lease_contract_filed" in p.reason
    _, problems = run_check(tmp_path, GOOD.replace('material = "resident_id_card"', 'material = "id_card_x"'))
    assert any(p.path == "materials[0].material" and "id_card_x" in p.reason for p in problems)


def test_field_outside_the_dictionary(tmp_path):
    _, problems = run_check(tmp_path, GOOD.replace('key = "company_name"', 'key = "shop_owner_nickname"'))
    assert any(p.path == "fields[0].key" and "shop_owner_nickname" in p.reason and "不在字段字典" in p.reason
               for p in problems)


def test_what_only_the_dictionary_may_set_is_refused(tmp_path):
    _, problems = run_check(tmp_path, GOOD.replace('name = "法定代表人居民身份证"\n',
                                                   'name = "法定代表人居民身份证"\nelicence = "营业执照"\n'))
    assert any(p.path == "materials[0].elicence" and "材料字典" in p.reason for p in problems)
    _, problems = run_check(tmp_path, GOOD.replace('key = "phone"\n', 'key = "phone"\ntype = "text"\n'))
    assert any(p.path == "fields[1].type" for p in problems)
    _, problems = run_check(tmp_path, GOOD.replace('key = "phone"\n', 'key = "phone"\nprefill = "person.name"\n'))
    assert any(p.path == "fields[1].prefill" for p in problems)
    _, problems = run_check(tmp_path, GOOD.replace('key = "phone"\n', 'key = "phone"\nchoices = ["a", "b"]\n'))
    assert any(p.path == "fields[1].choices" for p in problems)


def test_prefill_can_be_switched_off_in_a_bundle(tmp_path):
    entries, problems = run_check(tmp_path, GOOD.replace('key = "phone"\n', 'key = "phone"\nprefill = false\n'))
    assert problems == []
    assert next(f for f in entries[0].bundle.fields if f.key == "phone").prefill is None


def test_a_question_nothing_uses(tmp_path):
    text = GOOD.replace('[[rules]]', '[[questions]]\nid = "idle"\ntext = "是否有闲置设备？"\n\n[[rules]]', 1)
    _, problems = run_check(tmp_path, text)
    assert [p.path for p in problems] == ["questions[2]"]
    assert "idle" in problems[0].reason and "没有被任何" in problems[0].reason


def test_a_question_used_only_to_ask_a_used_question_counts_as_used(tmp_path):
    text = GOOD.replace('id = "crowd"\n', 'id = "big"\ntext = "面积是否超过300平方米？"\n\n'
                                          '[[questions]]\nid = "crowd"\nask_if = "big = 是"\n')
    entries, problems = run_check(tmp_path, text)
    assert problems == []
    assert unused_questions(entries[0].bundle) == []


def test_a_rule_that_never_fires(tmp_path):
    text = GOOD.replace('when = "own = 自有"', 'when = "own = 自有 and own = 租用"')
    _, problems = run_check(tmp_path, text)
    assert any(p.path == "rules[0]" and "不会生效" in p.reason for p in problems)


def test_a_rule_behind_a_question_that_is_never_asked(tmp_path):
    # own is only asked when crowd = 是, and the rule needs crowd = 否 and own = 自有
    text = GOOD.replace('choices = ["自有", "租用"]\n', 'choices = ["自有", "租用"]\nask_if = "crowd = 是"\n')
    text = text.replace('when = "own = 自有"', 'when = "crowd = 否 and own = 自有"')
    _, problems = run_check(tmp_path, text)
    assert [p.path for p in problems] == ["rules[0]"]


def test_an_item_never_reached(tmp_path):
    text = GOOD.replace('drop_materials = ["lease_contract_filed"]',
                        'drop_materials = ["lease_contract_filed"]\n\n[[rules]]\nwhen = "crowd = 是"\n'
                        'reason = "另行检查"\ndrop_items = ["fire_check"]')
    _, problems = run_check(tmp_path, text)
    assert any(p.path == "items[1]" and "fire_check" in p.reason and "不会进入" in p.reason for p in problems)


def test_a_dead_end(tmp_path):
    text = GOOD.replace('reason = "自有房屋"\n', 'reason = "自有房屋"\ndrop_items = ["permit"]\n')
    text = text.replace('when = "crowd = 是"\nreason = "公众聚集场所"', 'when = "own = 租用"\nreason = "租用"')
    text = text.replace('[[questions]]\nid = "crowd"\ntext = "是否公众聚集场所？"\n\n', '')
    _, problems = run_check(tmp_path, text)
    assert any(p.path == "items" and "死路" in p.reason and "own=自有" in p.reason for p in problems)


def test_promise_longer_than_the_law(tmp_path):
    _, problems = run_check(tmp_path, GOOD.replace("promised_days = 5", "promised_days = 25"))
    assert any(p.path == "items[0]" and "承诺时限（25）不能长于法定时限（20）" in p.reason for p in problems)


def test_the_cli_names_file_and_entry(tmp_path, capsys):
    from hall_app.cli import main

    path = tmp_path / "tiny.toml"
    path.write_text(GOOD.replace('key = "company_name"', 'key = "nickname"'), encoding="utf-8")
    assert main(["bundles", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "tiny.toml [tiny 小套餐] fields[0].key" in err and "nickname" in err and "校验失败" in err


def test_a_large_bundle_is_sampled_within_the_bound(tmp_path):
    questions = "".join(f'\n[[questions]]\nid = "q{i}"\ntext = "问题{i}？"\n' for i in range(14))
    rules = "".join(f'\n[[rules]]\nwhen = "q{i} = 是"\nreason = "是"\nadd_materials = ["lease_contract_filed"]\n'
                    for i in range(14))
    text = GOOD.replace("[[rules]]", questions + rules + "\n[[rules]]", 1)
    entries, problems = run_check(tmp_path, text)
    assert problems == []
    run = dry_run(entries[0].bundle)
    assert not run.exhaustive and run.combinations <= MAX_COMBINATIONS
    assert run.rules_fired == set(range(15))


def test_the_dictionary_is_checked(tmp_path):
    for part in ("materials", "fields"):
        (tmp_path / f"{part}.toml").write_text((DICTIONARY_DIR / f"{part}.toml").read_text(encoding="utf-8"),
                                               encoding="utf-8")
    text = (tmp_path / "materials.toml").read_text(encoding="utf-8")
    (tmp_path / "materials.toml").write_text(text + '\n[[materials]]\ncode = "photo"\nname = "照片"\n'
                                             'category = "通用"\nspec = "重复"\n', encoding="utf-8")
    dictionary, problems = load_dictionary(tmp_path)
    assert dictionary is None and any("材料编号重复：photo" in p.reason for p in problems)


def test_a_dictionary_change_reaches_every_bundle_that_uses_it(tmp_path):
    """One place: change 居民身份证's e-licence in the dictionary and every bundle follows,
    with a new content hash (a new version to review)."""
    import tomllib

    from hall_app.domain.dictionary import Dictionary

    shipped, _ = load_dictionary()
    assert shipped is not None
    data = {"materials": [m.model_dump() for m in shipped.materials],
            "fields": [f.model_dump() for f in shipped.fields]}
    for m in data["materials"]:
        if m["code"] == "resident_id_card":
            m["elicence"] = "身份证电子证照"
    changed = Dictionary.model_validate(data)
    path = tmp_path / "tiny.toml"
    path.write_text(GOOD, encoding="utf-8")
    before, _ = load_file(path, shipped)
    after, _ = load_file(path, changed)
    assert before and after and before.content_hash != after.content_hash
    assert next(m for m in after.bundle.materials if m.code == "legal_rep_id").elicence == "身份证电子证照"
    assert tomllib.loads(GOOD)  # the bundle file itself did not change


@pytest.mark.parametrize("code", ["newborn", "company_setup", "after_death", "second_hand_housing"])
def test_shipped_bundles_name_their_materials_by_dictionary_code(code):
    from bundles.loader import load_catalog

    bundle = load_catalog().get(code)
    assert bundle is not None
    shipped, _ = load_dictionary()
    assert shipped is not None
    for m in bundle.materials:
        entry = shipped.material(m.material or "")
        assert entry is not None and m.elicence == entry.elicence


def test_rules_on_e_licences_and_facts_are_tried_both_ways(tmp_path):
    text = GOOD.replace('drop_materials = ["lease_contract_filed"]\n',
                        'drop_materials = ["lease_contract_filed"]\n\n[[rules]]\n'
                        'when = "has(营业执照) and fact.scale = 小微"\n'
                        'reason = "小微企业已有执照"\ndrop_materials = ["legal_rep_id"]\n', 1)
    entries, problems = run_check(tmp_path, text)
    assert problems == []
    assert 1 in dry_run(entries[0].bundle).rules_fired


def test_many_e_licences_are_sampled_within_the_bound(tmp_path):
    from hall_app.domain.bundle_audit import MAX_APPLICANTS, applicants

    rules = "".join(f'\n[[rules]]\nwhen = "has(证照{i}) and own = 自有"\nreason = "有证照{i}"\n'
                    f'drop_materials = ["legal_rep_id"]\n' for i in range(9))
    entries, problems = run_check(tmp_path, GOOD.replace("[[materials]]", rules + "\n[[materials]]", 1))
    assert problems == []
    people, every = applicants(entries[0].bundle)
    assert not every and len(people) == MAX_APPLICANTS
    run = dry_run(entries[0].bundle)
    assert not run.exhaustive and run.combinations <= MAX_COMBINATIONS and len(run.rules_fired) == 10


def test_authors_look_up_dictionary_codes(capsys):
    from hall_app.cli import main

    assert main(["bundles", "dictionary", "户口簿"]) == 0
    out = capsys.readouterr().out
    assert "hukou_booklet " in out and "电子证照：居民户口簿" in out and "hukou_booklet_other_province" in out
    assert main(["bundles", "dictionary", "飞船"]) == 1
    assert "字典中没有“飞船”" in capsys.readouterr().err

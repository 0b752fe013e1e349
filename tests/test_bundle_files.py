"""Broken bundle files give precise errors (file, bundle, field path, reason) and
never half-load."""

import shutil
from pathlib import Path

import pytest

from bundles.loader import CATALOG_DIR, CatalogError, check, load_catalog

NEWBORN = (CATALOG_DIR / "newborn.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path, text, name="newborn"):
    entries, problems = check([write(tmp_path, name, text)])
    assert not entries
    return problems


def test_the_shipped_catalog_loads():
    entries, problems = check()
    assert problems == []
    assert any(e.bundle.code == "newborn" for e in entries)


def test_missing_field(tmp_path):
    problems = problems_for(tmp_path, NEWBORN.replace('lead_department = "市卫生健康委"\n', ""))
    assert len(problems) == 1
    p = problems[0]
    assert p.file.endswith("newborn.toml") and p.bundle == "newborn 新生儿出生"
    assert p.path == "lead_department" and "required" in p.reason.lower()


def test_unknown_item_in_rule(tmp_path):
    text = NEWBORN.replace('drop_items = ["household_registration"]', 'drop_items = ["no_such_item"]')
    problems = problems_for(tmp_path, text)
    assert any("rules[0]" in p.reason and "no_such_item" in p.reason for p in problems)


def test_unknown_question_and_choice_in_condition(tmp_path):
    text = NEWBORN.replace('when = "mother_employee_insured = 是"', 'when = "mother_insured = 是"')
    text = text.replace('ask_if = "want_medical_insurance = 是"', 'ask_if = "want_medical_insurance = 也许"')
    reasons = " ".join(p.reason for p in problems_for(tmp_path, text))
    assert "mother_insured" in reasons and "也许" in reasons


def test_duplicate_codes_inside_a_bundle(tmp_path):
    text = NEWBORN.replace('code = "vaccination_certificate"', 'code = "birth_certificate"')
    problems = problems_for(tmp_path, text)
    assert any("事项编号重复：birth_certificate" in p.reason for p in problems)


def test_duplicate_bundles_across_files(tmp_path):
    write(tmp_path, "newborn", NEWBORN)
    write(tmp_path, "newborn2", NEWBORN.replace('code = "newborn"', 'code = "newborn2"', 1))
    _entries, problems = check([tmp_path])
    assert any("新生儿出生" in p.reason and "重复" in p.reason for p in problems)
    with pytest.raises(CatalogError):
        load_catalog([tmp_path])


def test_bad_type(tmp_path):
    problems = problems_for(tmp_path, NEWBORN.replace("statutory_days = 20\npromised_days = 1",
                                                      'statutory_days = "二十"\npromised_days = 1', 1))
    assert any(p.path == "items[0].statutory_days" and "integer" in p.reason for p in problems)


def test_promise_longer_than_law(tmp_path):
    problems = problems_for(tmp_path, NEWBORN.replace("promised_days = 1", "promised_days = 30", 1))
    assert any(p.path.startswith("items[0]") and "承诺时限" in p.reason for p in problems)


def test_broken_condition_syntax(tmp_path):
    problems = problems_for(tmp_path, NEWBORN.replace('when = "born_locally = 否"', 'when = "born_locally = "'))
    assert any(p.path == "rules[1].when" for p in problems)


def test_unknown_key_and_bad_toml(tmp_path):
    problems = problems_for(tmp_path, NEWBORN.replace('version = 1', 'version = 1\ncolour = "red"'))
    assert any(p.path == "colour" for p in problems)
    problems = problems_for(tmp_path, NEWBORN + "\n[[items]\n")
    assert problems[0].path == "" and "TOML" in problems[0].reason


def test_file_name_must_match_code(tmp_path):
    problems = problems_for(tmp_path, NEWBORN, name="baby")
    assert any("newborn.toml" in p.reason for p in problems)


def test_one_broken_file_stops_the_whole_catalog(tmp_path):
    shutil.copy(CATALOG_DIR / "newborn.toml", tmp_path / "newborn.toml")
    write(tmp_path, "broken", 'code = "broken"\n')
    with pytest.raises(CatalogError) as info:
        load_catalog([tmp_path])
    assert "broken.toml" in str(info.value)


# -- size limits -----------------------------------------------------------------------------

def _items(n: int) -> str:
    return "".join(f'\n[[items]]\ncode = "extra_{i}"\nname = "附加事项{i}"\ndepartment = "市医保局"\n'
                   f'statutory_days = 5\npromised_days = 1\noutput = "结果{i}"\n' for i in range(n))


def test_too_many_items_is_named_with_the_limit(tmp_path):
    from hall_app.domain.bundle import LIMITS

    problems = problems_for(tmp_path, NEWBORN + _items(LIMITS["items"]))
    assert [p.path for p in problems] == ["items"]
    assert f"最多 {LIMITS['items']} 项" in problems[0].reason and "LIMITS" in problems[0].reason


def test_too_many_choices_and_keywords(tmp_path):
    from hall_app.domain.bundle import LIMITS

    words = ", ".join(f'"词{i}"' for i in range(LIMITS["keywords"] + 1))
    text = NEWBORN.replace("keywords = [", f"keywords = [{words}, ", 1)
    problems = problems_for(tmp_path, text)
    assert any(p.path == "keywords" and "最多" in p.reason for p in problems)


def test_a_string_too_long_is_named_with_its_length(tmp_path):
    from hall_app.domain.bundle import LIMITS

    long_name = "很" * (LIMITS["text"] + 1)
    problems = problems_for(tmp_path, NEWBORN.replace('name = "新生儿出生"', f'name = "{long_name}"', 1))
    assert any(p.path == "name" and f"最多 {LIMITS['text']} 个字符，这里有 {len(long_name)} 个" in p.reason
               for p in problems)
    long_when = " 或 ".join(["born_locally = 是"] * 80)
    problems = problems_for(tmp_path, NEWBORN.replace('when = "born_locally = 否"', f'when = "{long_when}"'))
    assert any(p.path == "rules[1].when" and "文字过长" in p.reason for p in problems)


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    from hall_app.domain.bundle import LIMITS

    text = NEWBORN + "\n" + "# 填充\n" * (LIMITS["file_bytes"] // 8)
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1 and "文件过大" in problems[0].reason and "256 KB" in problems[0].reason


def test_deeply_nested_toml_is_a_message(tmp_path):
    problems = problems_for(tmp_path, "x = " + "[" * 50000 + "]" * 50000 + "\n")
    assert len(problems) == 1 and problems[0].reason.startswith("TOML")


def test_the_shipped_catalog_is_well_inside_the_limits():
    from hall_app.domain.bundle import LIMITS

    entries, _ = check()
    for e in entries:
        b = e.bundle
        assert len(b.items) <= LIMITS["items"] // 2 and len(b.materials) <= LIMITS["materials"] // 2
    assert max(p.stat().st_size for p in CATALOG_DIR.glob("*.toml")) <= LIMITS["file_bytes"] // 4

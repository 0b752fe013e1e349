"""Vectors for rules that once could be broken without any test noticing (issue 15's
mutants): identifiers, the working-day calendar, the condition language."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.calendar import WorkCalendar
from hall_app.domain.conditions import ConditionError, compares_in, evaluate, parse
from hall_app.domain.ids import (
    USCC_CHARSET,
    check_citizen_id,
    check_uscc,
    id_check_char,
    identifier_kind,
    identify,
    uscc_check_char,
)

D = dt.date
DIGIT_USCC = "91330100716105852F"  # a real code shape: 17 digits, then a letter


def citizen(area: str, birth: str, serial: str = "231") -> str:
    body = area + birth + serial
    return body + id_check_char(body)


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# -- person or firm ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "kind", "ok"), [
    (DIGIT_USCC, "uscc", True),
    (DIGIT_USCC.lower(), "uscc", True),
    ("９１３３０１００７１６１０５８５２Ｆ", "uscc", True),  # full-width, as some IMEs type it
    ("91350100M000100Y43", "uscc", True),
    ("N2110105MA0000001H", "uscc", True),
    ("11010519491231002X", "id_number", True),
    ("110105194912310021", "id_number", False),  # a mistyped ID stays an ID (with the ID's message)
    ("91330100716105852G", "uscc", False),  # a mistyped USCC stays a USCC
    ("1101051949", "id_number", False),
    ("", "id_number", False),
    ("ABC", "uscc", False),
])
def test_identifier_kind_and_identify(raw, kind, ok):
    assert identifier_kind(raw) == kind
    result = identify(raw)
    assert result.ok is ok
    if not ok:
        assert ("统一社会信用代码" if kind == "uscc" else "身份证号码") in result.error


def test_an_all_digit_uscc_with_a_digit_check_is_a_firm():
    first17 = next(f"9133010071610{n:04d}" for n in range(10000)
                   if uscc_check_char(f"9133010071610{n:04d}").isdigit())
    code = uscc(first17)
    assert code.isdigit() and not check_citizen_id(code).ok
    assert identifier_kind(code) == "uscc" and identify(code).ok


def test_the_digit_uscc_was_refused_as_a_citizen_id_before():
    assert check_citizen_id(DIGIT_USCC).error == "身份证号码最后一位只能是数字或X"
    assert check_uscc(DIGIT_USCC).ok


# -- citizen ID ---------------------------------------------------------------------------------------
def test_birth_date_today_is_fine_tomorrow_is_refused():
    today = D(2026, 11, 21)
    assert check_citizen_id(citizen("110105", "20261121"), today).ok
    result = check_citizen_id(citizen("110105", "20261122"), today)
    assert not result.ok and "2026-11-22" in result.error and "不合理" in result.error


def test_birth_years_before_1880_are_refused():
    assert check_citizen_id(citizen("110105", "18800101")).ok
    result = check_citizen_id(citizen("110105", "18791231"))
    assert not result.ok and "不合理" in result.error


@pytest.mark.parametrize(("value", "error"), [
    ("11010519491231002", "身份证号码应为18位，现为17位"),
    ("1101051949123100２X", None),  # full-width digit normalised
    ("11010519490230002X", "出生日期19490230不存在"),
    ("11010519491231002Y", "最后一位只能是数字或X"),
    ("1101051949123100A3", "前17位只能是数字"),
    ("１１０１０５１９４９１２３１００２１", "校验位不符（应为X）"),
])
def test_citizen_id_messages(value, error):
    result = check_citizen_id(value)
    assert result.error is None if error is None else error in result.error


def test_check_character_for_every_remainder():
    seen = {id_check_char(f"{n:017d}") for n in range(0, 2000, 7)}
    assert seen == set("10X98765432")
    assert id_check_char("11010519491231002") == "X"


# -- unified social credit code ---------------------------------------------------------------------------
@pytest.mark.parametrize("authority", list("123456789ABCDEFGNY"))
def test_every_registration_authority_is_accepted(authority):
    assert check_uscc(uscc(authority + "1110105MA0000001")).ok


@pytest.mark.parametrize("authority", [c for c in USCC_CHARSET if c not in "123456789ABCDEFGNY"])
def test_other_first_characters_are_refused(authority):
    result = check_uscc(uscc(authority + "1110105MA0000001"))
    assert not result.ok and "第1位" in result.error and f"“{authority}”" in result.error


@pytest.mark.parametrize("region", ["11A105", "A10105", "11010M", "1B1015"])
def test_region_must_be_digits(region):
    code = uscc("91" + region + "MA0000001")
    assert len(code) == 18
    result = check_uscc(code)
    assert not result.ok and "第3至8位" in result.error


@pytest.mark.parametrize(("value", "fragment"), [
    ("", "请输入统一社会信用代码"),
    ("91350100M000100Y4", "应为18位，现为17位"),
    ("91350100M000100O43", "不能含有字符：O"),
    ("91350100M000100Y44", "校验位不符（应为3）"),
])
def test_uscc_messages(value, fragment):
    result = check_uscc(value)
    assert not result.ok and fragment in result.error


def test_uscc_check_character_zero_and_thirty():
    # (31 - total % 31) % 31: a total divisible by 31 gives "0", not "Y" (index 31 does not exist)
    zero = next(f"9100000000000{n:04d}" for n in range(10000) if uscc_check_char(f"9100000000000{n:04d}") == "0")
    assert check_uscc(uscc(zero)).ok and uscc(zero)[-1] == "0"
    y = next(f"9100000000000{n:04d}" for n in range(10000) if uscc_check_char(f"9100000000000{n:04d}") == "Y")
    assert check_uscc(uscc(y)).ok


# -- working days ---------------------------------------------------------------------------------------
def test_configured_make_up_workday_counts():
    sat = D(2027, 2, 20)
    assert sat.weekday() == 5
    cal = WorkCalendar.from_config({"2027": {"holidays": ["2027-02-15", "2027-02-16"], "workdays": ["2027-02-20"]}})
    assert cal.is_working_day(sat)
    assert not cal.is_working_day(D(2027, 2, 21))  # Sunday stays a rest day
    assert not cal.is_working_day(D(2027, 2, 15))
    assert cal.is_working_day(D(2027, 2, 17))
    assert cal.add_working_days(D(2027, 2, 19), 1).date == sat
    assert cal.working_days_between(D(2027, 2, 12), D(2027, 2, 22)) == 5  # 17,18,19,20(Sat),22


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match=r"^days must not be negative$"):
        WorkCalendar().add_working_days(D(2026, 11, 20), -1)
    assert WorkCalendar().add_working_days(D(2026, 11, 20), 0).date == D(2026, 11, 20)


def test_library_years_use_the_published_arrangement():
    cal = WorkCalendar()
    assert cal.is_published(2026) and not cal.is_published(2099)
    assert not cal.is_working_day(D(2026, 10, 1)) and cal.is_working_day(D(2026, 9, 30))
    assert cal.is_working_day(D(2099, 1, 1)) and not cal.is_working_day(D(2099, 1, 3))  # weekends only
    assert cal.working_days_between(D(2026, 11, 20), D(2026, 11, 20)) == 0
    assert cal.working_days_between(D(2026, 11, 20), D(2026, 11, 23)) == 1


def test_each_unpublished_year_warns_once():
    due = WorkCalendar().add_working_days(D(2098, 12, 20), 300)
    assert [w[:4] for w in due.warnings] == ["2098", "2099", "2100"]


# -- conditions ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_in_takes_any_number_of_values(n):
    values = [f"v{i}" for i in range(n)]
    node = parse(f"a in ({', '.join(values)})")
    assert compares_in(node)[0].values == tuple(values)
    assert evaluate(node, {"a": values[-1]}) and evaluate(node, {"a": values[0]})
    assert not evaluate(node, {"a": "other"})


@pytest.mark.parametrize("keyword", ["and", "or", "in", "has", "true", "false"])
def test_keywords_are_not_question_ids(keyword):
    with pytest.raises(ConditionError):
        parse(f"{keyword} = 是")


@pytest.mark.parametrize("keyword", ["and", "or", "in"])
def test_keyword_question_message(keyword):
    with pytest.raises(ConditionError, match="不是合法的问题编号"):
        parse(f"{keyword} = 是")


def test_facts_and_not_equal():
    node = parse("fact.kind != 企业")
    assert evaluate(node, {}, {"kind": "个人"}) and not evaluate(node, {}, {"kind": "企业"})
    assert not evaluate(node, {}, {})  # unknown fact: false
    assert not evaluate(parse("a = 是"), {"a": ""})

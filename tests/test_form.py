"""One form's field checks (domain/form.py), row by row: each type, each message, the
value kept as typed (normalised) when it fails. Every row here was a surviving mutant."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.bundle import FieldDef
from hall_app.domain.form import DEFAULT_MAX, FieldCheck, check_field, check_phone, is_past_only, is_pictograph

TODAY = dt.date(2026, 12, 1)


def spec(kind: str = "text", label: str = "字段", key: str = "f", **kw) -> FieldDef:
    return FieldDef(key=key, label=label, type=kind, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "raw", "value", "error"), [
    # empty: required or not
    (spec(), "", "", "“字段”为必填项"),
    (spec(), None, "", "“字段”为必填项"),
    (spec(required=False), "  ", "", None),
    # length: the type's default limit, or the field's own; the limit itself is fine
    (spec(), "字" * 100, "字" * 100, None),
    (spec(), "字" * 101, "字" * 101, "“字段”最多100个字，现有101个"),
    (spec(max_length=3), "abcd", "abcd", "“字段”最多3个字，现有4个"),
    (spec("address"), "路" * 201, "路" * 201, "“字段”最多200个字，现有201个"),
    (spec("name"), "刘" * 51, "刘" * 51, "“字段”最多50个字，现有51个"),
    (spec("date"), "2026-11-21" * 30, "2026-11-21" * 30, "“字段”应为日期，如 2026-11-21"),  # no limit for dates
    # invisible characters, emoji
    (spec(), "a\u200bb", "a\u200bb", "“字段”含有不可见或无法识别的字符"),
    (spec(), "a\ue000b", "a\ue000b", "“字段”含有不可见或无法识别的字符"),
    (spec(), "好😀😀👍", "好😀😀👍", "“字段”含有表情或图形符号（😀👍），请删除"),
    # ids
    (spec("citizen_id"), "11010519491231002x", "11010519491231002X", None),
    (spec("citizen_id"), "110105194912310021", "110105194912310021", "身份证号码校验位不符（应为X），请核对是否输错"),
    (spec("uscc"), "91330100716105852f", "91330100716105852F", None),
    (spec("uscc"), "91330100716105852G", "91330100716105852G", "统一社会信用代码校验位不符（应为F），请核对是否输错"),
    # mobile: 11 digits 1[3-9]…, +86 dropped, blanks and hyphens dropped
    (spec("mobile"), "+86 138-0013-8000", "13800138000", None),
    (spec("mobile"), "１３８００１３８０００", "13800138000", None),
    (spec("mobile"), "12800138000", "12800138000", "“字段”应为11位手机号码（1开头）"),
    (spec("mobile"), "1380013800", "1380013800", "“字段”应为11位手机号码（1开头）"),
    (spec("phone"), "023-4567 8901", "02345678901", None),
    # numbers
    (spec("number"), " 0012 ", "12", None),
    (spec("number"), "12a", "12a", "“字段”只能填数字"),
    (spec("number"), "1" * 20, "1" * 20, "“字段”最多19个字，现有20个"),
    # choices
    (spec("choice", choices=["是", "否"]), "否", "否", None),
    (spec("choice", choices=["是", "否"]), "也许", "也许", "“字段”请从以下选项中选择：是、否"),
    # names: digits and odd marks refused; blanks inside an all-Chinese name go
    (spec("name"), "刘 洋", "刘洋", None),
    (spec("name"), "Li Na", "Li Na", None),
    (spec("name"), "阿依古丽·买买提", "阿依古丽·买买提", None),
    (spec("name"), "刘洋2", "刘洋2", "“字段”不应含有数字"),
    (spec("name"), "刘@洋@#", "刘@洋@#", "“字段”不应含有“@#”（姓名只用汉字、字母和间隔号·）"),
    (spec("name"), "王 Li", "王 Li", None),
    (spec("text"), "刘 洋", "刘 洋", None),
])
def test_check_field(field, raw, value, error):
    assert check_field(field, raw, TODAY) == FieldCheck(value, error)


@pytest.mark.parametrize(("field", "raw", "value", "error"), [
    (spec("date"), "2026-11-21", "2026-11-21", None),
    (spec("date"), "2026-1-5", "2026-01-05", None),  # not 202615
    (spec("date"), "２０２６－１－５", "2026-01-05", None),
    (spec("date"), "2026/1/5", "2026-01-05", None),
    (spec("date"), "2026.01.05", "2026-01-05", None),
    (spec("date"), "2026年1月5日", "2026-01-05", None),
    (spec("date"), "2026年1月5", "2026-01-05", None),
    (spec("date"), "20260105", "2026-01-05", None),
    (spec("date"), "2026 - 1 - 5", "2026-01-05", None),
    (spec("date"), "2026-2-30", "2026-2-30", "“字段”的日期不存在：2026-2-30"),
    (spec("date"), "明天", "明天", "“字段”应为日期，如 2026-11-21"),
    (spec("date"), "1879-12-31", "1879-12-31", "“字段”1879-12-31不合理，请核对"),
    (spec("date"), "1880-01-01", "1880-01-01", None),
    (spec("date"), "2027-01-01", "2027-01-01", None),  # a future date is fine in general
    (spec("date", key="birth_date"), "2026-12-01", "2026-12-01", None),  # today is fine
    (spec("date", key="birth_date"), "2026-12-02", "2026-12-02", "“字段”2026-12-02晚于今天，请核对"),
    (spec("date", key="father_death_date"), "2026-12-02", "2026-12-02", "“字段”2026-12-02晚于今天，请核对"),
    (spec("date", label="出生日期"), "2026-12-02", "2026-12-02", "“出生日期”2026-12-02晚于今天，请核对"),
    (spec("date", label="死亡时间"), "2026-12-02", "2026-12-02", "“死亡时间”2026-12-02晚于今天，请核对"),
])
def test_dates(field, raw, value, error):
    assert check_field(field, raw, TODAY) == FieldCheck(value, error)


def test_the_clock_is_today_when_not_given():
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert not check_field(spec("date", key="birth_date"), tomorrow).ok
    assert check_field(spec("date", key="birth_date"), dt.date.today().isoformat()).ok


@pytest.mark.parametrize(("raw", "value", "error"), [
    ("", "", None),
    (None, "", None),
    ("138 0013 8000", "13800138000", None),
    ("+8613800138000", "13800138000", None),
    ("023-45678901", "02345678901", None),
    ("0234567890", "0234567890", None),  # 10 digits: a 3-digit area code and 7 digits
    ("023456789", "023456789", "“联系电话”应为11位手机号码（1开头）或带区号的固定电话，现为9位"),
    ("02345678901234", "02345678901234", "“联系电话”应为11位手机号码（1开头）或带区号的固定电话，现为14位"),
    ("1380013800a", "1380013800a", "“联系电话”应为11位手机号码（1开头）或带区号的固定电话，现为10位且含非数字字符"),
    ("4567890", "4567890", "“联系电话”应为11位手机号码（1开头）或带区号的固定电话，现为7位"),
])
def test_check_phone(raw, value, error):
    assert check_phone(raw) == FieldCheck(value, error)


def test_check_phone_names_its_field():
    assert check_phone("1", "单位电话").error == "“单位电话”应为11位手机号码（1开头）或带区号的固定电话，现为1位"


@pytest.mark.parametrize(("ch", "picture"), [
    ("😀", True), ("\U0001F000", True), ("\U0001FAFF", True), ("☀", True), ("\u2600", True), ("\u27bf", True),
    ("⭐", True), ("⌚", True), ("\ufe0f", True), ("\u20e3", True), ("\U000E0001", True),
    ("\u25ff", False), ("\U0001FB00", False), ("\u2c00", False), ("\u2319", False), ("刘", False), ("a", False),
    ("\U0001EFFF", False), ("\ufe10", False), ("\u20e2", False), ("\U000E0080", False),
])
def test_pictographs(ch, picture):
    assert is_pictograph(ch) is picture


def test_past_only_dates():
    assert is_past_only(spec("date", key="birth_date")) and is_past_only(spec("date", key="baby_birth_date"))
    assert is_past_only(spec("date", key="death_date")) and is_past_only(spec("date", label="死亡日期"))
    assert is_past_only(spec("date", label="出生日期")) and not is_past_only(spec("date", key="start_date"))
    assert DEFAULT_MAX == {"name": 50, "text": 100, "address": 200, "number": 19}


def test_what_the_form_passes_on_to_the_id_and_phone_checks():
    """The day it checks against, the warnings and the field's own label reach the result."""
    born_mid_2026 = "110105202606010014"
    jan = dt.date(2026, 1, 1)
    assert check_field(spec("citizen_id"), born_mid_2026, jan).error == "身份证号码中的出生日期2026-06-01不合理"
    assert check_field(spec("date", key="birth_date"), "2026-06-01", jan).error == "“字段”2026-06-01晚于今天，请核对"
    reissued = check_field(spec("citizen_id"), "130204198201011235", TODAY)
    assert reissued.ok and reissued.warnings and "1995年起使用" in reissued.warnings[0]
    assert check_field(spec("phone", label="单位电话"), "123", TODAY).error == (
        "“单位电话”应为11位手机号码（1开头）或带区号的固定电话，现为3位")
    assert check_field(spec(), "a\x01b", TODAY).error == "“字段”含有不可见或无法识别的字符"
    assert check_field(spec(), "a\ud800b", TODAY).error == "“字段”含有不可见或无法识别的字符"

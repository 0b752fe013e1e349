"""Normalising what is typed: free text keeps its Chinese punctuation, codes and numbers
fold full-width digits; the form's checks for emoji, future dates and phone numbers;
the applicant's data when the ID changes to another person."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.bundle import FieldDef
from hall_app.domain.form import check_field, check_phone
from hall_app.domain.text import clean, compact, join_lines
from hall_app.services.demo import CHEN_MIN, LIU_YANG
from hall_app.services.intake import applicant_changes

TODAY = dt.date(2026, 11, 21)


def field(type_: str, key: str = "x", label: str = "字段", **kw) -> FieldDef:
    return FieldDef(key=key, label=label, type=type_, **kw)


@pytest.mark.parametrize("typed", ["软件开发；信息技术咨询服务", "不一致，且无法核实。", "（城区院区）：二楼",
                                   "ＡＢＣ公司", "《户口登记条例》第七条"])
def test_free_text_keeps_what_was_typed(typed):
    assert clean(typed) == typed
    assert check_field(field("text", max_length=200), typed).value == typed


def test_free_text_only_folds_blanks():
    assert clean("  重庆市江津区\n几江街道　 18号 ") == "重庆市江津区 几江街道 18号"


def test_codes_and_numbers_fold_full_width():
    assert compact("５００１１６ １９９０－０３１５") == "50011619900315"
    assert check_field(field("mobile"), "１３９ ０８３１ ２３４５").value == "13908312345"
    assert check_field(field("date"), "２０２６年１１月１５日").value == "2026-11-15"
    assert check_field(field("number"), "６２２８ ４８００").value == "62284800"


def test_pasted_lines_are_joined_for_one_line():
    assert join_lines("重庆市江津区\n几江街道\r\n\n18号") == "重庆市江津区几江街道18号"
    assert join_lines("Room 3\nBuilding 5") == "Room 3 Building 5"


@pytest.mark.parametrize("kind", ["name", "address", "text"])
@pytest.mark.parametrize("emoji", ["😊", "🏠", "❤️", "⭐", "👍🏽"])
def test_emoji_are_refused_in_names_addresses_and_text(kind, emoji):
    check = check_field(field(kind, label="新生儿姓名"), f"刘思远{emoji}")
    assert not check.ok and "表情或图形符号" in check.error


def test_names_take_letters_and_the_middle_dot_only():
    assert check_field(field("name"), "买买提·艾力").ok
    assert check_field(field("name"), "王𠮷").ok
    assert "不应含有" in check_field(field("name"), "刘#远").error


def test_a_birth_date_cannot_be_in_the_future():
    birth = field("date", key="baby_birth_date", label="出生日期")
    assert check_field(birth, "2026-11-21", TODAY).ok
    assert "晚于今天" in check_field(birth, "2026-11-22", TODAY).error
    assert check_field(field("date", key="opening_date", label="预计开业日期"), "2027-01-01", TODAY).ok


@pytest.mark.parametrize("typed, ok", [("13908312345", True), ("1390831234", False), ("023-47561234", True),
                                       ("+86 139 0831 2345", True), ("12345", False), ("", True)])
def test_a_contact_number_is_a_mobile_or_a_landline(typed, ok):
    check = check_phone(typed)
    assert check.ok is ok, check


def test_a_ten_digit_phone_says_how_many_digits():
    assert "现为10位" in check_phone("1390831234").error


LIU = {"name": "刘洋", "phone": "13908312345", "address": "艾坪山路18号"}
CHEN = {"name": "陈敏", "phone": "13983154321", "address": "艾坪山路18号"}


def test_another_person_on_file_replaces_the_first():
    old = {"id_number": LIU_YANG, **LIU}
    assert applicant_changes(old, LIU, CHEN) == {"name": "陈敏", "phone": "13983154321"}


def test_a_person_not_on_file_takes_nothing_of_the_previous_file():
    old = {"id_number": CHEN_MIN, **CHEN}
    assert applicant_changes(old, CHEN, None) == {"name": "", "phone": "", "address": ""}


def test_a_corrected_typo_keeps_what_the_clerk_typed():
    old = {"id_number": "500116199001014570", "name": "周晓梅", "phone": "13512345678"}
    assert applicant_changes(old, None, None) == {}


def test_a_contact_phone_takes_a_landline_and_a_mobile_field_does_not():
    """联系电话 in the dictionary is a phone (a firm's number on file is often a landline);
    a field typed mobile still wants 11 digits starting with 1."""
    from hall_app.domain.bundle import FieldDef
    from hall_app.domain.form import check_field

    phone = FieldDef(key="phone", label="联系电话", type="phone")
    assert check_field(phone, "023-47561234").ok and check_field(phone, "023-47561234").value == "02347561234"
    assert check_field(phone, "１３９０８３１２３４５").value == "13908312345"
    assert "带区号的固定电话" in check_field(phone, "12345").error
    mobile = FieldDef(key="mobile", label="手机号码", type="mobile")
    assert "11位手机号码" in check_field(mobile, "02347561234").error

import pytest

from hall_app.domain.ids import check_citizen_id, check_uscc, mask_citizen_id, mask_name


def test_valid_citizen_id_with_x():
    result = check_citizen_id("11010519491231002X")
    assert result.ok and result.value == "11010519491231002X" and not result.warnings


def test_lower_case_x_is_upper_case():
    assert check_citizen_id("11010519491231002x").value == "11010519491231002X"
    assert check_citizen_id("11010519491231002x").ok


def test_full_width_digits_and_spaces_are_normalised():
    result = check_citizen_id("　１１０１０５ １９４９１２３１００２Ｘ ")
    assert result.ok and result.value == "11010519491231002X"


@pytest.mark.parametrize("wrong", ["110105194912310021", "110105194912310020", "11010519491231002Y"])
def test_wrong_check_character_is_refused_with_the_expected_one(wrong):
    result = check_citizen_id(wrong)
    assert not result.ok
    if wrong[-1].isdigit():
        assert "校验位" in result.error and "X" in result.error


def test_late_registered_address_code_is_a_warning_not_a_rejection():
    result = check_citizen_id("330110197001011235")
    assert result.ok
    assert any("330110" in w for w in result.warnings)


@pytest.mark.parametrize(("value", "fragment"), [
    ("", "请输入"),
    ("1101051949123100", "18位"),
    ("11010519491331002X", "出生日期"),
    ("1101051949123100AX", "数字"),
])
def test_citizen_id_errors_are_clear(value, fragment):
    result = check_citizen_id(value)
    assert not result.ok and fragment in result.error


def test_uscc_starting_with_a_letter_is_valid():
    assert check_uscc("N2110105MA0000001H").ok
    assert check_uscc("n2110105ma0000001h").value == "N2110105MA0000001H"


def test_uscc_known_valid_and_wrong_check():
    assert check_uscc("91350100M000100Y43").ok
    result = check_uscc("91350100M000100Y44")
    assert not result.ok and "应为3" in result.error


def test_uscc_forbidden_letters():
    result = check_uscc("91350100M000100I43")
    assert not result.ok and "I" in result.error


def test_masking():
    assert mask_citizen_id("11010519491231002X") == "110105********002X"
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("𠮷祥") == "𠮷*"


def test_address_codes_unknown_or_newer_than_the_birth():
    from hall_app.domain.ids import id_check_char

    def number(area, birth):
        body = area + birth + "231"
        return body + id_check_char(body)

    unknown = check_citizen_id(number("999999", "19900315"))
    assert unknown.ok and "不在已发布的行政区划表中" in unknown.warnings[0]
    reissued = check_citizen_id(number("500116", "19900315"))  # 江津区 since 2006
    assert reissued.ok and "江津区" in reissued.warnings[0] and "2006" in reissued.warnings[0]
    assert check_citizen_id(number("500116", "20100315")).warnings == ()


# -- exact messages, and the value kept as typed (normalised) on every error ------------------------
@pytest.mark.parametrize(("raw", "value", "error"), [
    ("", "", "请输入统一社会信用代码"),
    (" 91350100m000100y4 ", "91350100M000100Y4", "统一社会信用代码应为18位，现为17位"),
    ("91350100M000100OI3", "91350100M000100OI3", "统一社会信用代码不能含有字符：I、O（不使用I、O、Z、S、V）"),
    ("H1110105MA00000019", "H1110105MA00000019", "统一社会信用代码第1位（登记管理部门）“H”无效"),
    ("9111A105MA00000019", "9111A105MA00000019", "统一社会信用代码第3至8位应为行政区划码（数字）"),
    ("91350100M000100Y44", "91350100M000100Y44", "统一社会信用代码校验位不符（应为3），请核对是否输错"),
])
def test_uscc_errors_keep_the_value_and_say_exactly_what_is_wrong(raw, value, error):
    result = check_uscc(raw)
    assert (result.value, result.error, result.warnings) == (value, error, ())


@pytest.mark.parametrize(("raw", "value", "error"), [
    ("", "", "请输入身份证号码"),
    ("1101051949123100", "1101051949123100", "身份证号码应为18位，现为16位"),
    ("1101051949123100AX", "1101051949123100AX", "身份证号码前17位只能是数字"),
    ("11010519491231002y", "11010519491231002Y", "身份证号码最后一位只能是数字或X"),
    ("11010519491331002X", "11010519491331002X", "身份证号码中的出生日期19491331不存在"),
    ("110105194912310021", "110105194912310021", "身份证号码校验位不符（应为X），请核对是否输错"),
])
def test_citizen_id_errors_keep_the_value_and_say_exactly_what_is_wrong(raw, value, error):
    result = check_citizen_id(raw)
    assert (result.value, result.error) == (value, error)


def test_birth_date_and_sex_from_the_number():
    from hall_app.domain.ids import birth_date_of, sex_of

    assert birth_date_of("11010519491231002X").isoformat() == "1949-12-31"
    assert birth_date_of("500116200103040012").isoformat() == "2001-03-04"
    assert sex_of("11010519491231002X") == "女"  # 17th digit 2: even
    assert sex_of("11010519491231001X") == "男"  # odd
    assert sex_of("11010519491231009X") == "男"


def test_masking_at_the_edges():
    assert mask_citizen_id("1101051949") == "1101051949"  # first 6 and last 4 are all of it
    assert mask_citizen_id("110105194") == "*********"
    assert mask_citizen_id("") == ""
    assert mask_citizen_id("11010519491") == "110105*9491"
    assert mask_name("张") == "张" and mask_name("") == ""
    assert mask_name("欧阳娜娜") == "欧**娜"


def _number(area: str, birth: str) -> str:
    from hall_app.domain.ids import id_check_char

    body = area + birth + "123"
    return body + id_check_char(body)


REISSUED = "属迁移或换发的号码，请核对证件原件"


@pytest.mark.parametrize(("area", "birth", "warning"), [
    # 130204: [1983-1994]东矿区,[1995-]古冶区 — the later name, from the latest start
    ("130204", "19820101", f"地址码130204（河北省古冶区）1995年起使用，晚于出生年份，{REISSUED}"),
    ("130204", "19830101", None),  # the first year of a period counts
    ("130204", "19940101", None),  # and so does the last
    # 130430: [1993-1995]丘县,[1996-]邱县
    ("130430", "19950601", None),
    ("130430", "19920101", f"地址码130430（河北省邱县）1996年起使用，晚于出生年份，{REISSUED}"),
    # 110103: [-2010]崇文区, merged into 东城区: a code retired before the birth is not "later"
    ("110103", "20150101", f"地址码110103（北京市崇文区）2010年后已停用，早于出生年份，{REISSUED}"),
    ("110103", "20100101", None),
    # 120110: [-1991]东郊区,[1992-]东丽区: every year is covered
    ("120110", "19910101", None),
    ("120110", "19920101", None),
])
def test_address_code_periods(area, birth, warning):
    result = check_citizen_id(_number(area, birth))
    assert result.ok and result.warnings == ((warning,) if warning else ())


def test_an_unreasonable_birth_date_keeps_the_value():
    import datetime as dt

    value = _number("110105", "20300101")
    assert check_citizen_id(value, today=dt.date(2026, 12, 1)) == check_citizen_id(value).__class__(
        value, "身份证号码中的出生日期2030-01-01不合理")
    old = _number("110105", "18790101")
    assert check_citizen_id(old).value == old
    assert check_citizen_id(old).error == "身份证号码中的出生日期1879-01-01不合理"


def test_person_or_firm_by_the_check_the_value_passes():
    from hall_app.domain.ids import identifier_kind, identify

    both = "110105199001011128"  # valid as a citizen ID and as a USCC: the person wins
    assert check_citizen_id(both).ok and check_uscc(both).ok
    assert identifier_kind(both) == "id_number" and identify(both).warnings == ()
    assert identifier_kind("91330100716105852F") == "uscc" and identify("91330100716105852F").ok
    assert identifier_kind("12345678901234567X9") == "id_number"  # too long, but shaped like an ID
    assert identifier_kind("1234567890123456X89") == "uscc"
    assert identifier_kind("") == identifier_kind(None) == "id_number"

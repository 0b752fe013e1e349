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

from hall_app.domain.tracking import ALPHABET, LENGTH, format_tracking_code, new_tracking_code, parse_tracking_code


def test_codes_are_unique_checkable_and_readable():
    codes = {new_tracking_code() for _ in range(5000)}
    assert len(codes) == 5000
    for code in list(codes)[:200]:
        assert len(code) == LENGTH and set(code) <= set(ALPHABET)
        assert parse_tracking_code(code) == code
        assert parse_tracking_code(format_tracking_code(code).lower()) == code


def test_single_typo_and_swap_are_caught():
    code = new_tracking_code()
    for i in range(LENGTH):
        for other in ALPHABET:
            if other != code[i]:
                assert parse_tracking_code(code[:i] + other + code[i + 1:]) is None
    for i in range(LENGTH - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert parse_tracking_code(swapped) is None


def test_scanned_url_and_full_width_input():
    code = new_tracking_code()
    assert parse_tracking_code(f"https://zwfw.cq.gov.cn/t/{code}") == code
    full = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert parse_tracking_code(full) == code
    assert parse_tracking_code("hello") is None
    assert parse_tracking_code("") is None

"""Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100).

Every check returns a :class:`CheckResult` with the normalised value, a Chinese
error message when the value is unusable, and warnings for values that are valid
but unusual (an address code missing from the published tables, for instance: the
tables lag behind real late registrations, so that is never a rejection).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hall_app.domain.text import compact

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O Z S V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: registration authority (1 机构编制, 5 民政, 9 工商, N 农业, Y 其他 ...).
USCC_AUTHORITIES = "123456789ABCDEFGNY"


@dataclass(frozen=True)
class CheckResult:
    value: str
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.error is None


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def check_citizen_id(raw: str | None, today: dt.date | None = None) -> CheckResult:
    """Validate an 18-character citizen ID number."""
    value = compact(raw).upper()
    if not value:
        return CheckResult(value, "请输入身份证号码")
    if len(value) != 18:
        return CheckResult(value, f"身份证号码应为18位，现为{len(value)}位")
    body, last = value[:17], value[17]
    if not body.isascii() or not body.isdigit():
        return CheckResult(value, "身份证号码前17位只能是数字")
    if not (last.isdigit() or last == "X"):
        return CheckResult(value, "身份证号码最后一位只能是数字或X")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return CheckResult(value, f"身份证号码中的出生日期{value[6:14]}不存在")
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        return CheckResult(value, f"身份证号码中的出生日期{birth.isoformat()}不合理")
    expected = id_check_char(body)
    if last != expected:
        return CheckResult(value, f"身份证号码校验位不符（应为{expected}），请核对是否输错")
    warning = address_warning(value[:6], birth.year)
    return CheckResult(value, None, (warning,) if warning else ())


def address_warning(code: str, birth_year: int) -> str | None:
    """A note when the address code is unknown or was set up after the birth year.

    Numbers are re-issued when divisions change or people move (all of Chongqing's
    50xxxx codes date from 1997 or later), so neither case is a rejection.
    """
    from stdnum import numdb  # local import: the table loads on first use

    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if "county" not in info:
        return f"地址码{code}不在已发布的行政区划表中，请核对证件"
    periods: list[tuple[int | None, int | None, str]] = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            return None
        period, name = county[1:].split("]")
        start, end = (int(x) if x else None for x in period.split("-"))
        if (start is None or birth_year >= start) and (end is None or birth_year <= end):
            return None
        periods.append((start, end, name))
    province = info.get("province", "")
    start, _, name = max(periods, key=lambda p: p[0] or 0)
    if start is not None and start > birth_year:  # the code (in its latest name) came later
        return f"地址码{code}（{province}{name}）{start}年起使用，晚于出生年份，{_REISSUED}"
    # every period ended before the birth year: the code was retired by then
    end, name = max((p[1], p[2]) for p in periods if p[1] is not None)
    return f"地址码{code}（{province}{name}）{end}年后已停用，早于出生年份，{_REISSUED}"


_REISSUED = "属迁移或换发的号码，请核对证件原件"


def birth_date_of(citizen_id: str) -> dt.date:
    return dt.date(int(citizen_id[6:10]), int(citizen_id[10:12]), int(citizen_id[12:14]))


def sex_of(citizen_id: str) -> str:
    return "男" if int(citizen_id[16]) % 2 else "女"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def check_uscc(raw: str | None) -> CheckResult:
    """Validate an 18-character unified social credit code (GB 32100-2015)."""
    value = compact(raw).upper()
    if not value:
        return CheckResult(value, "请输入统一社会信用代码")
    if len(value) != 18:
        return CheckResult(value, f"统一社会信用代码应为18位，现为{len(value)}位")
    bad = sorted({c for c in value if c not in USCC_CHARSET})
    if bad:
        return CheckResult(value, f"统一社会信用代码不能含有字符：{'、'.join(bad)}（不使用I、O、Z、S、V）")
    if value[0] not in USCC_AUTHORITIES:
        return CheckResult(value, f"统一社会信用代码第1位（登记管理部门）“{value[0]}”无效")
    if not value[2:8].isdigit():
        return CheckResult(value, "统一社会信用代码第3至8位应为行政区划码（数字）")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return CheckResult(value, f"统一社会信用代码校验位不符（应为{expected}），请核对是否输错")
    return CheckResult(value)


def identifier_kind(raw: str | None) -> str:
    """"id_number" (a person, GB 11643) or "uscc" (a firm or organisation, GB 32100).

    Both are 18 characters, and a USCC may be all digits but its last character
    (91330100716105852F) or even all digits: shape alone cannot tell them apart. A
    value valid as exactly one of the two is that one; one valid as neither is taken
    for the kind it most looks like (17 digits then a digit or X: a mistyped ID).
    """
    value = compact(raw).upper()
    if len(value) != 18:
        return "id_number" if value[:17].isdigit() or not value else "uscc"
    looks_like_id = value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")
    if not looks_like_id:
        return "uscc"
    if check_citizen_id(value).ok:
        return "id_number"
    return "uscc" if check_uscc(value).ok else "id_number"


def identify(raw: str | None) -> CheckResult:
    """Check a value typed where a citizen ID or a USCC may go, as whichever it is."""
    return check_uscc(raw) if identifier_kind(raw) == "uscc" else check_citizen_id(raw)


def mask_citizen_id(value: str) -> str:
    """First 6 and last 4 only: 110105********002X."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, keeping the first and (for 3+) the last character."""
    chars = list(name)
    if len(chars) <= 1:
        return name
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]

"""One form (一表申报): normalise and check each merged field's value.

A value is always kept as entered (normalised) even when it fails a check: the
clerk sees the reason next to it and nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from hall_app.domain.bundle import FieldDef
from hall_app.domain.ids import check_citizen_id, check_uscc
from hall_app.domain.text import clean, compact, to_halfwidth

DEFAULT_MAX = {"name": 50, "text": 100, "address": 200, "number": 19}  # a bank card has up to 19 digits
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


@dataclass(frozen=True)
class FieldCheck:
    value: str
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def check_field(spec: FieldDef, raw: str | None, today: dt.date | None = None) -> FieldCheck:
    """Normalise ``raw`` for ``spec`` and say what is wrong with it, if anything."""
    value = clean(raw)
    if not value:
        return FieldCheck("", f"“{spec.label}”为必填项" if spec.required else None)
    limit = spec.max_length or DEFAULT_MAX.get(spec.type)
    if limit and len(value) > limit:
        return FieldCheck(value, f"“{spec.label}”最多{limit}个字，现有{len(value)}个")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in value):
        return FieldCheck(value, f"“{spec.label}”含有不可见或无法识别的字符")
    pictures = [ch for ch in value if is_pictograph(ch)]
    if pictures:
        return FieldCheck(value, f"“{spec.label}”含有表情或图形符号（{''.join(dict.fromkeys(pictures))}），请删除")
    kind = spec.type
    if kind == "citizen_id":
        result = check_citizen_id(value, today)
        return FieldCheck(result.value, result.error, result.warnings)
    if kind == "uscc":
        result = check_uscc(value)
        return FieldCheck(result.value, result.error, result.warnings)
    if kind == "phone":  # a mobile or a landline with its area code (a firm's 联系电话)
        return check_phone(value, spec.label)
    if kind == "mobile":
        digits = compact(value)
        if digits.startswith("+86"):
            digits = digits[3:]
        if not _MOBILE.match(digits):
            return FieldCheck(digits, f"“{spec.label}”应为11位手机号码（1开头）")
        return FieldCheck(digits)
    if kind == "date":  # blanks go, separators stay: 2026-1-5 is not 202615
        return _check_date(spec, "".join(ch for ch in to_halfwidth(value) if not ch.isspace()), today)
    if kind == "number":
        digits = compact(value)
        if not digits.isdigit():
            return FieldCheck(digits, f"“{spec.label}”只能填数字")
        return FieldCheck(str(int(digits)))
    if kind == "choice":
        if value not in spec.choices:
            return FieldCheck(value, f"“{spec.label}”请从以下选项中选择：{'、'.join(spec.choices)}")
        return FieldCheck(value)
    if kind == "name":
        if any(ch.isdigit() for ch in value):
            return FieldCheck(value, f"“{spec.label}”不应含有数字")
        odd = [ch for ch in value if not _name_char(ch)]
        if odd:
            return FieldCheck(value, f"“{spec.label}”不应含有“{''.join(dict.fromkeys(odd))}”"
                                     "（姓名只用汉字、字母和间隔号·）")
        return FieldCheck(value.replace(" ", "") if _all_cjk(value) else value)
    return FieldCheck(value)


_LANDLINE = re.compile(r"^0\d{9,11}$")


def check_phone(raw: str | None, label: str = "联系电话") -> FieldCheck:
    """A contact number: a mobile (11 digits, 1…) or a landline with its area code (0…);
    empty is allowed (the field is optional where this is used)."""
    digits = compact(raw)
    if not digits:
        return FieldCheck("")
    if digits.startswith("+86"):
        digits = digits[3:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return FieldCheck(digits)
    count = sum(ch.isdigit() for ch in digits)
    return FieldCheck(digits, f"“{label}”应为11位手机号码（1开头）或带区号的固定电话，现为{count}位"
                      + ("" if digits.isdigit() else "且含非数字字符"))


def _all_cjk(value: str) -> bool:
    return all(not ch.isascii() for ch in value.replace(" ", ""))


def is_pictograph(ch: str) -> bool:
    """An emoji, a pictograph or an emoji modifier: never part of a name, an address or a
    form's free text (they do not print on official documents and no register holds them)."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _PICTOGRAPHS)


_PICTOGRAPHS = (
    (0x1F000, 0x1FAFF),  # mahjong .. symbols and pictographs extended-A, flags, skin tones
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats (☀ ✂ ❤)
    (0x2B00, 0x2BFF),  # arrows and stars (⭐)
    (0x231A, 0x23FF),  # watch, hourglass, media keys (⌚ ⏰)
    (0xFE00, 0xFE0F),  # variation selectors (emoji presentation)
    (0x20E3, 0x20E3),  # combining keycap
    (0xE0000, 0xE007F),  # tags
)
_NAME_MARKS = set(" ·•・.-'")


def _name_char(ch: str) -> bool:
    return ch in _NAME_MARKS or unicodedata.category(ch)[0] in "LM"


def is_past_only(spec: FieldDef) -> bool:
    """A date that cannot lie in the future: a birth or a death."""
    return spec.key.endswith(("birth_date", "death_date")) or any(w in spec.label for w in ("出生", "死亡"))


def _check_date(spec: FieldDef, value: str, today: dt.date | None = None) -> FieldCheck:
    for pattern in _DATE_FORMS:
        match = pattern.match(value)
        if match:
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return FieldCheck(value, f"“{spec.label}”的日期不存在：{value}")
            today = today or dt.date.today()
            if is_past_only(spec) and day > today:
                return FieldCheck(day.isoformat(), f"“{spec.label}”{day.isoformat()}晚于今天，请核对")
            if day.year < 1880:
                return FieldCheck(day.isoformat(), f"“{spec.label}”{day.isoformat()}不合理，请核对")
            return FieldCheck(day.isoformat())
    return FieldCheck(value, f"“{spec.label}”应为日期，如 2026-11-21")

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
from hall_app.domain.text import clean, compact

DEFAULT_MAX = {"name": 50, "text": 100, "address": 200, "number": 12}
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
    kind = spec.type
    if kind == "citizen_id":
        result = check_citizen_id(value, today)
        return FieldCheck(result.value, result.error, result.warnings)
    if kind == "uscc":
        result = check_uscc(value)
        return FieldCheck(result.value, result.error, result.warnings)
    if kind == "mobile":
        digits = compact(value)
        if digits.startswith("+86"):
            digits = digits[3:]
        if not _MOBILE.match(digits):
            return FieldCheck(digits, f"“{spec.label}”应为11位手机号码（1开头）")
        return FieldCheck(digits)
    if kind == "date":
        return _check_date(spec, compact(value))
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
        return FieldCheck(value.replace(" ", "") if _all_cjk(value) else value)
    return FieldCheck(value)


def _all_cjk(value: str) -> bool:
    return all(not ch.isascii() for ch in value.replace(" ", ""))


def _check_date(spec: FieldDef, value: str) -> FieldCheck:
    for pattern in _DATE_FORMS:
        match = pattern.match(value)
        if match:
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return FieldCheck(value, f"“{spec.label}”的日期不存在：{value}")
            return FieldCheck(day.isoformat())
    return FieldCheck(value, f"“{spec.label}”应为日期，如 2026-11-21")

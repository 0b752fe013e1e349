"""Checking settings values with pydantic (imported only when there is something to
check; see hall_app/config.py). Every problem names its key and where it came from."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any, get_type_hints

from pydantic import TypeAdapter, ValidationError

from hall_app.config import FLAT, SECTIONS

KEY_TOKEN = re.compile(r"^([A-Za-z0-9_+\-]+|\S)$")


@cache
def _adapter(section: str, key: str) -> TypeAdapter:
    hints = get_type_hints(SECTIONS[section], include_extras=True)
    return TypeAdapter(hints[key])


def reason(error: dict) -> str:
    """pydantic's error, in Chinese."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_type":
        return "应为文字（在配置文件中用引号括起）"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "应为整数"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "应为数字"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "literal_error":
        return "应为以下之一：" + str(ctx.get("expected", "")).replace(" or ", ", ")
    if kind in ("list_type", "tuple_type"):
        return "应为列表（[...]）"
    return str(error.get("msg", kind))


def check_entries(entries: list[tuple[str, Any, str, str]],
                  problems: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Section dataclasses from (key, value, source, written as) in order of precedence.

    A value from the file must have the right type already (TOML has numbers and
    quotes); one from a HALL_* variable or the command line is text and is converted.
    Returns the sections and, for each key set, where its value came from.
    """
    good: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[str, str] = {}
    for key, value, source, shown in entries:
        section = FLAT[key]
        strict = source.startswith("配置文件")
        try:
            good[section][key] = _adapter(section, key).validate_python(value, strict=strict)
        except ValidationError as exc:
            label = f"{source}：{shown}" if shown else source
            why = reason(exc.errors()[0])
            if strict and isinstance(value, str) and exc.errors()[0]["type"] in ("int_type", "float_type"):
                why += f"（数字不加引号：{key} = {value.strip()}）"
            problems.append(f"{label} = {value!r} 有误：{why}")
            continue
        sources[key] = source
    return {name: SECTIONS[name](**values) for name, values in good.items()}, sources


def check_tables(tables: dict[str, Any], where: str,
                 problems: list[str]) -> tuple[dict[str, dict[str, list[str]]], dict[str, str]]:
    return _calendar(tables.get("calendar", {}), where, problems), _keymap(tables.get("keymap", {}), where, problems)


def _calendar(data: Any, where: str, problems: list[str]) -> dict[str, dict[str, list[str]]]:
    if not isinstance(data, dict):
        problems.append(f"{where}：calendar 应为一节（[calendar.\"2027\"]）")
        return {}
    out: dict[str, dict[str, list[str]]] = {}
    for year, spec in data.items():
        at = f"calendar.\"{year}\""
        if not re.fullmatch(r"\d{4}", str(year)):
            problems.append(f"{where}：{at} 的年份应为四位数字")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}：{at} 应为一节，含 holidays 与 workdays")
            continue
        days: dict[str, list[str]] = {}
        for key, listed in spec.items():
            if key not in ("holidays", "workdays"):
                problems.append(f"{where}：{at} 中的 {key} 不是已知设置（应为 holidays 或 workdays）")
                continue
            if not isinstance(listed, list):
                problems.append(f"{where}：{at}.{key} 应为日期列表，如 [\"{year}-01-01\"]")
                continue
            days[key] = []
            for item in listed:
                try:
                    day = item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item))
                except ValueError:
                    problems.append(f"{where}：{at}.{key} 中的 {item!r} 不是日期（应为 {year}-MM-DD）")
                    continue
                if str(day.year) != str(year):
                    problems.append(f"{where}：{at}.{key} 中的 {day} 不在 {year} 年")
                    continue
                days[key].append(day.isoformat())
        out[str(year)] = days
    return out


def _keymap(data: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(data, dict):
        problems.append(f"{where}：keymap 应为一节（[keymap]）")
        return {}
    out: dict[str, str] = {}
    for binding_id, keys in data.items():
        at = f"keymap.\"{binding_id}\""
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f"{where}：{at} 应为按键文字，如 \"f2\" 或 \"ctrl+n,f2\"")
            continue
        tokens = [k.strip() for k in keys.split(",")]
        bad = [k for k in tokens if not KEY_TOKEN.match(k)]
        if bad:
            problems.append(f"{where}：{at} 中的按键 {bad[0]!r} 写法不对（如 f2、ctrl+n、escape、slash）")
            continue
        out[str(binding_id)] = ",".join(tokens)
    return out


__all__ = ["check_entries", "check_tables", "reason"]

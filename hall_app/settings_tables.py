"""Checking the settings tables ``[calendar."YYYY"]`` and ``[keymap]`` (no pydantic:
they are checked on every start, even when the plain keys' check is remembered)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

KEY_TOKEN = re.compile(r"^([A-Za-z0-9_+\-]+|\S)$")


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
    for binding_id, keys in _dotted(data):
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


def _dotted(data: dict, prefix: str = ""):
    """``workbench.new = "f9"`` unquoted is a nested table in TOML: the same binding id."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _dotted(value, name + ".")
        else:
            yield name, value

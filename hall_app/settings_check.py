"""Checking settings values with pydantic (imported only when there is something to
check; see hall_app/config.py). Every problem names its key and where it came from."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, get_type_hints

from annotated_types import Ge, Gt, Le
from pydantic import TypeAdapter, ValidationError

from hall_app import config
from hall_app.config import FLAT, SECTIONS

# the constrained types named in hall_app/config.py (kept out of it: importing them costs)
Port = Annotated[int, Ge(1), Le(65535)]
Days = Annotated[int, Ge(1), Le(365)]
Interval = Annotated[float, Gt(0), Le(86400)]
PerMinute = Annotated[float, Gt(0), Le(100000)]
Seconds = Annotated[float, Ge(0), Le(3600)]  # 0: off
Minutes = Annotated[float, Ge(0.5), Le(600)]


@cache
def _adapter(section: str, key: str) -> TypeAdapter:
    names = {**vars(config), "Port": Port, "Days": Days, "Interval": Interval, "PerMinute": PerMinute,
             "Seconds": Seconds, "Minutes": Minutes}
    hints = get_type_hints(SECTIONS[section], globalns=names, include_extras=True)
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


__all__ = ["check_entries", "reason"]

"""The one ArgumentParser every ``hall-app`` (sub)command uses: usage and errors in Chinese.

Sub-parsers inherit it (argparse builds a sub-parser with its parent's class), so the
top-level parsers in hall_app.cli are the only places that name it. Exit code on a usage
error stays 2.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from functools import cache
from typing import Any, NoReturn

from hall_app.cli import strings
from hall_app.cli.common import EXIT_USAGE

_MESSAGES = tuple((re.compile(pattern, re.DOTALL), template) for pattern, template in strings.ARGPARSE_MESSAGES)


def translate(message: str) -> str:
    """argparse's English message in Chinese; a message it does not know (one of ours,
    already Chinese, from an ArgumentTypeError) is returned as it is."""
    for pattern, template in _MESSAGES:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        parts = match.groupdict()
        if "message" in parts:
            parts["message"] = translate(parts["message"])
        if "type" in parts:
            parts["type"] = strings.TYPE_NAMES.get(parts["type"], strings.OTHER_TYPE)
        return template.format(**parts)
    return message


def _columns(text: str) -> int:
    """Terminal columns of ``text`` (a CJK character or full-width punctuation takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _ChineseUsage(argparse.HelpFormatter):
    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse indents the wrapped lines by len(prefix); a stand-in as wide as
        # "用法：" on screen keeps them under the first line's options.
        if prefix is not None:
            return super()._format_usage(usage, actions, groups, prefix)
        stand_in = "\0" * _columns(strings.USAGE_PREFIX)
        text = super()._format_usage(usage, actions, groups, stand_in)
        return text.replace(stand_in, strings.USAGE_PREFIX, 1)


@cache
def _formatter(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    if issubclass(base, _ChineseUsage):
        return base
    return type(f"Chinese{base.__name__}", (_ChineseUsage, base), {})


class HallArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["formatter_class"] = _formatter(kwargs.get("formatter_class", argparse.HelpFormatter))
        super().__init__(*args, **kwargs)
        self._positionals.title = strings.POSITIONALS_TITLE
        self._optionals.title = strings.OPTIONALS_TITLE
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = strings.HELP_HELP

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, strings.ERROR_LINE.format(prog=self.prog, message=translate(message)))

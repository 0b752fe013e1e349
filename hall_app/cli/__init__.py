"""The ``hall-app`` command line. With no command it opens the full-screen app.

Each command group lives in its own module and registers its sub-parsers; user
mistakes end with a plain message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from hall_app.cli.common import UserError

if TYPE_CHECKING:
    import argparse

# Each group's module and the top-level commands it registers or extends (`find` adds
# `bundles find`); tests/test_cli_tui_path.py keeps this equal to what they register.
GROUPS: dict[str, tuple[str, ...]] = {
    "hall_app.cli.catalog": ("bundles", "plan"),
    "hall_app.cli.find": ("bundles",),
    "hall_app.cli.cases": ("demo", "print", "case"),
    "hall_app.cli.admin": ("db", "user"),
    "hall_app.cli.sync": ("enroll", "sync", "scan"),
    "hall_app.cli.server": ("server",),
    "hall_app.cli.config": ("config",),
    "hall_app.cli.report": ("report",),
    "hall_app.cli.ratings": ("rate", "follow-ups", "follow-up"),
    "hall_app.cli.queue": ("queue",),  # issue 10
    "hall_app.cli.queue_screens": ("kiosk", "display", "dashboard", "rate-pad"),  # issue 10
    "hall_app.cli.dept": ("dept", "todo"),  # issue 12: the department's inbox
    "hall_app.cli.enquiry": ("enquiry",),  # issue 12: 咨询 / 首问负责 / 办不成事
}
KNOWN_COMMANDS = frozenset(c for commands in GROUPS.values() for c in commands)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every group's commands; with ``command`` (the one being run), only the groups that
    register it: a command does not import and build all the others (``--help`` and a
    mistyped command still get them all)."""
    import importlib

    from hall_app.cli.parser import HallArgumentParser

    parser = HallArgumentParser(prog="hall-app", description="政务服务中心“一件事一次办”综合窗口终端")
    parser.add_argument("--db", help="SQLite 数据库文件（默认在用户数据目录；也可用环境变量 HALL_DB）")
    parser.add_argument("--config", help="配置文件（默认 ./hall-app.toml 或用户配置目录）")
    parser.add_argument("--no-demo", action="store_true", help="空数据库首次启动时不装入演示数据")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = command if command in KNOWN_COMMANDS else None
    for name, commands in GROUPS.items():
        if only is not None and only not in commands:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    _global_options_everywhere(parser)
    return parser


def _global_options_everywhere(parser: argparse.ArgumentParser, top: bool = True) -> None:
    """Accept --db/--config after the command too (hall-app demo --db x.db)."""
    import argparse

    if not top and "--db" not in parser._option_string_actions:  # `server` has its own --db URL
        parser.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        parser.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _global_options_everywhere(child, top=False)


TUI_OPTIONS = {"--db": True, "--config": True, "--no-demo": False}  # option -> takes a value


def _tui_only(argv: Sequence[str]) -> bool:
    """True when ``argv`` names no command (only the full-screen app's own options, each
    value given: anything else, a mistake included, goes to the full parser and its
    Chinese message)."""
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[0]
        if name not in TUI_OPTIONS:
            return False
        if "=" in item and not TUI_OPTIONS[name]:
            return False  # --no-demo=x
        if TUI_OPTIONS[name] and "=" not in item:
            value = next(items, None)
            if value is None or value.startswith("-"):
                return False
    return True


def _command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word after the top-level options), if any."""
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[0]
        if name in TUI_OPTIONS:
            if TUI_OPTIONS[name] and "=" not in item:
                next(items, None)
            continue
        return None if item.startswith("-") else item
    return None


def tui_args(argv: Sequence[str]) -> SimpleNamespace:
    """The full-screen app's own options (``argv`` passed :func:`_tui_only`), read as the
    full parser reads them (the last of a repeated option wins) without argparse: opening
    the app imports no parser before its first frame."""
    values: dict[str, str | None] = {"db": None, "config": None}
    no_demo = False
    items = iter(argv)
    for item in items:
        name, equals, value = item.partition("=")
        if name == "--no-demo":
            no_demo = True
        else:
            values[name[2:]] = value if equals else next(items)
    return SimpleNamespace(command=None, no_demo=no_demo, **values)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = tui_args(argv) if _tui_only(argv) else build_parser(_command_of(argv)).parse_args(argv)
    handler: Callable | None = getattr(args, "handler", None)
    try:
        if handler is None:
            from hall_app.cli.tui import run_tui

            return run_tui(args)
        return int(handler(args) or 0)
    except UserError as exc:
        print(f"hall-app: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""`hall-app` with no command opens the full-screen app without building every
command's parser (and importing its module) before the first frame."""

from __future__ import annotations

import subprocess
import sys

from hall_app.cli import _tui_only, build_parser, tui_args


def test_only_the_apps_own_options_take_the_short_path():
    for argv in ([], ["--db", "x.db"], ["--db=x.db", "--no-demo"], ["--config", "c.toml", "--db", "d.db"]):
        assert _tui_only(argv), argv
    for argv in (["demo"], ["--db"], ["-h"], ["--help"], ["--db", "x.db", "demo"], ["bundles", "list"],
                 ["--db", "--no-demo"], ["--no-demo=1"], ["--no"], ["--db", "-"]):
        assert not _tui_only(argv), argv  # the full parser reads it (and says what is wrong)


def test_the_short_parser_reads_what_the_full_one_reads():
    for argv in ([], ["--db", "x.db", "--no-demo"], ["--config", "c.toml"], ["--db=a=b.db", "--config=c"],
                 ["--db", "a.db", "--db", "b.db"], ["--no-demo", "--no-demo", "--config", "年.toml"]):
        assert _tui_only(argv), argv
        short, full = vars(tui_args(argv)), vars(build_parser().parse_args(argv))
        keys = ("db", "config", "no_demo", "command")
        assert {k: short[k] for k in keys} == {k: full[k] for k in keys}, argv
        assert full.get("handler") is None and "handler" not in short


def test_no_command_module_nor_argparse_is_imported_on_the_way_to_the_app():
    code = ("import sys; from hall_app.cli import _tui_only, tui_args; "
            "assert _tui_only(['--db', 'x']); tui_args(['--db', 'x']); "
            "print(sorted(m for m in sys.modules if m.startswith('hall_app.cli.') or m in ('argparse', 'gettext')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['hall_app.cli.common']"  # no command module, no parser (argparse, its regexes)


def test_the_group_table_names_what_each_group_registers():
    """GROUPS is what a command's parser is built from: each group must add or extend
    exactly the commands listed for it (a new command left out would be unreachable)."""
    import argparse
    import importlib

    from hall_app.cli import GROUPS

    sub = argparse.ArgumentParser().add_subparsers()

    def shape() -> dict[str, tuple]:
        out = {}
        for name, parser in sub.choices.items():
            nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            out[name] = (id(parser), tuple(nested[0].choices) if nested else (), len(parser._actions))
        return out

    for module, commands in GROUPS.items():
        before = shape()
        importlib.import_module(module).register(sub)
        after = shape()
        assert tuple(c for c in after if before.get(c) != after[c]) == commands, module


def test_a_command_builds_only_its_own_groups_and_the_rest_still_parse():
    code = ("import sys; from hall_app.cli import build_parser, _command_of; "
            "argv = ['--db', 'x.db', 'bundles', 'find', 'gzf']; "
            "args = build_parser(_command_of(argv)).parse_args(argv); "
            "print(args.command, sorted(m for m in sys.modules if m.startswith('hall_app.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("bundles ['hall_app.cli.bundle_dictionary', 'hall_app.cli.bundle_review', "
                           "'hall_app.cli.catalog', 'hall_app.cli.common', 'hall_app.cli.find', "
                           "'hall_app.cli.parser', 'hall_app.cli.strings']")  # and nothing else
    from hall_app.cli import _command_of

    assert _command_of(["--db", "x.db", "queue", "status"]) == "queue"
    assert _command_of(["--db=x.db", "demo"]) == "demo" and _command_of(["-h"]) is None
    assert _command_of(["--no-demo"]) is None

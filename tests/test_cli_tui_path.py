"""`hall-app` with no command opens the full-screen app without building every
command's parser (and importing its module) before the first frame."""

from __future__ import annotations

import subprocess
import sys

from hall_app.cli import _tui_only, build_parser, tui_parser


def test_only_the_apps_own_options_take_the_short_path():
    for argv in ([], ["--db", "x.db"], ["--db=x.db", "--no-demo"], ["--config", "c.toml", "--db", "d.db"]):
        assert _tui_only(argv), argv
    for argv in (["demo"], ["--db"], ["-h"], ["--help"], ["--db", "x.db", "demo"], ["bundles", "list"]):
        assert not _tui_only(argv), argv


def test_the_short_parser_reads_what_the_full_one_reads():
    for argv in ([], ["--db", "x.db", "--no-demo"], ["--config", "c.toml"]):
        short, full = vars(tui_parser().parse_args(argv)), vars(build_parser().parse_args(argv))
        assert {k: short[k] for k in ("db", "config", "no_demo")} == {k: full[k] for k in ("db", "config", "no_demo")}
        assert full.get("handler") is None and "handler" not in short


def test_no_command_module_is_imported_on_the_way_to_the_app():
    code = ("import sys; from hall_app.cli import _tui_only, tui_parser; "
            "assert _tui_only(['--db', 'x']); tui_parser().parse_args(['--db', 'x']); "
            "print(sorted(m for m in sys.modules if m.startswith('hall_app.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['hall_app.cli.common']"

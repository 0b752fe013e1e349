"""`hall-app server enroll-code --scope …`: every form its help shows is accepted.

The help said `kiosk:大厅/取号机` while hall, window and device parts are codes
(`kiosk:JJ01/K1`, as docs/server.md and the scope table have it), so the form a reader
copied (`kiosk:JJ01/取号机`) was refused. The help now gives examples as typed; the
refusal says the parts are codes and shows one.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest
from harness import ROOT

from hall_app.cli import build_parser
from hall_app.server.auth import AuthError, parse_scope
from hall_app.server.scopes import SCOPE_TABLE


def scope_help() -> str:
    parser = build_parser("server")
    server = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["server"]
    actions = next(a for a in server._actions if isinstance(a, argparse._SubParsersAction))
    return next(a.help for a in actions.choices["enroll-code"]._actions if "--scope" in a.option_strings)


def examples() -> list[str]:
    return re.findall(r"\b([a-z]+:[^\s（]+)", scope_help())


def test_every_form_in_the_help_is_accepted():
    shown = examples()
    assert {s.split(":", 1)[0] for s in shown} == set(SCOPE_TABLE)  # every kind, supervisor included
    for scope in shown:
        parse_scope(scope)  # raises AuthError on a refused form


def test_the_kiosk_form_of_the_help_makes_a_code(tmp_path):
    kiosk = next(s for s in examples() if s.startswith("kiosk:"))
    done = subprocess.run([sys.executable, "-m", "hall_app", "server", "enroll-code", "--scope", kiosk,
                           "--db", str(tmp_path / "server.db")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"范围 {kiosk}，" in done.stdout


def test_a_name_where_a_code_belongs_is_refused_with_the_reason():
    with pytest.raises(AuthError) as refused:
        parse_scope("kiosk:JJ01/取号机")
    assert "编号" in str(refused.value) and "kiosk:JJ01/K1" in str(refused.value)

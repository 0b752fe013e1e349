"""`hall-app bundles find PHRASE [--json]`: the need-word search on the command line."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


def hall(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_find_json_lists_ranked_bundles_with_score_why_and_difference():
    proc = hall("bundles", "find", "公司不做了要注销", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["code"] for r in rows[:2]] == ["general_deregistration", "simple_deregistration"]
    assert set(rows[0]) == {"rank", "code", "name", "score", "why", "complete", "differs"}
    assert rows[0]["rank"] == 1 and rows[0]["name"] == "企业普通注销"
    assert rows[0]["score"] > rows[1]["score"] > 0 and rows[0]["why"].startswith("关键词：")
    assert rows[0]["differs"] and rows[1]["differs"]


def test_find_text_marks_bundles_not_yet_offered(monkeypatch, capsys):
    proc = hall("bundles", "find", "gzf", "--limit", "2")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.splitlines()[0]
    assert "public_rental_housing" in line and "公租房申请" in line and "拼音" in line
    assert "暂不受理" not in line  # complete: offered at the window

    # the same catalog with 公租房申请 still a draft: listed, and marked as not offered
    from bundles import loader
    from hall_app.cli.find import NOT_OFFERED, cmd_find
    from hall_app.domain.catalog import Catalog, CatalogEntry

    real = loader.load_catalog()
    draft = Catalog(CatalogEntry(e.bundle.model_copy(update={"complete": False}), e.content_hash, e.source_file)
                    if e.bundle.code == "public_rental_housing" else e
                    for e in (real.entry(b.code) for b in real))
    monkeypatch.setattr(loader, "load_catalog", lambda *args, **kwargs: draft)
    assert cmd_find(argparse.Namespace(phrase=["gzf"], limit=2, offered=False, json=False)) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "public_rental_housing" in line and NOT_OFFERED in line


def test_find_several_words_and_offered_only():
    proc = hall("bundles", "find", "开", "火锅店", "--offered", "--json")
    rows = json.loads(proc.stdout)
    assert rows[0]["code"] == "open_hotpot_restaurant" and all(r["complete"] for r in rows)


def test_find_nothing_is_a_message_and_exit_1():
    proc = hall("bundles", "find", "我要办一下")
    assert proc.returncode == 1
    assert "没有找到" in proc.stderr and proc.stdout == ""
    assert hall("bundles", "find", "x", "--limit", "0").returncode == 2


def test_find_loads_neither_the_database_layer_nor_the_screens():
    code = ("import sys; from hall_app.cli import main; main(['bundles', 'find', '公司注销']); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'textual', 'reportlab'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"

"""Published bundle versions flow to devices (cases keep theirs); the department
simulator moves dispatched items along; the server stays free of UI and printing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import httpx
import pytest
from harness import ROOT, dispatched_case, enroll, make_device, projections

from bundles.loader import CATALOG_DIR
from hall_app.server.results import DepartmentSimulator
from hall_app.store.models import BundleVersion
from hall_app.sync.core import sync_once


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hall_app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.postgres
def test_published_bundles_are_immutable_versions_and_cases_keep_theirs(tmp_path, pg_url, server_engine, server):
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copy(CATALOG_DIR / "newborn.toml", folder / "newborn.toml")
    first = cli("server", "publish-bundles", str(folder), "--db", pg_url)
    assert first.returncode == 0 and "已发布  newborn" in first.stdout and "第 1 版" in first.stdout
    assert "未变化" in cli("server", "publish-bundles", str(folder / "newborn.toml"), "--db", pg_url).stdout

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    sync_once(a)
    old_case = a.cases.start("newborn", "zhangli")
    path = folder / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'summary = "', 'summary = "（2027年起）', 1), encoding="utf-8")  # the file changes: a new version
    second = cli("server", "publish-bundles", str(path), "--db", pg_url)
    assert second.returncode == 0 and "第 2 版" in second.stdout
    report = sync_once(a)
    assert report.pull.bundles == 1
    with a.read() as session:
        versions = sorted(r.version for r in session.query(BundleVersion).filter_by(code="newborn"))
    assert versions == [1, 2]
    new_case = a.cases.start("newborn", "zhangli")
    assert new_case.bundle_version == 2 and new_case.bundle_hash != old_case.bundle_hash
    kept = a.cases.get(old_case.case_id)
    assert kept.bundle_version == 1
    assert a.catalog_service.bundle_for("newborn", kept.bundle_hash).summary.startswith("新生儿")
    assert a.catalog_service.bundle_for("newborn", new_case.bundle_hash).summary.startswith("（2027年起）")
    broken = folder / "broken.toml"
    broken.write_text('code = "broken"\n', encoding="utf-8")
    refused = cli("server", "publish-bundles", str(broken), "--db", pg_url)
    assert refused.returncode != 0 and "未发布" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.postgres
def test_department_simulator_moves_dispatched_items_to_completion(tmp_path, server_engine, server):
    a, b = make_device(tmp_path, "a"), make_device(tmp_path, "b")
    enroll(a, server_engine, server.url)
    enroll(b, server_engine, server.url)
    case_id = dispatched_case(a)
    sync_once(a)
    now = [0.0]
    simulator = DepartmentSimulator(server_engine, delay=30, clock=lambda: now[0])
    assert simulator.step() == 0  # not before the delay
    items = len(a.cases.get(case_id).items)
    for expected in ("received", "approved", "completed"):
        now[0] += 31
        assert simulator.step() == items
        sync_once(b)
        assert {i["status"] for i in b.cases.get(case_id).items.values()} == {expected}
    assert simulator.step() == 0
    sync_once(a)
    state = a.cases.get(case_id)
    assert state.status == "completed" and all(i["document"].startswith("SIM-") for i in state.items.values())
    assert projections(a) == projections(b)
    page = httpx.get(f"{server.url}/t/{state.tracking_code}")
    assert "已办结" in page.text


def test_server_and_sync_import_no_ui_or_printing():
    code = ("import sys, hall_app.server.app, hall_app.server.results, hall_app.cli.server, hall_app.cli.sync, "
            "hall_app.sync.runner, hall_app.sync.core\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'reportlab', 'qrcode', 'screens', 'printing'))))")
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []

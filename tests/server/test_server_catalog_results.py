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
    reviews = str(tmp_path / "reviews.toml")
    unreviewed = cli("server", "publish-bundles", str(folder), "--db", pg_url, "--reviews", reviews)
    assert unreviewed.returncode == 1 and "未经审核发布" in unreviewed.stderr and "已发布" not in unreviewed.stdout

    def review_and_release() -> None:
        for step in (["review", "newborn", "--as", "王审核（市卫生健康委）"], ["publish", "newborn", "--as", "李发布"]):
            done = cli("bundles", *step, "--dir", str(folder), "--reviews", reviews)
            assert done.returncode == 0, done.stderr

    review_and_release()
    first = cli("server", "publish-bundles", str(folder), "--db", pg_url, "--reviews", reviews)
    assert first.returncode == 0 and "已发布  newborn" in first.stdout and "第 1 版" in first.stdout
    assert "未变化" in cli("server", "publish-bundles", str(folder / "newborn.toml"), "--db", pg_url,
                         "--reviews", reviews).stdout

    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    sync_once(a)
    old_case = a.cases.start("newborn", "zhangli")
    path = folder / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'summary = "', 'summary = "（2027年起）', 1), encoding="utf-8")  # the file changes: a new version
    edited = cli("server", "publish-bundles", str(path), "--db", pg_url, "--reviews", reviews)
    assert edited.returncode == 1 and "第 2 版" not in edited.stdout  # an edit after review does not go out
    review_and_release()
    second = cli("server", "publish-bundles", str(path), "--db", pg_url, "--reviews", reviews)
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


def dept_client(server_engine, url: str, scope: str, device_id: str):
    from hall_app.server.auth import make_enrollment_code
    from hall_app.sync.client import ServerClient

    token = ServerClient(url).enroll(make_enrollment_code(server_engine, scope), device_id)["token"]
    return lambda **body: httpx.post(f"{url}/v1/results", json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.postgres
def test_a_department_posts_results_only_for_its_own_items_in_halls_it_serves(tmp_path, server_engine, server):
    a = make_device(tmp_path, "a")
    enroll(a, server_engine, server.url)
    case_id = dispatched_case(a)
    sync_once(a)
    police = dept_client(server_engine, server.url, "dept:市公安局", "gaj")
    health = dept_client(server_engine, server.url, "dept:市卫生健康委@JJ01", "wjw")
    elsewhere = dept_client(server_engine, server.url, "dept:市卫生健康委@JJ02", "wjw-2")
    others = police(case_id=case_id, item="birth_certificate", status="completed", result_id="x1")
    assert others.status_code == 403 and "市卫生健康委" in others.json()["detail"]
    wrong_hall = elsewhere(case_id=case_id, item="birth_certificate", status="received", result_id="x2")
    assert wrong_hall.status_code == 403 and "大厅" in wrong_hall.json()["detail"]
    unknown = police(case_id=case_id, item="no_such_item", status="received", result_id="x3")
    assert unknown.status_code == 409
    assert police(case_id=case_id, item="household_registration", status="received", result_id="ok1").status_code == 200
    assert health(case_id=case_id, item="birth_certificate", status="received", result_id="ok2").status_code == 200
    sync_once(a)
    items = a.cases.get(case_id).items
    assert items["household_registration"]["status"] == items["birth_certificate"]["status"] == "received"
    assert items["vaccination_certificate"]["status"] == "dispatched"
    from hall_app.store.models import Device

    with a.read() as session:
        token = session.get(Device, a.device_id).token
    hall_device = httpx.post(f"{server.url}/v1/results", headers={"Authorization": f"Bearer {token}"},
                             json={"case_id": case_id, "item": "birth_certificate", "status": "completed"})
    assert hall_device.status_code == 403 and "大厅设备" in hall_device.json()["detail"]

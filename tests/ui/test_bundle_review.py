"""Bundle review in the TUI (套餐审核): reachable for supervisors and admins (Ctrl+S on the
workbench, the command palette), the list with each bundle's state, one bundle opened
with everything its reviewer reads and the ``bundles check`` findings, approved with a
comment and published through the service: the records say who, when and what."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bundles.loader import CATALOG_DIR
from bundles.reviews import read_records
from tests.test_bundle_checks import GOOD
from tests.ui.helpers import login, press, screen_text, settle, type_text

SIZE = (100, 32)
# tiny: passes the file checks, but a question no condition uses fails the audit
UNUSED = GOOD.replace('[[rules]]', '[[questions]]\nid = "idle"\ntext = "是否有闲置设备？"\n\n[[rules]]', 1)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    return review_folder(tmp_path, monkeypatch)


def review_folder(tmp_path, monkeypatch):
    """Three bundles: newborn (checked), a draft (complete = false), tiny (fails the audit);
    the review records in a file of the test's own (also for tests/ui/test_snapshots.py)."""
    d = tmp_path / "catalog"
    d.mkdir()
    shutil.copy(CATALOG_DIR / "newborn.toml", d / "newborn.toml")
    draft = (CATALOG_DIR / "public_rental_housing.toml").read_text(encoding="utf-8")
    (d / "public_rental_housing.toml").write_text(draft.replace("complete = true", "complete = false", 1),
                                                  encoding="utf-8")
    (d / "tiny.toml").write_text(UNUSED, encoding="utf-8")
    monkeypatch.setenv("HALL_BUNDLE_REVIEWS", str(tmp_path / "reviews.toml"))
    return d


async def open_list(pilot, folder):
    from screens.bundle_review import BundleReviewScreen

    await login(pilot, "admin", "admin123")
    pilot.app.push_screen(BundleReviewScreen([folder]))
    await settle(pilot)
    return pilot.app.screen


async def open_bundle(pilot, folder, code: str):
    screen = await open_list(pilot, folder)
    table = screen.query_one("#bundles")
    table.move_cursor(row=[fs.entry.bundle.code for fs in screen.found].index(code))
    await press(pilot, "enter")
    return pilot.app.screen


async def test_a_clerk_has_no_review_key_a_supervisor_and_the_palette_do(app, folder, monkeypatch):
    import bundles.loader

    monkeypatch.setattr(bundles.loader, "CATALOG_DIR", folder)  # the screen lists the shipped folder
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)  # a clerk
        assert "套餐审核" not in screen_text(app)
        await press(pilot, "ctrl+s")
        assert type(app.screen).__name__ == "WorkbenchScreen"
        await press(pilot, "ctrl+l")
        await login(pilot, "chenjing", "demo123")  # a supervisor (值班长)
        assert "^s  套餐审核" in screen_text(app)
        await press(pilot, "ctrl+s")
        assert type(app.screen).__name__ == "BundleReviewScreen"
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        await type_text(pilot, "tcsh")  # pinyin initials of 套餐审核
        await asyncio.sleep(0.8)  # past Textual's 0.5 s "no matches" countdown
        await settle(pilot)
        assert any("套餐审核（" in line for line in screen_text(app).splitlines()), screen_text(app)
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "BundleReviewScreen"


async def test_the_list_shows_each_state_the_audit_decides_not_the_file_checks(app, folder):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot, folder)
        states = {fs.entry.bundle.code: fs.status.state for fs in screen.found}
        assert states == {"newborn": "checked", "public_rental_housing": "draft", "tiny": "draft"}
        text = screen_text(app)
        assert "共 3 个套餐：草稿 2，已校验 1，已审核 0，已发布 0" in text
        assert "校验未通过：1 个错误" in text  # tiny: the audit's finding, not 校验中 or 已校验
        assert "校验中" not in text
        assert "本机受理：全部完整套餐" in text


def test_before_the_audit_a_bundle_that_passed_the_file_checks_is_not_called_checked(folder):
    from hall_app.services.bundle_review import statuses
    from screens.bundle_review import row_cells

    quick, _ = statuses([folder], audited=False)
    cells = {fs.entry.bundle.code: row_cells(fs)[0] for fs in quick}
    assert cells == {"newborn": "校验中", "public_rental_housing": "草稿", "tiny": "校验中"}
    full, _ = statuses([folder])
    assert {fs.entry.bundle.code: row_cells(fs)[0] for fs in full}["tiny"] == "草稿"


def test_coming_back_costs_only_the_file_checks(folder, monkeypatch):
    """The planner's audit is kept by content: a second listing audits nothing again, and
    a bundle edited since is audited afresh (its content hash changed)."""
    import hall_app.services.bundle_review as service

    monkeypatch.setattr(service, "_AUDITS", {})
    runs: list[str] = []
    real = service.dry_run
    monkeypatch.setattr(service, "dry_run", lambda b: runs.append(b.code) or real(b))
    first, _ = service.statuses([folder], audited="known")
    assert not any(fs.audited for fs in first) and runs == []
    service.statuses([folder])
    assert sorted(runs) == ["newborn", "public_rental_housing", "tiny"]  # as `bundles check` does
    again, _ = service.statuses([folder], audited="known")
    assert all(fs.audited for fs in again) and len(runs) == 3
    path = folder / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("promised_days = 1", "promised_days = 2", 1),
                    encoding="utf-8")
    edited, _ = service.statuses([folder], audited="known")
    assert {fs.entry.bundle.code: fs.audited for fs in edited}["newborn"] is False


async def test_approve_with_a_comment_then_publish(app, folder, tmp_path):
    reviews = tmp_path / "reviews.toml"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bundle(pilot, folder, "newborn")
        assert type(screen).__name__ == "BundleDetailScreen"
        body = str(screen.query_one("#bundle-body").render())
        for section in ("一、事项", "二、情形问题", "四、材料", "五、一表申报字段", "六、试运行", "七、校验结果：通过"):
            assert section in body, section
        assert "出生医学证明" in body
        await press(pilot, "f3")  # not reviewed yet: publishing is not open
        assert type(app.screen) is type(screen) and read_records(reviews) == []
        await press(pilot, "f2")
        assert type(app.screen).__name__ == "ReasonDialog"
        await press(pilot, "enter")  # a comment is required
        assert "请填写审核意见" in screen_text(app)
        note = "材料清单已核对，时限无误 😀 𠮷"
        await type_text(pilot, note)
        await press(pilot, "enter")
        assert app.screen is screen
        [record] = read_records(reviews)
        assert (record.code, record.status, record.by, record.note) == ("newborn", "reviewed", "管理员（admin）", note)
        text = screen_text(app)
        assert "状态：已审核（管理员（admin） 于" in text and "已记录：管理员（admin） 审核通过“新生儿出生”" in text
        await press(pilot, "f2")  # already reviewed: nothing more to approve
        assert app.screen is screen and len(read_records(reviews)) == 1
        await press(pilot, "f3")
        assert type(app.screen).__name__ == "ConfirmDialog"
        await press(pilot, "enter")
        assert app.screen is screen
        assert [r.status for r in read_records(reviews)] == ["reviewed", "published"]
        assert (tmp_path / "published" / "newborn.json").exists()  # the next review diffs against it
        assert "状态：已发布" in screen_text(app)
        await press(pilot, "escape")
        assert "已发布" in screen_text(app) and "共 3 个套餐：草稿 2，已校验 0，已审核 0，已发布 1" in screen_text(app)


async def test_a_draft_shows_the_check_findings_and_cannot_be_approved(app, folder, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bundle(pilot, folder, "tiny")
        body = str(screen.query_one("#bundle-body").render())
        assert "七、校验结果：1 个问题" in body and "idle" in body and "没有被任何" in body
        assert "校验发现 1 个问题" in screen_text(app) and "  - 问题 idle" in screen_text(app)
        await press(pilot, "f2")
        assert app.screen is screen and read_records(tmp_path / "reviews.toml") == []


async def test_a_refusal_is_said_in_chinese_and_nothing_is_recorded(app, folder, tmp_path):
    """The bundle changed on disk after it was opened: the service refuses the review of
    the shown content's successor only if it no longer passes (here it became a draft)."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_bundle(pilot, folder, "newborn")
        path = folder / "newborn.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("complete = true", "complete = false", 1),
                        encoding="utf-8")
        await press(pilot, "f2")
        await type_text(pilot, "同意")
        await press(pilot, "enter")
        assert app.screen is screen
        assert "是草稿，不能审核" in screen_text(app) and read_records(tmp_path / "reviews.toml") == []


def test_long_lines_fold_under_their_entry_by_the_chinese_rules():
    from rich.cells import cell_len

    from screens.bundle_detail import fold

    line = ("  2. 公章刻制备案｜市公安局｜法定 1 个工作日，承诺 1 个工作日｜出件：企业印章（新办企业首套免费）"
            "及印章备案信息，可邮寄（当：是否刻制企业印章：是）")
    out = fold([line, "短"], 40)
    assert all(cell_len(piece) <= 40 for piece in out) and out[-1] == "短"
    assert all(piece.startswith("     ") and not piece[5:].startswith(("，", "）", " ")) for piece in out[1:-1])
    assert "".join(piece.strip() for piece in out[:-1]).replace(" ", "") == line.replace(" ", "")  # nothing lost


async def test_a_hall_offering_only_published_bundles_offers_one_as_soon_as_it_is_published(
        demo_template, folder, tmp_path, monkeypatch):
    """bundle_offer = "published": publishing in the TUI reloads this hall's catalog, so the
    bundle can be taken at once (before: not offered)."""
    import bundles.loader
    from screens.app import HallApp
    from tests.ui.helpers import copy_db, open_ctx

    # a bundle the demo hall has no case of: the catalog service also offers every version
    # stored in the hall's database (those of the demo's cases, started with bundle_offer =
    # "complete"), reviewed or not (hall_app/services/catalog.py)
    shutil.copy(CATALOG_DIR / "vehicle_purchase.toml", folder / "vehicle_purchase.toml")
    monkeypatch.setattr(bundles.loader, "CATALOG_DIR", folder)  # the hall's shipped files
    ctx = open_ctx(copy_db(demo_template, tmp_path), bundle_offer="published")
    try:
        assert ctx.catalog_service.reload().get("vehicle_purchase") is None  # checked, not published
        app = HallApp(ctx, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bundle(pilot, folder, "vehicle_purchase")
            await press(pilot, "f2")
            await type_text(pilot, "同意")
            await press(pilot, "enter")
            assert ctx.catalog.get("vehicle_purchase") is None  # reviewed is not enough
            await press(pilot, "f3", "enter")
            assert app.screen is screen and ctx.catalog.get("vehicle_purchase") is not None
            await press(pilot, "escape")
            assert "本机受理：仅已发布的套餐（bundle_offer = published）" in screen_text(app)
    finally:
        ctx.close()

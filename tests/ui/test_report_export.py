"""Issue 11: the supervisor exports the period's report from the dashboard (F7,
screens/report_export.py): the period starts as the dashboard's month, the folder as
~/hall-exports; reversed dates, a date not written YYYY-MM-DD, a period with nothing in
it and a folder that cannot be written are refused in the dialog with what was typed
kept and no file written; a good export says where the file went."""

from __future__ import annotations

from openpyxl import load_workbook

from screens.dashboard import DashboardScreen
from screens.report_export import ReportExportDialog
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput
from tests.ui.helpers import login, press, screen_text, settle, type_text


async def _retype(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#{field}", HallInput).focus()
    await press(pilot, "end", "ctrl+u")
    await type_text(pilot, text)


def _error(app) -> str:
    return str(app.screen.query_one("#dialog-error").render())


async def test_export_from_the_dashboard_refuses_bad_input_and_writes_the_file(app, hall, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f")
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen) and "f7  导出报表" in screen_text(app)
        await press(pilot, "f7")
        dialog = app.screen
        assert isinstance(dialog, ReportExportDialog)
        text = screen_text(app)
        assert "导出统计报表" in text and "~/hall-exports" in text
        assert dialog.values() == ("2026-11-01", "2026-11-30", "bundle", "csv", "~/hall-exports")
        assert "文件名：report-2026-11-01_2026-11-30-bundle.csv" in text
        # reversed dates: refused in place, the fields as typed, no folder made
        await _retype(pilot, "export-first", "2026-12-01")
        await press(pilot, "enter")
        assert app.screen is dialog and "统计期的结束日期早于开始日期" in _error(app)
        assert dialog.values()[:2] == ("2026-12-01", "2026-11-30") and not (tmp_path / "home").exists()
        # a date not written YYYY-MM-DD
        await _retype(pilot, "export-first", "2026/11/01")
        await press(pilot, "enter")
        assert "开始日期应写作 YYYY-MM-DD" in _error(app) and dialog.values()[0] == "2026/11/01"
        # a period with nothing in it
        await _retype(pilot, "export-first", "2025-01-01")
        await _retype(pilot, "export-last", "2025-01-31")
        await press(pilot, "enter")
        assert "统计期 2025-01-01 至 2025-01-31 没有办件和评价，未生成文件" in _error(app)
        assert not (tmp_path / "home").exists()
        # a folder that cannot be written (a file stands where a folder should be)
        (tmp_path / "afile").write_text("x")
        await _retype(pilot, "export-first", "2026-11-01")
        await _retype(pilot, "export-last", "2026-11-30")
        await _retype(pilot, "export-folder", str(tmp_path / "afile" / "out"))
        await press(pilot, "enter")
        assert "无法写入文件夹" in _error(app) and "不是文件夹" in _error(app) and app.screen is dialog
        # XLSX by window into a new folder: ← → choose, Enter exports
        await _retype(pilot, "export-folder", str(tmp_path / "exports"))
        dialog.query_one("#export-by", ChoiceInput).focus()
        await press(pilot, "right")
        dialog.query_one("#export-kind", ChoiceInput).focus()
        await press(pilot, "2")
        assert dialog.values()[2:4] == ("window", "xlsx")
        assert "report-2026-11-01_2026-11-30-window.xlsx" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        path = tmp_path / "exports" / "report-2026-11-01_2026-11-30-window.xlsx"
        assert app.screen is dashboard and path.exists()
        said = dashboard.query_one("#message").said
        assert said.startswith("已导出 2026-11-01 至 2026-11-30 统计（XLSX，") and said.endswith(f"：{path}")
        for _ in range(100):  # the message line is repainted once the dashboard is back on top
            if "已导出" in screen_text(app):
                break
            await pilot.pause(0.02)
        assert "已导出 2026-11-01 至 2026-11-30 统计（XLSX" in screen_text(app)  # on screen (the path wraps)
        rows = [r[0] for r in load_workbook(path).active.iter_rows(values_only=True)]
        assert "好差评（按窗口）" in rows and "不建办件的登记" in rows
        # the default folder and the PDF: ~/hall-exports made on the way
        await press(pilot, "f7")
        app.screen.query_one("#export-kind", ChoiceInput).focus()
        await press(pilot, "left")  # from CSV round to PDF
        await press(pilot, "enter")
        await settle(pilot)
        pdf = tmp_path / "home" / "hall-exports" / "report-2026-11-01_2026-11-30-bundle.pdf"
        assert app.screen is dashboard and pdf.read_bytes().startswith(b"%PDF")


async def test_escape_leaves_the_export_without_writing(app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    async with app.run_test(size=(120, 40)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f", "f7")
        assert isinstance(app.screen, ReportExportDialog)
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen) and not (tmp_path / "home").exists()


async def _refused_export(pilot) -> None:
    """The dashboard, F7, the start date typed after the end: refused in the dialog."""
    await login(pilot, "chenjing")
    await press(pilot, "ctrl+f")
    await settle(pilot)
    pilot.app.clear_notifications()
    await press(pilot, "f7")
    await _retype(pilot, "export-first", "2026-12-01")
    await press(pilot, "enter")
    pilot.app.clear_notifications()
    await settle(pilot)


def test_export_dialog_snapshot(snap_compare, app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert snap_compare(app, terminal_size=(100, 32), run_before=_refused_export)


async def test_the_dashboard_shows_the_periods_ratings_per_bundle_window_and_clerk(app):
    from textual.widgets import DataTable

    async with app.run_test(size=(160, 48)) as pilot:
        await login(pilot, "chenjing")
        await press(pilot, "ctrl+f")
        await settle(pilot)
        screen = app.screen
        data = screen.data
        groups, total = data.rating_groups, data.ratings
        assert set(groups) == {"bundle", "window", "clerk"} and total is not None and total.total > 0
        for by in groups:  # each grouping adds up to the period's total
            assert sum(r.total for r in groups[by].values()) == total.total
            assert sum(r.follow_ups_open for r in groups[by].values()) == total.follow_ups_open
        table = screen.query_one("#rating-groups", DataTable)
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        newborn = groups["bundle"]["newborn"]
        assert ["新生儿出生", str(newborn.total), str(newborn.total - newborn.rated)] == rows[0][:3]
        assert [r[0] for r in rows] == ["新生儿出生", "W03", "W05", "张丽"]  # the demo month's ratings
        assert "好差评（2026年11月；按事项、窗口、人员" in screen_text(app)

"""hall-app kiosk / display: options, what --serve starts for each browser tab, bad input."""

from __future__ import annotations

import subprocess
import sys

from hall_app.cli import build_parser
from hall_app.cli.queue_screens import DISPLAY_PORT, KIOSK_PORT, kiosk_file, serve_url, served_command


def test_serve_starts_the_same_program_without_serve_for_each_tab():
    args = build_parser().parse_args(["--db", "/data/hall.db", "kiosk", "--serve", "--return-seconds", "8"])
    command = served_command(args, "kiosk")
    assert "-m hall_app --db /data/hall.db kiosk --return-seconds 8.0" in command and "--serve" not in command
    assert args.port == KIOSK_PORT
    args = build_parser().parse_args(["display", "--hall", "JJ02", "--voice", "--serve", "--port", "9000"])
    command = served_command(args, "display")
    assert command.endswith("display --hall JJ02 --voice") and args.port == 9000
    assert build_parser().parse_args(["display"]).port == DISPLAY_PORT


def test_the_address_printed_for_the_browser():
    args = build_parser().parse_args(["display", "--serve", "--host", "127.0.0.1", "--port", "8710"])
    assert serve_url(args) == "http://127.0.0.1:8710"
    args = build_parser().parse_args(["kiosk", "--serve", "--public-url", "http://10.0.0.5:8711/"])
    assert serve_url(args) == "http://10.0.0.5:8711"


def test_the_kiosk_keeps_its_offline_numbers_beside_its_database(tmp_path):
    assert kiosk_file(tmp_path / "hall.db") == tmp_path / "hall.kiosk.json"


def test_a_bad_database_path_is_a_message_not_a_traceback(tmp_path):
    for command in ("kiosk", "display"):
        bad = str(tmp_path / "no" / "such" / "x.db")
        done = subprocess.run([sys.executable, "-m", "hall_app", "--db", bad, command],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()


def test_the_dashboard_serves_the_same_program_and_opens_on_the_dashboard():
    from hall_app.cli.queue_screens import DASHBOARD_PORT

    args = build_parser().parse_args(["--db", "/data/hall.db", "dashboard", "--serve"])
    command = served_command(args, "dashboard")
    assert command.endswith("-m hall_app --db /data/hall.db dashboard") and args.port == DASHBOARD_PORT


def _dashboard_app(demo_template, tmp_path, user: str | None, dashboard: bool = True) -> tuple[type, str]:
    """The app on a copy of the demo hall, started as ``hall-app dashboard`` does (or not):
    the login's demo hint, and the screen ``user`` lands on once signed in (if any)."""
    import asyncio

    from screens.app import HallApp
    from tests.ui.helpers import copy_db, login, open_ctx, settle

    async def run() -> tuple[type, str]:
        folder = tmp_path / f"{user}-{dashboard}"
        folder.mkdir()
        ctx = open_ctx(copy_db(demo_template, folder))
        app = HallApp(ctx, cursor_blink=False)
        app.start_on_dashboard = dashboard
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                hint = str(app.screen.query_one("#demo-hint").render())
                if user:
                    await login(pilot, user)
                    await settle(pilot)
                return type(app.screen), hint
        finally:
            ctx.close()

    return asyncio.run(run())


def test_a_supervisor_signing_in_to_hall_app_dashboard_lands_on_it(demo_template, tmp_path):
    """``hall-app dashboard`` is the app with start_on_dashboard: a supervisor lands on the
    dashboard, a clerk on the workbench (the dashboard is not theirs)."""
    from screens.dashboard import DashboardScreen
    from screens.workbench import WorkbenchScreen

    assert _dashboard_app(demo_template, tmp_path, "chenjing")[0] is DashboardScreen
    assert _dashboard_app(demo_template, tmp_path, "zhangli")[0] is WorkbenchScreen


def test_hall_app_dashboard_names_the_demo_supervisor_on_its_login(demo_template, tmp_path):
    """The login of ``hall-app dashboard`` (and of each browser tab of ``--serve``) offered
    the clerk zhangli, who may not open the dashboard; it names the demo supervisor."""
    assert _dashboard_app(demo_template, tmp_path, None)[1] == "演示账号：chenjing　密码：demo123"
    assert _dashboard_app(demo_template, tmp_path, None, dashboard=False)[1] == "演示账号：zhangli　密码：demo123"


def test_the_rate_pad_serves_its_window_and_needs_one():
    from hall_app.cli.queue_screens import RATE_PAD_PORT

    args = build_parser().parse_args(["--db", "/data/hall.db", "rate-pad", "--window", "W03", "--serve"])
    command = served_command(args, "rate-pad")
    assert command.endswith("-m hall_app --db /data/hall.db rate-pad --window W03") and args.port == RATE_PAD_PORT

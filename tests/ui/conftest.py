from __future__ import annotations

import pytest
from shared_files import register, shared_file

from tests.ui.helpers import copy_db, deterministic_codes, open_ctx, seed_template

UI_DEMO = register("tests/ui", "demo_template", "demo.db", seed_template)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo hall, seeded once per test run on the fixed clock (shared by the xdist
    workers); tests copy it."""
    return shared_file(tmp_path_factory, UI_DEMO)


@pytest.fixture
def hall(demo_template, tmp_path, monkeypatch):
    deterministic_codes(monkeypatch)
    # The next intake step is built as soon as this one is ready, not 0.3 s later:
    # settle() waits for it, so it never lands on what a test does next.
    monkeypatch.setattr("screens.intake.screen.PREMOUNT_AFTER", 0.001)
    ctx = open_ctx(copy_db(demo_template, tmp_path), tmp_path / "documents")
    yield ctx
    ctx.close()


@pytest.fixture
def app(hall):
    from screens.app import HallApp

    return HallApp(hall, cursor_blink=False)


@pytest.fixture
def fake_printer(monkeypatch):
    """A printer that always works and names its files predictably (snapshots)."""
    import hall_app.services.print_jobs as print_jobs

    printed: list[tuple[str, str]] = []

    def fake(ctx, kind, case_id, actor, paper=None, out=None):
        paper = paper or (ctx.settings.receipt_paper if kind == "receipt" else "a4")
        path = f"documents/{kind}-{ctx.cases.get(case_id).tracking_code}.pdf"
        ctx.cases.record_print(case_id, actor, kind, path, paper, "测试打印机", "")
        printed.append((kind, case_id))
        return print_jobs.PrintOutcome(kind, path, "测试打印机", None, ())

    monkeypatch.setattr(print_jobs, "print_case_document", fake)
    return printed


@pytest.fixture
def broken_printer(monkeypatch):
    import hall_app.services.print_jobs as print_jobs

    state = {"broken": True, "calls": 0}
    real = print_jobs.print_case_document

    def flaky(ctx, kind, case_id, actor, paper=None, out=None):
        state["calls"] += 1
        if state["broken"]:
            raise RuntimeError("打印机缺纸")
        return real(ctx, kind, case_id, actor, paper, out)

    monkeypatch.setattr(print_jobs, "print_case_document", flaky)
    return state

"""What the clerk sees on the intake screens, at 80x24, 160x48 and 200x60: every option
and label readable, the bottom line keeps the keys that move between steps, input
boxes visible without colour, and no screen contradicting itself."""

from __future__ import annotations

import pytest

from bundles.loader import CATALOG_DIR, load_catalog
from hall_app.services.demo import HOTPOT_FIRM, LIU_YANG
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    copy_db,
    deterministic_codes,
    login,
    open_ctx,
    press,
    screen_text,
    settle,
    start_newborn,
    type_text,
)

COMPANY = CATALOG_DIR / "company_setup.toml"
RETIREMENT = CATALOG_DIR / "employee_retirement.toml"


@pytest.fixture
def wide_hall(demo_template, tmp_path, monkeypatch):
    """The demo hall with the firm and retirement bundles in its catalog too."""
    deterministic_codes(monkeypatch)
    ctx = open_ctx(copy_db(demo_template, tmp_path), tmp_path / "documents")
    catalog = load_catalog([CATALOG_DIR / "newborn.toml", COMPANY, RETIREMENT])
    ctx.catalog_service._catalog = catalog
    ctx.__dict__["catalog"] = catalog
    yield ctx
    ctx.close()


@pytest.fixture
def wide_app(wide_hall):
    from screens.app import HallApp

    return HallApp(wide_hall, cursor_blink=False)


def lines(app) -> list[str]:
    return screen_text(app).splitlines()


def assert_keys_line(app) -> None:
    """The bottom line names the keys that move between steps and the help."""
    bottom = [line for line in lines(app) if line.strip()][-1]
    for key in ("f7", "f8", "esc", "f1"):
        assert key in bottom, (key, bottom)


def assert_no_broken_brackets(app) -> None:
    for line in lines(app):
        text = line.strip()
        assert not text.startswith(("）", "，", "、", "。")), line


async def _company_to_form(pilot) -> None:
    await login(pilot)
    await press(pilot, "f2")
    await type_text(pilot, "企业开办")
    await press(pilot, "enter")
    assert pilot.app.screen.bundle_name == "企业开办"
    await press(pilot, "enter")
    await type_text(pilot, HOTPOT_FIRM)
    await press(pilot, "enter")
    for _ in range(8):
        await press(pilot, "1")
    await press(pilot, "enter")


async def test_the_firm_form_at_160_columns_shows_every_option_label_and_material(wide_app):
    app = wide_app
    async with app.run_test(size=(160, 48)) as pilot:
        await _company_to_form(pilot)
        assert app.screen.step == "materials"
        text = screen_text(app)
        assert "股东（投资人）、法定代表人及董事、监事、经理的身份证明" in text  # not cut with space to spare
        await press(pilot, "a", "enter")
        assert app.screen.step == "form"
        seal = app.screen.query_one("#f-seal_set")
        seal.focus()
        await settle(pilot)
        text = screen_text(app)
        assert "2 公章、财务专用章、发票专用章、合同专用章、法定代表人名章" in text
        assert "企业名称（已自主申报） *" in text  # the whole label on one line
        assert_no_broken_brackets(app)
        assert_keys_line(app)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_the_firm_form_keeps_labels_and_options_whole_at_any_size(wide_app, size):
    app = wide_app
    async with app.run_test(size=size) as pilot:
        await _company_to_form(pilot)
        await press(pilot, "a", "enter")
        seal = app.screen.query_one("#f-seal_set")
        seal.focus()
        await settle(pilot)
        flat = "".join(line.strip(" ▏▕▌▐") for line in lines(app))
        assert "公章、财务专用章、发票专用章、合同专用章、法定代表人名章" in flat.replace(" ", "")
        assert_no_broken_brackets(app)
        assert_keys_line(app)


async def test_the_flow_chart_reads_conditions_out(wide_app):
    app = wide_app
    async with app.run_test(size=(160, 60)) as pilot:
        await login(pilot)
        await press(pilot, "f2")
        await type_text(pilot, "退休")
        await press(pilot, "enter")
        assert app.screen.step == "flow" and app.screen.bundle_name == "企业职工退休"
        text = screen_text(app)
        assert "视情形：" in text
        assert "false" not in text and "true" not in text
        assert "视情形：因病（非因工）提前退休须经劳动能力鉴定为完全丧失劳动能力" in text


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_every_newborn_step_keeps_its_keys_on_the_bottom_line(app, hall, fake_printer, size):
    async with app.run_test(size=size) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        assert app.screen.step == "flow"
        assert_keys_line(app)
        await press(pilot, "enter")
        await type_text(pilot, LIU_YANG)
        assert_keys_line(app)
        await press(pilot, "enter")
        assert app.screen.step == "questions"
        assert_keys_line(app)
        await answer(pilot, NEWBORN_ALL_YES)
        assert app.screen.step == "materials"
        assert_keys_line(app)
        await press(pilot, "a", "enter")
        assert app.screen.step == "form"
        assert_keys_line(app)
        assert_no_broken_brackets(app)
        await press(pilot, "f8")
        assert app.screen.step == "review"
        assert_keys_line(app)
        await press(pilot, "enter")
        assert app.screen.step == "decision"
        assert_keys_line(app)


async def test_the_review_never_suggests_an_acceptance_it_then_refuses(app, hall):
    async with app.run_test(size=(100, 60)) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await type_text(pilot, LIU_YANG)
        await press(pilot, "enter")
        await answer(pilot, NEWBORN_ALL_YES)
        await press(pilot, "a", "enter")
        await press(pilot, "f8")  # the baby's name and the rest left empty
        text = screen_text(app)
        assert "尚不能直接受理" in text
        assert "建议：受理" not in text and "建议：先更正所列问题" in text
        await press(pilot, "enter")
        text = screen_text(app)
        assert "建议：受理" not in text and "建议：先更正所列问题" in text


async def test_leaving_an_intake_says_the_draft_is_kept(app, hall):
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        code = app.screen.state.tracking_code
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "WorkbenchScreen"
        messages = [n.message for n in app._notifications]
        assert any("草稿已保存" in m and code[:4] in m for m in messages), messages


async def test_input_boxes_are_drawn_not_only_coloured(app, hall):
    from screens.widgets.choice import ChoiceInput
    from screens.widgets.inputs import HallInput

    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await type_text(pilot, LIU_YANG)
        await press(pilot, "f6")  # the proxy's inputs and the relation choice
        widgets = list(app.screen.query(HallInput)) + list(app.screen.query(ChoiceInput))
        assert widgets
        for widget in widgets:
            if not widget.display:
                continue
            left, right = widget.styles.border_left[0], widget.styles.border_right[0]
            assert left not in ("", "none", "hidden") and right not in ("", "none", "hidden"), widget
        idle = app.screen.query_one("#name", HallInput)
        focused = app.screen.query_one("#proxy_name", HallInput)
        assert app.screen.focused is focused
        assert focused.styles.border_left[0] != idle.styles.border_left[0]  # the focus shows without colour

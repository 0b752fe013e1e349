"""What a clerk sees: SVG snapshots of every screen at 100x32, Chinese content, a
fixed clock, deterministic demo data and tracking codes, cursor blink off.

Update after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from hall_app.services.demo import LI_NA, LIU_YANG
from screens.app import HallApp
from tests.ui.helpers import login, open_ctx, paste, press, settle, type_text

SIZE = (100, 32)
ALL_YES = {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
           "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是", "want_ss_card": "是"}
FORM = {"baby_name": "刘思远", "baby_sex": "男", "baby_birth_date": "2026-11-15", "birth_place": "江津区妇幼保健院",
        "delivery": "邮政寄递", "insurance_grade": "一档"}
ALL_IN = ("birth_medical_info", "maternity_bill", "baby_photo", "bank_card")


def case_at(ctx, step: str, applicant: str = LIU_YANG, answers=None, marks=(), fields=None) -> str:
    cases = ctx.cases
    case_id = cases.start("newborn", "zhangli").case_id
    cases.set_applicant_id(case_id, "zhangli", applicant)
    for question, value in (answers or {}).items():
        cases.answer(case_id, "zhangli", question, value)
    for material in marks:
        cases.mark_material(case_id, "zhangli", material, "handed_in")
    for key, value in (fields or {}).items():
        cases.set_field(case_id, "zhangli", key, value)
    cases.set_step(case_id, "zhangli", step)
    return case_id


def resume(case_id: str, *then: str):
    async def run_before(pilot) -> None:
        await login(pilot)
        pilot.app.resume_case(case_id)
        await settle(pilot)
        for key in then:
            await press(pilot, key)
        pilot.app.clear_notifications()
        await settle(pilot)

    return run_before


async def _signed_in(pilot) -> None:
    await login(pilot)
    pilot.app.clear_notifications()
    await settle(pilot)


async def _waited(pilot) -> None:
    await settle(pilot)


@pytest.fixture
def counter_app(hall):
    return HallApp(hall, cursor_blink=False)


def test_login(snap_compare, counter_app):
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=_waited)


def test_login_first_run(snap_compare, tmp_path):
    app = HallApp(open_ctx(tmp_path / "empty.db"), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_waited)


def test_workbench(snap_compare, counter_app):
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=_signed_in)


def test_workbench_light_theme(snap_compare, counter_app):
    async def run_before(pilot):
        await _signed_in(pilot)
        pilot.app.theme = "textual-light"
        await settle(pilot)

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_need(snap_compare, counter_app):
    async def run_before(pilot):
        await _signed_in(pilot)
        await press(pilot, "f2")
        await type_text(pilot, "生孩子")

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_flow(snap_compare, hall, counter_app):
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_at(hall, "flow")))


def test_applicant_with_file_and_proxy(snap_compare, hall, counter_app):
    case_id = case_at(hall, "applicant")
    hall.cases.set_proxy(case_id, "zhangli", "陈敏", "50011619920708122X", "配偶")
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_id))


def test_applicant_wrong_check_digit(snap_compare, hall, counter_app):
    case_id = hall.cases.start("newborn", "zhangli").case_id
    hall.cases.set_step(case_id, "zhangli", "applicant")

    async def run_before(pilot):
        await resume(case_id)(pilot)
        await type_text(pilot, LIU_YANG[:-1] + "0")

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_questions_with_a_change(snap_compare, hall, counter_app):
    answers = dict(ALL_YES)
    case_id = case_at(hall, "questions", answers=answers)
    # Going back to an earlier question and changing it: the plan says what changed.
    assert snap_compare(counter_app, terminal_size=SIZE,
                        run_before=resume(case_id, "down", "down", "down", "down", "down", "2"))


def test_materials(snap_compare, hall, counter_app):
    case_id = case_at(hall, "materials", answers=ALL_YES, marks=("birth_medical_info",))
    assert snap_compare(counter_app, terminal_size=SIZE,
                        run_before=resume(case_id, "down", "down", "down", "down", "3"))


def test_form_with_checks(snap_compare, hall, counter_app):
    case_id = case_at(hall, "form", answers=ALL_YES, marks=ALL_IN, fields={"baby_sex": "男"})

    async def run_before(pilot):
        await resume(case_id)(pilot)
        await type_text(pilot, "刘1")
        await press(pilot, "enter")
        await type_text(pilot, "２０２６年１１月１５日")
        await press(pilot, "enter")
        await paste(pilot, "江津区妇幼保健院" * 20)
        await press(pilot, "enter")

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_review(snap_compare, hall, counter_app):
    case_id = case_at(hall, "review", answers=ALL_YES, marks=ALL_IN, fields=FORM)
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_id))


def test_decision_accepted_and_printed(snap_compare, hall, counter_app, fake_printer):
    case_id = case_at(hall, "decision", answers=ALL_YES, marks=ALL_IN, fields=FORM)
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_id, "enter"))


def test_decision_one_time_notice_offered(snap_compare, hall, counter_app):
    case_id = case_at(hall, "decision", applicant=LI_NA, answers=ALL_YES)
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_id))


def test_case_view(snap_compare, hall, counter_app):
    state = hall.cases.by_tracking_code("BKW37DX2F2AD")  # dispatched, one item received

    async def run_before(pilot):
        await _signed_in(pilot)
        pilot.app.open_case(state.case_id)
        await settle(pilot)

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_help_over_the_intake(snap_compare, hall, counter_app):
    assert snap_compare(counter_app, terminal_size=SIZE, run_before=resume(case_at(hall, "materials"), "f1"))


def test_take_over_confirmation(snap_compare, counter_app):
    async def run_before(pilot):
        await _signed_in(pilot)
        pilot.app.screen.query_one("#drafts").focus()
        await press(pilot, "enter")

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


def test_users(snap_compare, counter_app):
    async def run_before(pilot):
        await login(pilot, "admin", "admin123")
        await press(pilot, "f4")
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(counter_app, terminal_size=SIZE, run_before=run_before)


# -- bundle review (screens/bundle_review.py, screens/bundle_detail.py) ---------------------------
def _bundle_review(tmp_path, monkeypatch, code: str | None = None):
    from tests.ui.test_bundle_review import open_bundle, open_list, review_folder

    folder = review_folder(tmp_path, monkeypatch)

    async def run_before(pilot):
        if code is None:
            await open_list(pilot, folder)
        else:
            await open_bundle(pilot, folder, code)
        pilot.app.clear_notifications()
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["100x32", "80x24"])
def test_bundle_review_list(snap_compare, counter_app, tmp_path, monkeypatch, size):
    assert snap_compare(counter_app, terminal_size=size, run_before=_bundle_review(tmp_path, monkeypatch))


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["100x32", "80x24"])
def test_bundle_review_detail(snap_compare, counter_app, tmp_path, monkeypatch, size):
    assert snap_compare(counter_app, terminal_size=size,
                        run_before=_bundle_review(tmp_path, monkeypatch, "newborn"))


def test_bundle_review_draft_with_findings(snap_compare, counter_app, tmp_path, monkeypatch):
    assert snap_compare(counter_app, terminal_size=(80, 24),
                        run_before=_bundle_review(tmp_path, monkeypatch, "tiny"))

"""What the clerk types is what is kept: Chinese punctuation stays Chinese (on screen,
in the case and on the printed notice), a multi-line paste keeps every line, and a
paste typed as keys (no bracketed paste) does not jump to the next field or step."""

from __future__ import annotations

from pathlib import Path

from hall_app.domain.tracking import format_tracking_code
from hall_app.services.demo import LIU_YANG, SUN_HAO
from screens.widgets.inputs import MAX_CHARS
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    current_case,
    key_event,
    login,
    paste,
    press,
    settle,
    start_newborn,
    type_text,
)

SIZE = (100, 32)


async def _to_form(pilot, id_number: str = LIU_YANG) -> None:
    await login(pilot)
    await start_newborn(pilot)
    await press(pilot, "enter")
    await type_text(pilot, id_number)
    await press(pilot, "enter")
    await answer(pilot, NEWBORN_ALL_YES)
    await press(pilot, "a", "enter")


async def test_chinese_punctuation_in_a_form_field_is_kept_as_typed(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_form(pilot)
        app.screen.query_one("#f-birth_place").focus()
        typed = "江津区妇幼保健院（城区院区）；产科，二楼"
        await type_text(pilot, typed)
        await press(pilot, "enter")
        assert current_case(app).fields["birth_place"] == typed
        assert app.screen.query_one("#f-birth_place").value == typed


async def test_a_multi_line_paste_keeps_every_line(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_form(pilot)
        app.screen.query_one("#f-household_address").value = ""
        app.screen.query_one("#f-household_address").focus()
        await settle(pilot)
        await paste(pilot, "重庆市江津区\n德感街道长江路66号\r\n\nBuilding 3\n2单元")
        assert app.screen.query_one("#f-household_address").value == "重庆市江津区德感街道长江路66号Building 3 2单元"
        await press(pilot, "enter")
        assert current_case(app).fields["household_address"] == "重庆市江津区德感街道长江路66号Building 3 2单元"


async def test_a_paste_too_long_for_the_field_says_what_was_dropped(app, hall):
    async with app.run_test(size=SIZE) as pilot:
        await _to_form(pilot)
        app.screen.query_one("#f-birth_place").focus()
        await settle(pilot)
        await paste(pilot, "院" * (MAX_CHARS + 30))
        assert len(app.screen.query_one("#f-birth_place").value) == MAX_CHARS
        messages = [n.message for n in app._notifications]
        assert any("舍去30字" in m for m in messages), messages


def _one_read(app, keys: list[str]) -> None:
    """Keys as the terminal driver makes them from one read of the terminal: microseconds
    apart. (Made in a Python loop on a loaded machine, two of them could be milliseconds
    apart and look typed by hand: that made this test flaky, not the app.)"""
    events = [key_event(app, key) for key in keys]
    start = events[0].time
    for n, event in enumerate(events):
        event.time = start + n * 1e-5
        app._driver.send_message(event)


async def test_a_paste_typed_as_keys_stays_in_its_field(app, hall):
    """A terminal without bracketed paste types the pasted lines with Enter between
    them, all in one burst: they stay in the field, joined; the step does not change."""
    async with app.run_test(size=SIZE) as pilot:
        await _to_form(pilot)
        field = app.screen.query_one("#f-household_address")
        field.value = ""
        field.focus()
        await settle(pilot)
        _one_read(app, [*"重庆市江津区", "enter", *"几江街道 18号", "enter", "enter", *"3单元"])
        await settle(pilot)
        await settle(pilot)
        assert app.screen.step == "form"
        assert app.screen.focused is field
        assert field.value == "重庆市江津区几江街道 18号3单元"
        # A scanner's Enter at the end of its burst is still an Enter: recorded, on to the next field.
        await press(pilot, "end")
        _one_read(app, [*"1栋", "enter"])
        await settle(pilot)
        await settle(pilot)
        assert current_case(app).fields["household_address"] == "重庆市江津区几江街道 18号3单元1栋"
        assert app.screen.focused is not field


async def test_the_refusal_reason_prints_with_its_chinese_punctuation(app, hall):
    import pypdfium2

    reason = "申请材料与档案记载不一致，且无法当场核实；请至户籍地办理"
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await start_newborn(pilot)
        await press(pilot, "enter")
        await type_text(pilot, SUN_HAO)
        await press(pilot, "enter")
        await press(pilot, "f8", "f8", "f8", "f8", "f8")  # → decision
        await press(pilot, "4")
        await type_text(pilot, reason)
        await press(pilot, "enter")
        await type_text(pilot, "《户口登记条例》第七条")
        await press(pilot, "enter")
        await settle(pilot)
        state = current_case(app)
        assert state.status == "refused" and state.decision["reason"] == reason
        refusal = [d for d in state.documents if d["kind"] == "refusal"][-1]
        assert not refusal["error"], refusal
        doc = pypdfium2.PdfDocument(Path(refusal["path"]).read_bytes())
        text = "".join("".join(page.get_textpage().get_text_range().split()) for page in doc)
        assert "不一致，且无法当场核实；请至户籍地办理" in text, text
        assert format_tracking_code(state.tracking_code).replace("-", "") in text.replace("-", "")

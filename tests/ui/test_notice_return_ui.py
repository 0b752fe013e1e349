

async def test_a_refused_further_notice_keeps_the_reason_typed(app, hall, fake_printer, monkeypatch):
    """The service refuses after the dialog (another window changed the case meanwhile):
    the dialog comes back with the reason as typed and why it was refused."""
    from hall_app.services.intake import IntakeError

    case = noticed(hall)
    hall.cases.answer(case.case_id, "zhangli", "parents_married", "是")
    real = hall.cases.issue_notice
    calls = []

    def refuse_once(case_id, actor, reason=""):
        calls.append(reason)
        if len(calls) == 1:
            raise IntakeError("办件已被另一窗口更新，请核对后再出具")
        return real(case_id, actor, reason)

    monkeypatch.setattr(hall.cases, "issue_notice", refuse_once)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot)
        await burst(pilot, *case.tracking_code, "enter", "enter", "3")
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "申请人已补办结婚登记")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        assert app.screen.query_one("#reason").value == "申请人已补办结婚登记"
        assert "办件已被另一窗口更新" in screen_text(app) and len(hall.cases.get(case.case_id).notices) == 1
        await press(pilot, "enter")
        await settle(pilot)
        assert calls == ["申请人已补办结婚登记"] * 2
        assert hall.cases.get(case.case_id).notices[-1]["reason"] == "申请人已补办结婚登记"

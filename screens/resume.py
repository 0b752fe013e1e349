"""Resuming a draft: take it over (with a confirmation if another clerk holds it)
and reopen the intake on the step where work stopped. A case with a one-time notice
out reopens as the citizen's return: the materials the notice named, then the
decision (screens/intake/screen.py ``returning``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screens.strings import Workbench as T

if TYPE_CHECKING:
    from screens.app import HallApp


def take_in_thread(ctx, case_id: str, username: str, force: bool):
    """("taken", message) if someone else holds the draft and not forced; else ("ok", state)."""
    from hall_app.domain.case import EDITABLE
    from hall_app.domain.case_rules import claimed_by_other

    state = ctx.cases.get(case_id)
    if state.status not in EDITABLE:
        return "closed", state
    if claimed_by_other(state, username) and not force:
        try:
            ctx.cases.claim(case_id, username)
        except Exception as exc:  # IntakeError: the message for the clerk
            return "taken", str(exc)
    return "ok", ctx.cases.claim(case_id, username, force=force)


def resume(app: "HallApp", case_id: str) -> None:
    from screens.dialogs import ConfirmDialog
    from screens.intake.screen import IntakeScreen

    ctx, user = app.ctx, app.user
    if ctx is None or user is None:
        return

    def taken(result) -> None:
        kind, value = result
        if kind == "closed":
            app.open_case(case_id)  # the case view holds the keys from here
            app.release_keys()
        elif kind == "taken":
            app.release_keys()  # the confirmation takes the keys

            def answered(ok: bool | None) -> None:
                if ok:
                    app.hold_keys()
                    app.db.submit(take_in_thread, ctx, case_id, user.username, True, done=taken, error=failed,
                                  name="claim")

            app.push_screen(ConfirmDialog(T.taken_confirm.format(message=value)), answered)
        else:  # the intake lets go of the keys once its first step has its data
            returning = value.status == "notice_issued"  # back after a one-time notice: only its materials
            app.push_screen(IntakeScreen(case_id, "materials" if returning else value.step, returning=returning,
                                         keys_held=True))

    def failed(message: str) -> None:
        app.release_keys()
        app.notify(message, severity="error")

    # Keys typed while the case is taken (a code scanned, Enter, then "1" for the first
    # material) wait for the step that opens, in order.
    app.hold_keys()
    app.db.submit(take_in_thread, ctx, case_id, user.username, False, done=taken, error=failed, name="claim")

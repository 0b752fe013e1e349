"""录入授权委托书: the form an agent fills before filing for someone (issue 13).

Every field is checked at once by the register (services/authorisations.py) and all
reasons are shown together; nothing typed is lost: every change is written to the
device database as it is typed (``AuthorisationService.keep_draft``, the intake's
``field_drafts``), so a closed form, a crash, a kill or a restart gives it back when F6
opens it again. Recording the authorisation drops the draft; so does discarding it
(F8, after a confirm).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static

from hall_app.domain.authorisation import METHODS, RELATIONS
from screens.agent_strings import Authorise as T
from screens.keymap import prose
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput

TEXT_FIELDS = ("principal_id", "principal_name", "address", "valid_from", "valid_until", "attested_by")
DEFAULT_DAYS = 90


def draft_in_thread(ctx, user) -> dict[str, Any]:
    return ctx.authorisations.draft_of(user)


def record_in_thread(ctx, user, values: dict[str, Any]):
    from hall_app.domain.authorisation import AuthorisationError, Draft
    from hall_app.services.intake import IntakeError

    method = next((k for k, label in METHODS.items() if label == values["method"]), values["method"])
    draft = Draft(values["principal_id"], values["relation"], tuple(values["bundles"]), values["valid_from"],
                  values["valid_until"], method, values["attested_by"])
    try:
        return ctx.authorisations.record(user, draft, values["principal_name"], values["address"], from_form=True)
    except AuthorisationError as exc:  # a message for the agent, not a bug
        raise IntakeError(str(exc)) from None


class AuthoriseDialog(ModalScreen):
    CSS_PATH = "agent_authorise.tcss"
    BINDINGS = [
        Binding("f10,ctrl+s", "save", T.save, id="authorise.save"),
        Binding("f8", "discard", T.discard, id="authorise.discard"),
        Binding("escape", "close", T.cancel, id="authorise.close"),
    ]

    def __init__(self, draft: dict[str, Any]) -> None:
        super().__init__()
        self.draft = draft  # as last kept in the device database (draft_in_thread); kept up to date
        self._as_opened: dict[str, Any] | None = None  # a form opened and closed untouched keeps nothing
        self._written = False
        self._defaults: dict[str, str] = {}  # the dates filled in for the agent (today's), not typed

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        today = ctx.today() if ctx is not None else dt.date.today()
        d = self.draft
        defaults = {"valid_from": today.isoformat(),
                    "valid_until": (today + dt.timedelta(days=DEFAULT_DAYS)).isoformat()}
        # only dates the draft does not hold are defaults (today's, also for a draft left overnight);
        # what the agent typed stays as typed
        self._defaults = {key: value for key, value in defaults.items() if not d.get(key)}
        d.update(self._defaults)
        bundles = ctx.catalog.complete() if ctx is not None else []
        chosen = set(d.get("bundles", ()))
        with VerticalScroll():
            yield Static(T.title, classes="dialog-title", markup=False)
            for key in ("principal_id", "principal_name", "address"):
                yield Label(getattr(T, key), classes="field-label")
                yield HallInput(d.get(key, ""), id=key)
            yield Label(T.relation, classes="field-label")
            yield ChoiceInput(RELATIONS, d.get("relation", "帮代办员"), id="relation")
            yield Label(T.bundles, classes="field-label")
            yield SelectionList[str](*((b.name, b.code, b.code in chosen) for b in bundles), id="bundles")
            for key in ("valid_from", "valid_until"):
                yield Label(getattr(T, key), classes="field-label")
                yield HallInput(d.get(key, ""), id=key)
            yield Label(T.method, classes="field-label")
            yield ChoiceInput(tuple(METHODS.values()), d.get("method", METHODS["signed"]), id="method")
            yield Label(T.attested_by, classes="field-label")
            yield HallInput(d.get("attested_by", ""), id="attested_by")
            yield Static("", id="auth-error", classes="error", markup=False)
            yield Static(T.keys.format(save=prose(self.app, self.BINDINGS, "authorise.save"),
                                       discard=prose(self.app, self.BINDINGS, "authorise.discard"),
                                       cancel=prose(self.app, self.BINDINGS, "authorise.close")),
                         classes="dialog-keys")

    def on_mount(self) -> None:
        self._as_opened = self.values()
        self.query_one("#principal_id", HallInput).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", HallInput).value for key in TEXT_FIELDS}
        out["relation"] = self.query_one("#relation", ChoiceInput).value
        out["method"] = self.query_one("#method", ChoiceInput).value
        out["bundles"] = list(self.query_one("#bundles", SelectionList).selected)
        return out

    def _keep(self) -> None:
        """Write the form as it stands to the device database (the newest write wins)."""
        values = self.values() if self._as_opened is not None else None
        if values is None or (not self._written and values == self._as_opened):
            return  # the fields' first values, or nothing changed: today's default dates are not a draft
        self._written = True
        self.draft.update(values)
        app: Any = self.app
        if app.ctx is None or app.user is None:
            return
        # a default date left as it was is kept empty: the next opening (maybe tomorrow) gives that day's
        kept = {key: "" if self._defaults.get(key) == value else value for key, value in self.draft.items()}
        app.db.submit(app.ctx.authorisations.keep_draft, app.user, kept,
                      coalesce=("authorise-draft", app.user.username), name="authorise-draft",
                      error=self._not_kept)

    def _not_kept(self, message: str) -> None:
        if self.is_attached:
            self.query_one("#auth-error", Static).update(message)
        else:  # closed meanwhile: said all the same
            self.app.notify(message, severity="error")

    def on_input_changed(self, _event) -> None:
        self._keep()

    def on_choice_input_changed(self, _event) -> None:
        self._keep()

    def on_selection_list_selected_changed(self, _event) -> None:
        self._keep()

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        app: Any = self.app
        if app.ctx is None or app.user is None:
            return
        self._keep()
        error = self.query_one("#auth-error", Static)
        error.update(T.saving)
        app.db.submit(record_in_thread, app.ctx, app.user, dict(self.draft), done=self.dismiss,
                      error=lambda message: error.update(message), name="authorise")

    def action_close(self) -> None:
        self._keep()
        self.dismiss(None)

    def action_discard(self) -> None:
        from screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            app: Any = self.app
            if not yes or app.ctx is None or app.user is None:
                return
            self.draft.clear()
            app.db.submit(app.ctx.authorisations.drop_draft, app.user, coalesce=("authorise-draft", app.user.username),
                          done=lambda _none: self.dismiss(None), name="authorise-draft")

        self.app.push_screen(ConfirmDialog(T.discard_ask, T.discard_title), answered)

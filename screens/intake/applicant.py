"""Step 3 · applicant: citizen ID or USCC checked as typed; the person/firm file
fills what is known and lists e-licences; who acts for the applicant, if anyone
(亲人帮助办理 / 帮代办). Every keystroke is kept as a scratch draft."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from hall_app.domain.ids import birth_date_of, check_citizen_id, identifier_kind, sex_of
from hall_app.services.cases import PROXY_RELATIONS, identify
from hall_app.services.intake import ADDRESS_NOTE, check_applicant
from screens.intake.base import StepPane
from screens.keymap import prose
from screens.strings import Applicant as T
from screens.widgets.choice import ChoiceInput
from screens.widgets.inputs import HallInput

FIELDS = ("id_number", "name", "phone", "address")
CHECKED = ("name", "phone", "address")  # checked as the form checks them (the note below the field)
PROXY_FIELDS = ("proxy_name", "proxy_id", "proxy_relation")
SCRATCH = {"id_number": "applicant.id_number", "name": "applicant.name", "phone": "applicant.phone",
           "address": "applicant.address", "proxy_name": "proxy.name", "proxy_id": "proxy.id_number",
           "proxy_relation": "proxy.relation"}
AGENT_RELATIONS = ("帮代办员", "村（社区）干部")


def load_in_thread(ctx, case_id: str) -> dict[str, Any]:
    state = ctx.cases.get(case_id)
    record = ctx.people.for_case(state.applicant)
    return {"state": state, "record": record, "drafts": ctx.cases.drafts_of(case_id)}


def commit_in_thread(ctx, case_id: str, username: str, key: str, value: str) -> dict[str, Any]:
    from hall_app.services.counter import discard_draft

    if key == "id_number":
        ctx.cases.set_applicant_id(case_id, username, value)
    else:
        ctx.cases.set_applicant(case_id, username, key, value)
    discard_draft(ctx, case_id, SCRATCH[key])
    return load_in_thread(ctx, case_id)


def proxy_in_thread(ctx, case_id: str, username: str, proxy: dict[str, str] | None) -> dict[str, Any]:
    from hall_app.services.counter import discard_draft

    if proxy is None:
        ctx.cases.clear_proxy(case_id, username)
    else:
        kind = "agent" if proxy["relation"] in AGENT_RELATIONS else "relative"
        ctx.cases.set_proxy(case_id, username, proxy["name"], proxy["id_number"], proxy["relation"], kind)
    for key in PROXY_FIELDS:
        discard_draft(ctx, case_id, SCRATCH[key])
    return load_in_thread(ctx, case_id)


def describe_id(raw: str, on_file: bool | None = None) -> tuple[str, str]:
    """The live check line for what has been typed so far, and its style class.

    The address-code note ("code set up after the birth year") is shown only once the
    file has been asked and does not hold the number (``on_file`` False): for a person
    on file it says nothing the clerk can act on (every 江津 number of someone born
    before 2006 has it)."""
    value = raw.strip()
    if not value:
        return "", "muted"
    result = identify(value)
    if result.ok:
        if identifier_kind(result.value) == "id_number":
            text = T.id_ok_person.format(sex=sex_of(result.value), birth=birth_date_of(result.value).isoformat())
        else:
            text = T.id_ok_firm
        notes = [w for w in result.warnings if on_file is False or not w.startswith(ADDRESS_NOTE)]
        return "　".join((text, *notes)), "success"
    if len(result.value) < 18 and result.value.isalnum():
        return f"已输入 {len(result.value)}/18 位", "muted"
    return f"✗ {result.error}", "error"


class ApplicantStep(StepPane):
    STEP = "applicant"
    BINDINGS = [
        Binding("f6", "toggle_proxy", T.proxy_toggle, id="applicant.proxy"),
        Binding("up", "move(-1)", id="applicant.up", show=False),
        Binding("down", "move(1)", id="applicant.down", show=False),
    ]

    def __init__(self, intake) -> None:
        super().__init__(intake)
        self.committed: dict[str, str] = {}
        self.displayed: dict[str, str] = {}
        self.inflight = 0
        self.after_commit: str | None = None
        self.proxy_open = False
        self.proxy_recorded = False
        self.on_file: bool | None = None  # the file holds the recorded number (None: not asked yet)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="applicant-scroll"):
            for key, label, placeholder in (("id_number", T.id_label, T.id_placeholder), ("name", T.name, ""),
                                            ("phone", T.phone, ""), ("address", T.address, "")):
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield HallInput(placeholder=placeholder, id=key, free_text=key == "address")
                note = Static("", id="id-check" if key == "id_number" else f"{key}-check", classes="field-note",
                              markup=False)
                note.display = False
                yield note
            yield Static(T.file_heading, classes="heading")
            yield Static(T.file_waiting, id="file-info", classes="file-info", markup=False)
            yield Static(T.proxy_heading, classes="heading")
            yield Static(T.proxy_off.format(key=prose(self.app, self.BINDINGS, "applicant.proxy")), id="proxy-off",
                         classes="muted")
            with Vertical(id="proxy-box"):
                with Horizontal(classes="field-row"):
                    yield Label(T.proxy_name, classes="field-label")
                    yield HallInput(id="proxy_name")
                with Horizontal(classes="field-row"):
                    yield Label(T.proxy_id, classes="field-label")
                    yield HallInput(id="proxy_id")
                proxy_note = Static("", id="proxy-id-check", classes="field-note", markup=False)
                proxy_note.display = False
                yield proxy_note
                with Horizontal(classes="field-row"):
                    yield Label(T.proxy_relation, classes="field-label")
                    yield ChoiceInput(PROXY_RELATIONS, id="proxy_relation", moves_on=True)

    def focus_first(self) -> None:
        self.query_one("#id_number", HallInput).focus()

    def leave_problem(self) -> str | None:
        """What stops going on from here: a wrong ID (it would be blocked at the decision
        anyway: say so now, where it can be corrected) or a wrong name, phone, address."""
        raw = self._value("id_number").strip()
        if raw:
            result = identify(raw)
            if not result.ok:
                return T.blocked_id.format(error=result.error)
        for key in CHECKED:
            check = self._check(key)
            if check is not None and not check.ok:
                return T.blocked_field.format(error=check.error)
        return None

    def load(self):
        return load_in_thread(self.ctx, self.case_id)

    # -- showing ----------------------------------------------------------------------------
    def show(self, data: dict[str, Any]) -> None:
        state, record, drafts = data["state"], data["record"], data["drafts"]
        self.intake.update_state(state)
        applicant = state.applicant
        recorded = {"id_number": applicant.get("id_number") or applicant.get("uscc") or "",
                    "name": applicant.get("name", ""), "phone": applicant.get("phone", ""),
                    "address": applicant.get("address", "")}
        proxy = state.proxy or {}
        recorded |= {"proxy_name": proxy.get("name", ""), "proxy_id": proxy.get("id_number", ""),
                     "proxy_relation": proxy.get("relation", "")}
        self.committed = dict(recorded)
        focused = self.screen.focused
        for key in FIELDS + PROXY_FIELDS:
            value = drafts.get(SCRATCH[key], recorded[key])
            widget = self.query_one(f"#{key}")
            typed = widget.value != self.displayed.get(key, widget.value)  # type: ignore[attr-defined]
            if widget is focused and typed:
                continue  # the clerk is typing here: never change it under their fingers
            widget.set_quietly(value)  # type: ignore[attr-defined]
            self.displayed[key] = value
        self.on_file = record is not None
        self._show_id_check()
        for key in CHECKED:
            self._show_field_check(key)
        self._show_file(record)
        self.proxy_recorded = bool(state.proxy)
        role = self.hall_app.user.role if self.hall_app.user else ""
        wants_proxy = self.proxy_recorded or any(SCRATCH[k] in drafts for k in PROXY_FIELDS)
        if role == "agent" and not wants_proxy and not self.proxy_open:
            wants_proxy = True
            self.query_one("#proxy_relation", ChoiceInput).set_quietly("帮代办员")
        self._set_proxy_open(wants_proxy or self.proxy_open)
        if self.after_commit and not self.inflight:
            key, self.after_commit = self.after_commit, None
            self._next_from(key)
            self.hall_app.release_keys()

    def _committed(self, data: dict[str, Any]) -> None:
        self.inflight -= 1
        self.show(data)

    def _commit_failed(self, message: str) -> None:
        self.inflight -= 1
        if self.after_commit:
            self.after_commit = None
            self.hall_app.release_keys()
        self.fail(message)

    def _applicant_kind(self) -> dict[str, str]:
        raw = self._value("id_number")
        return {"uscc": identify(raw).value} if identifier_kind(raw) == "uscc" else {}

    def _check(self, key: str):
        value = self._value(key).strip()
        return check_applicant(key, value, self._applicant_kind()) if value else None

    def _show_field_check(self, key: str, live: bool = False) -> None:
        """✗ and the reason under the name, phone or address; while typing only taken away
        (a half-typed phone number is not an error yet)."""
        note = self.query_one(f"#{key}-check", Static)
        check = self._check(key)
        wrong = check is not None and not check.ok
        if live and wrong and not note.has_class("error"):
            return
        if wrong:
            note.set_classes("field-note error")
            note.update(f"✗ {check.error}")
            note.display = True
        elif note.has_class("error") or not live:
            note.set_classes("field-note")
            note.update("")
            note.display = False  # no empty line under a field that is fine

    def _show_id_check(self) -> None:
        on_file = self.on_file if self.committed.get("id_number") == identify(self._value("id_number")).value else None
        text, kind = describe_id(self.query_one("#id_number", HallInput).value, on_file)
        note = self.query_one("#id-check", Static)
        note.set_classes(f"field-note {kind}")
        note.update(text)
        note.display = bool(text)
        raw = self.query_one("#proxy_id", HallInput).value.strip()
        result = check_citizen_id(raw) if raw else None
        proxy_note = self.query_one("#proxy-id-check", Static)
        proxy_note.set_classes("field-note " + ("" if result is None else "success" if result.ok else "error"))
        proxy_note.update("" if result is None else "✓" if result.ok else f"✗ {result.error}")
        proxy_note.display = result is not None

    def _show_file(self, record) -> None:
        info = self.query_one("#file-info", Static)
        committed_id = self.committed.get("id_number", "")
        if record is None:
            ok = bool(committed_id) and identify(committed_id).ok
            info.update(T.file_none if ok else T.file_waiting)
            info.set_classes("file-info " + ("warning" if ok else "muted"))
            return
        attrs = record.attributes
        if record.kind == "个人":
            local = T.local if record.facts.get("local_hukou") == "是" else T.nonlocal_
            extra = f"{attrs.get('sex', '')} {attrs.get('birth_date', '')} {local}"
        else:
            extra = f"法定代表人：{attrs.get('legal_rep', '')}"
        lines = [T.file_line.format(kind=record.kind, name=attrs.get("name", ""), extra=extra)]
        names = "、".join(record.elicences)
        lines.append(T.elicences.format(names=names) if names else T.no_elicences)
        if record.dishonest:
            lines.append(T.dishonest)
        info.update("\n".join(lines))
        info.set_classes("file-info " + ("warning" if record.dishonest else "success"))

    def _set_proxy_open(self, open_: bool) -> None:
        self.proxy_open = open_
        self.query_one("#proxy-box").display = open_
        self.query_one("#proxy-off").display = not open_

    # -- typing -------------------------------------------------------------------------------
    def on_input_changed(self, event: HallInput.Changed) -> None:
        event.stop()
        key = event.input.id or ""
        if key not in SCRATCH or not self.case_id:
            return
        self.submit(self.ctx.cases.type_field, self.case_id, SCRATCH[key], event.value,
                    coalesce=("scratch", self.case_id, key))
        if key in ("id_number", "proxy_id"):
            self._show_id_check()
        if key in CHECKED:
            self._show_field_check(key, live=True)
        if key == "id_number":
            result = identify(event.value)
            if result.ok and result.value != self.committed.get("id_number"):
                self._commit("id_number")

    def on_input_submitted(self, event: HallInput.Submitted) -> None:
        event.stop()
        key = event.input.id or ""
        self._commit(key)
        if key in CHECKED:
            self._show_field_check(key)
        if self.inflight:
            self.after_commit = key  # move on once the file has filled what it knows
            self.hall_app.hold_keys()  # and what is typed meanwhile goes to the next field
        else:
            self._next_from(key)

    def on_input_blurred(self, event: HallInput.Blurred) -> None:
        key = event.input.id or ""
        self._commit(key)
        if key in CHECKED:
            self._show_field_check(key)

    def on_choice_input_changed(self, event: ChoiceInput.Changed) -> None:
        event.stop()
        if self.case_id:
            self.submit(self.ctx.cases.type_field, self.case_id, SCRATCH["proxy_relation"], event.value)
        self._commit_proxy()
        self._next_from("proxy_relation")

    def on_choice_input_submitted(self, event: ChoiceInput.Submitted) -> None:
        event.stop()
        self._commit_proxy()
        self._next_from("proxy_relation")

    # -- recording ----------------------------------------------------------------------------
    def _value(self, key: str) -> str:
        widget = self.query_one(f"#{key}")
        return widget.value  # type: ignore[attr-defined]

    def _commit(self, key: str) -> None:
        if not self.case_id or not self.editable:
            return
        if key in FIELDS:
            value = self._value(key).strip()
            if value == self.committed.get(key, "") or (key == "id_number" and not value):
                return
            self.committed[key] = value
            self.inflight += 1
            self.submit(commit_in_thread, self.ctx, self.case_id, self.username, key, value,
                        done=self._committed, error=self._commit_failed)
        elif key in PROXY_FIELDS:
            self._commit_proxy()

    def _commit_proxy(self) -> None:
        if not self.case_id or not self.proxy_open:
            return
        proxy = {"name": self._value("proxy_name").strip(), "id_number": self._value("proxy_id").strip(),
                 "relation": self._value("proxy_relation")}
        if not (proxy["name"] and proxy["relation"] and check_citizen_id(proxy["id_number"]).ok):
            return
        current = (self.committed.get("proxy_name"), self.committed.get("proxy_id"),
                   self.committed.get("proxy_relation"))
        if current == (proxy["name"], check_citizen_id(proxy["id_number"]).value, proxy["relation"]):
            return
        self.committed |= {"proxy_name": proxy["name"], "proxy_id": check_citizen_id(proxy["id_number"]).value,
                           "proxy_relation": proxy["relation"]}
        self.say(T.proxy_saved.format(name=proxy["name"], relation=proxy["relation"]), "success")
        self.submit(proxy_in_thread, self.ctx, self.case_id, self.username, proxy, done=self.show)

    def commit(self) -> None:
        focused = self.screen.focused
        if focused is not None and focused.id in FIELDS + PROXY_FIELDS:
            self._commit(focused.id)

    # -- moving -------------------------------------------------------------------------------
    def _order(self) -> list[str]:
        return list(FIELDS) + (list(PROXY_FIELDS) if self.proxy_open else [])

    def _next_from(self, key: str) -> None:
        """Enter: on to the next field still empty or wrong (a person not on file: name,
        phone, address in turn); then back to anything required or wrong; then on."""
        order = self._order()
        if key not in order:
            return
        index = order.index(key)
        if key in CHECKED and self._value(key).strip() and self._needs_attention(key):
            return  # wrong: stay here, the note below the field says why
        later = [k for k in order[index + 1:] if self._needs_attention(k) or not self._value(k).strip()]
        earlier = [k for k in order[:index + 1] if self._needs_attention(k)]
        target = (later or earlier or [None])[0]
        if target is not None:
            self.query_one(f"#{target}").focus()
            return
        self.advance()

    def _needs_attention(self, key: str) -> bool:
        value = self._value(key).strip()
        if not value:
            return key in ("id_number", "name") or key in PROXY_FIELDS
        if key == "id_number":
            return not identify(value).ok
        if key in CHECKED:
            check = self._check(key)
            return check is not None and not check.ok
        if key == "proxy_id":
            return not check_citizen_id(value).ok
        return False

    def action_move(self, delta: int) -> None:
        order = self._order()
        focused = self.screen.focused
        index = order.index(focused.id) if focused is not None and focused.id in order else -1
        self.query_one(f"#{order[max(0, min(len(order) - 1, index + delta))]}").focus()

    def action_toggle_proxy(self) -> None:
        if self.proxy_open:
            self._set_proxy_open(False)
            for key in ("proxy_name", "proxy_id"):
                self.query_one(f"#{key}", HallInput).set_quietly("")
            self.query_one("#proxy_relation", ChoiceInput).set_quietly("")
            if self.case_id and self.proxy_recorded:
                self.say(T.proxy_cleared, "success")
                self.submit(proxy_in_thread, self.ctx, self.case_id, self.username, None, done=self.show)
            elif self.case_id:
                from hall_app.services.counter import discard_draft

                for key in PROXY_FIELDS:
                    self.submit(discard_draft, self.ctx, self.case_id, SCRATCH[key])
            self.query_one("#id_number", HallInput).focus()
        else:
            self._set_proxy_open(True)
            self.query_one("#proxy_name", HallInput).focus()

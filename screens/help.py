"""Help (按键帮助): every key of the screen underneath, generated from the bindings
(app, screen, each intake step, the widgets it uses) and the keys in force after the
``[keymap]`` settings, so it never goes stale."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from screens.keymap import key_display, prose
from screens.strings import STEP_TITLES
from screens.strings import Help as T


def keys_of(app, binding: Binding) -> str:
    """The keys in force for ``binding`` (after the ``[keymap]`` settings)."""
    return key_display(app, binding)


def sections_for(screen: Screen) -> list[tuple[str, list[Binding]]]:
    """(title, bindings) for the app, the screen and whatever the screen is made of."""
    from screens.app import HallApp

    out: list[tuple[str, list[Binding]]] = [(T.app, list(HallApp.BINDINGS))]
    own = [b for b in getattr(type(screen), "BINDINGS", []) if isinstance(b, Binding)]
    out.append((T.screen, own))
    from screens.intake.screen import PANES, IntakeScreen, pane_class

    if isinstance(screen, IntakeScreen):
        for step in PANES:
            cls = pane_class(step)
            out.append((f"{STEP_TITLES[step]}", [b for b in cls.BINDINGS if isinstance(b, Binding)]))
        from screens.widgets.choice import ChoiceInput

        out.append(("选择项", [b for b in ChoiceInput.BINDINGS if isinstance(b, Binding)]
                    + [Binding("1", "pick", "按数字选择", key_display="1-9")]))
    else:
        from screens.widgets.tables import CaseTable

        if type(screen).__name__ == "WorkbenchScreen":
            out.append(("列表", list(CaseTable.BINDINGS) + [
                Binding("enter", "select", "打开（草稿继续办理）"), Binding("up,down", "move", "上下移动"),
                Binding("tab", "focus_next", "切换区域")]))
    return out


def describe_binding(binding: Binding) -> str:
    if binding.description:
        return binding.description
    return {"move(-1)": "上移", "move(1)": "下移"}.get(binding.action, "")


def table_for(app, sections: Iterable[tuple[str, list[Binding]]]) -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2), expand=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("what")
    for title, bindings in sections:
        rows = [(keys_of(app, b), describe_binding(b)) for b in bindings if describe_binding(b)]
        if not rows:
            continue
        table.add_row(Text(title, style="bold underline"), "")
        seen: set[str] = set()
        for keys, what in rows:
            if (keys, what) in seen:
                continue
            seen.add((keys, what))
            table.add_row(keys, what)
        table.add_row("", "")
    table.add_row(Text(T.editing, style="bold underline"), "")
    for keys, what in T.editing_keys:
        table.add_row(keys, what)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", T.close, id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 76; max-width: 96%; height: 90%; border: thick $primary; background: $surface; }
    HelpScreen #help-title { text-style: bold; padding: 0 1; color: $text-accent; }
    HelpScreen #help-hint { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{T.title}（{prose(self.app, self.BINDINGS, 'help.close')} {T.close}）", id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(table_for(self.app, sections_for(self.under)), id="help-table")
            from screens.app import HallApp

            yield Static(T.palette.format(key=prose(self.app, HallApp.BINDINGS, "app.palette")), id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

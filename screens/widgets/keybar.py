"""The keys of the moment, on one line (the footer).

Textual's Footer rebuilds a widget per key whenever the focus moves (about 100 ms a
step change on this machine, and it doubles the time to the first frame); this bar
is one Static redrawn from the screen's active bindings.
"""

from __future__ import annotations

from rich.text import Text
from screens.widgets.bars import OneLine


class KeyBar(OneLine):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id or "key-bar")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.refresh_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def refresh_keys(self) -> None:
        app = self.app
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        palette = None
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.action == "command_palette":
                palette = binding
                continue
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or app.get_key_display(binding)
            text.append(f" {shown} ", style="bold reverse" if active.enabled else "dim reverse")
            text.append(f" {binding.description} ", style="" if active.enabled else "dim")
        if palette is not None:
            text.append(f"  {app.get_key_display(palette)} ", style="bold reverse")
            text.append(f" {palette.description}")
        self.update(text)

"""The keys of the moment, on one line (the footer).

Textual's Footer rebuilds a widget per key whenever the focus moves (about 100 ms a
step change on this machine, and it doubles the time to the first frame); this bar
is one Static redrawn from the screen's active bindings — the keys in force, after the
``[keymap]`` settings (Textual applies the keymap to ``active_bindings``).
"""

from __future__ import annotations

from rich.text import Text

from screens.keymap import key_display
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

    def on_resize(self) -> None:
        self.refresh_keys()

    def refresh_keys(self) -> None:
        """The keys of the moment, fitted to the width: the screen's and the app's own keys
        (next step, back, help …) always stay; when space runs short the step's keys lose
        the command-palette hint first, then their words, then the step's last keys. When
        even the screen's own keys are too many (a supervisor's workbench at 80 columns),
        they lose their words — the screen's ``KEYBAR_MINOR`` actions first, then from the
        end — and only then go, from the end; the app's keys (F1 帮助) keep their words."""
        app = self.app
        entries: list[list] = []  # key, words, enabled, kept, bare, action, app-level
        seen: set[str] = set()
        palette = None
        for _key, active in self.screen.active_bindings.items():
            binding = active.binding
            if binding.action == "command_palette":
                palette = binding
                continue
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            shown = binding.key_display or app.get_key_display(binding)
            kept = active.node is self.screen or active.node is app
            entries.append([shown, binding.description, active.enabled, kept, False,
                            binding.action, active.node is app])
        hint = (key_display(app, palette), palette.description) if palette is not None else None
        width = self.size.width or 10_000
        for attempt in range(4 + len(entries)):
            text = self._line(entries, hint, attempt)
            if text.cell_len <= width:
                break
            if attempt >= 3:  # drop the step's keys from the end, never the kept ones
                for n in range(len(entries) - 1, -1, -1):
                    if not entries[n][3]:
                        del entries[n]
                        break
                else:
                    break
        else:
            text = self._line(entries, hint, 3)
        if text.cell_len > width:
            text = self._squeeze(entries, width, getattr(self.screen, "KEYBAR_MINOR", ()))
        self.update(text)

    @classmethod
    def _squeeze(cls, entries: list[list], width: int, minor) -> Text:
        """The kept keys alone are too wide: words go (minor actions first, then from the
        end), then bare keys go from the end; the app's own keys stay whole."""
        order = [e for a in minor for e in entries if e[5] == a and not e[6]]
        order += [e for e in reversed(entries) if not e[6] and e not in order]
        for entry in order:
            entry[4] = True
            text = cls._line(entries, None, 3)
            if text.cell_len <= width:
                return text
        for n in range(len(entries) - 1, -1, -1):
            if not entries[n][6]:
                del entries[n]
                text = cls._line(entries, None, 3)
                if text.cell_len <= width:
                    return text
        return cls._line(entries, None, 3)

    @staticmethod
    def _line(entries, hint, attempt: int) -> Text:
        """attempt 0: roomy; 1: tight; 2: no palette hint; 3+: the step's keys without words."""
        text = Text(no_wrap=True, overflow="ellipsis")
        pad = " " if attempt == 0 else ""
        for key, words, enabled, kept, bare, *_ in entries:
            text.append(f" {key} ", style="bold reverse" if enabled else "dim reverse")
            if (attempt < 3 or kept) and not bare:
                text.append(f"{pad}{words} " if pad else f"{words}", style="" if enabled else "dim")
            if not pad:
                text.append(" ")
        if hint is not None and attempt < 2:
            text.append(f" {pad}{hint[0]} ", style="bold reverse")
            text.append(f" {hint[1]}")
        return text

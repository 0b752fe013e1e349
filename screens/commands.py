"""Command palette (Ctrl+P): every action of the current screen, in Chinese, found by
Chinese text or by pinyin (``xb``, ``xinban`` → 新办; screens/pinyin.py).

A Provider built from the bindings in force (their ids, the ``[keymap]`` settings)
replaces Textual's English system commands (Maximize, Quit, Theme …: 退出 and 明暗主题
are the app's own bindings here); :class:`HallCommandPalette` says its placeholder and
"no matches" in Chinese.
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from screens import pinyin
from screens.strings import Palette as T


class HallCommandPalette(CommandPalette):
    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=T.placeholder, **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's own, with the message in Chinese (it has no setting for it)."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(T.no_matches, style="not bold")), disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class ScreenCommands(Provider):
    async def startup(self) -> None:
        """Have the pinyin of every label ready before the first letter is typed."""
        labels = [label for label, *_ in self._commands()]
        await asyncio.to_thread(lambda: [pinyin.syllables(label) for label in labels])

    def _commands(self) -> list[tuple[str, str, object, str]]:
        """(label, keys, node, action) for each described binding active on the screen."""
        from screens.keymap import key_display

        out: list[tuple[str, str, object, str]] = []
        seen: set[str] = set()
        screen = self.screen
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.id is None:  # Textual's own widget keys (Input, DataTable …): English, and not ours
                continue
            if binding.action in ("command_palette",):
                continue
            seen.add(binding.action)
            out.append((binding.description, key_display(self.app, binding), active.node, binding.action))
        return out

    async def _run(self, node, action: str) -> None:
        await node.run_action(action)

    async def discover(self) -> Hits:
        for label, keys, node, action in self._commands():
            yield DiscoveryHit(f"{label}（{keys}）", partial(self._run, node, action), help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, keys, node, action in self._commands():
            text = f"{label}（{keys}）"
            score = matcher.match(text)
            shown = matcher.highlight(text)
            span = pinyin.match(query, label)
            if span is not None:
                start, end = span
                by_pinyin = 0.95 if start == 0 else 0.7
                if by_pinyin > score:
                    score = by_pinyin
                    shown = Content(text).stylize(matcher.match_style, start, end)
            if score > 0:
                yield Hit(score, shown, partial(self._run, node, action), text=text, help=keys)

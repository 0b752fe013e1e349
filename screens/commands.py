"""Command palette (Ctrl+P): every action of the current screen, searchable in
Chinese (the posting pattern: a Provider built from the bindings in force)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object, str]]:
        """(label, help, node, action) for each described binding active on the screen."""
        from screens.help import keys_of

        out: list[tuple[str, str, object, str]] = []
        seen: set[str] = set()
        screen = self.screen
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.action in ("command_palette",):
                continue
            seen.add(binding.action)
            out.append((binding.description, keys_of(self.app, binding), active.node, binding.action))
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
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._run, node, action), text=text, help=keys)

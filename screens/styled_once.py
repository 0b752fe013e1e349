"""Screens styled once on their way to the first frame.

Textual restyles a screen's whole tree each time it is resumed (``ScreenResume``
with ``refresh_styles``). The first resume of a freshly pushed screen follows its
compose, and every node was styled as it was mounted then; a class changed since
restyles that node and its children by itself. That second pass over every node
cost about a tenth of the CPU time to the login's first frame. A later resume (the
screen shown again after another was on top, perhaps after a theme change) still
restyles as Textual does.
"""

from __future__ import annotations

from textual import events


class StyledOnce:
    """Mixed into a :class:`~textual.screen.Screen` (before it in the bases)."""

    _styled_at_mount = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # runs before Screen._on_screen_resume (handlers are called along the MRO)
        if self._styled_at_mount:
            self._styled_at_mount = False
            event.refresh_styles = False

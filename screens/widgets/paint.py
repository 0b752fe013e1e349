"""Repaint a one-widget text without a layout pass when its size stays the same.

``Static.update`` lays the whole screen out again by default (``layout=True``): on a
screen of a few dozen widgets that is most of the time a key press costs. Here the
new content is measured at the widget's current width first, and only a change of
height asks for a layout.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


def repaint(widget: Static, content: Any) -> bool:
    """Show ``content`` in ``widget``; return True when a layout was needed."""
    width = widget.content_size.width
    if not width or not widget.display:
        widget.update(content, layout=True)  # never laid out (or hidden): nothing to compare with
        return True
    before = widget.get_content_height(widget.size, widget.size, width)
    widget.update(content, layout=False)
    if widget.get_content_height(widget.size, widget.size, width) != before:
        widget.refresh(layout=True)
        return True
    return False

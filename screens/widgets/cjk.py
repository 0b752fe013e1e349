"""Column alignment for Chinese text: a CJK character takes two terminal cells."""

from __future__ import annotations

from rich.cells import cell_len


def pad(text: str, width: int) -> str:
    """``text`` cut or padded with spaces to exactly ``width`` cells."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def clip(text: str, width: int) -> str:
    """``text`` shortened to at most ``width`` cells (no padding)."""
    return text if cell_len(text) <= width else pad(text, width).rstrip()

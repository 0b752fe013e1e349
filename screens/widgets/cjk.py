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


# Chinese line-breaking rules (禁则): no line starts with closing punctuation, none ends
# with an opening one.
CLOSING = set("）》」』】〕〉”’)]}")
NO_LINE_START = CLOSING | set("，。、；：？！…·%,.;:?!*")
NO_LINE_END = set("（《「『【〔〈“‘([{")


def wrap_cjk(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells by the Chinese rules (a
    closing bracket or comma takes the character before it to the next line)."""
    width = max(2, width)
    lines: list[str] = []
    chars = list(text)
    start = 0
    while start < len(chars):
        used, end = 0, start
        while end < len(chars) and used + cell_len(chars[end]) <= width:
            used += cell_len(chars[end])
            end += 1
        if end < len(chars):
            segment = chars[start:end]
            opened = max((i for i, ch in enumerate(segment) if ch in NO_LINE_END), default=-1)
            if opened > 0 and not any(ch in CLOSING for ch in segment[opened:]):
                end = start + opened  # a bracketed group would be split: it goes whole to the next line
                lines.append("".join(chars[start:end]).rstrip())
                start = end
                continue
            brk = end
            while brk - 1 > start and (chars[brk] in NO_LINE_START or chars[brk] == " "
                                       or chars[brk - 1] in NO_LINE_END):
                brk -= 1
            end = brk if brk > start else end
        lines.append("".join(chars[start:end]).rstrip())
        start = end
        while start < len(chars) and chars[start] == " ":
            start += 1
    return lines or [""]

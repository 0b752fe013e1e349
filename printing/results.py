"""Result types of the printing API (cheap to import: no reportlab here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class PrintingError(Exception):
    """A document could not be rendered; the message is Chinese, for the clerk."""


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    warnings: list[str] = field(default_factory=list)
    pages: int = 1


@dataclass(frozen=True)
class PrintResult:
    pdf_path: Path | None  # the kept PDF (None only when rendering itself failed)
    sent_to: str | None  # "file", "cups:QUEUE", "escpos:HOST:PORT", … or None
    error: str | None = None  # Chinese message for the clerk; None when all went well
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

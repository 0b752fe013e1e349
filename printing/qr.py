"""The tracking QR code as a vector flowable (crisp at any printer resolution).

It encodes the tracking URL and nothing else: no name, no ID number. Module size
is a whole number of thermal-printer dots (203 dpi) so a 58 mm receipt scans.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.platypus import Flowable

from printing.papers import DOT

QUIET_ZONE = 4  # modules of white border, as ISO/IEC 18004 asks


@lru_cache(maxsize=64)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


class QRFlowable(Flowable):
    def __init__(self, url: str, target: float) -> None:
        super().__init__()
        self.matrix = qr_matrix(url)
        n = len(self.matrix)
        self.module = max(1, round(target / n / DOT)) * DOT
        self.side = n * self.module

    def wrap(self, avail_width, avail_height):
        return self.side, self.side

    def draw(self) -> None:
        canv, m, n = self.canv, self.module, len(self.matrix)
        canv.saveState()
        canv.setFillColorRGB(0, 0, 0)
        path = canv.beginPath()
        for r, row in enumerate(self.matrix):
            y = (n - 1 - r) * m
            c = 0
            while c < n:  # one rectangle per horizontal run: fewer ops, no seams
                if row[c]:
                    start = c
                    while c < n and row[c]:
                        c += 1
                    path.rect(start * m, y, (c - start) * m, m)
                else:
                    c += 1
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()

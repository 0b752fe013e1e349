"""Receipt rendering against a bare reportlab page with the same text and QR.

    .venv/bin/python bench/bench_printing.py [--reps 30]

Both sides use the same registered CJK TrueType font (embedded as a subset) and a
fresh tracking code per repetition (so no QR cache helps either side). The bare
page is the floor: canvas.drawString line by line plus the same vector QR the
receipt draws (a PNG through PIL would add ~5 ms to the floor and flatter the
ratio), no layout. Prints the median ms per document and the ratio; also the one-off cost
of the first document in a fresh process (imports + font registration).
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "printing")]

from printing_samples import BUILDERS, pdf_text

from hall_app.domain.tracking import new_tracking_code
from printing import render_pdf


def sample(code: str):
    return BUILDERS["receipt"](tracking_code=code, tracking_url=f"http://127.0.0.1:8700/t/{code}")


def bare_page(lines: list[str], url: str, font: str) -> bytes:
    """The floor: a canvas, the text line by line, and the QR drawn the way the receipt
    draws its own (qrcode's matrix as vector runs, one rectangle per horizontal run,
    the same module size) — no layout engine, no PNG, no PIL."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from printing.papers import DOT, PAPERS

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, initialFontName=font)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    m = max(1, round(PAPERS["a4"].qr_target / n / DOT)) * DOT
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(450 + start * m, 720 + (n - 1 - r) * m, (c - start) * m, m)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
    y = 800
    canvas.setFont(font, 10.5)
    for line in lines:
        if y < 50:
            canvas.showPage()
            canvas.setFont(font, 10.5)
            y = 800
        canvas.drawString(57, y, line)
        y -= 15.75
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def timed(variants: dict, reps: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU ms per variant; the variants take turns in every
    repetition, so a noisy neighbour slows all of them alike."""
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(reps):
        for name, fn in variants.items():
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return {name: (statistics.median(wall[name]) * 1000, statistics.median(cpu[name]) * 1000)
            for name in variants}


def cold_start() -> float:
    code = (
        "import time; t = time.perf_counter(); import sys; sys.path.insert(0, 'tests/printing'); "
        "from printing import render_pdf; from printing_samples import BUILDERS; "
        "render_pdf('receipt', BUILDERS['receipt'](), 'a4'); print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=30)
    reps = parser.parse_args().reps

    from printing.fonts import load_fonts

    font = load_fonts().main
    render_pdf("receipt", sample(new_tracking_code()), "a4")  # warm: font registered once per process
    lines = [line for line in pdf_text(render_pdf("receipt", sample("K7P9M2QTX4RH")).pdf).splitlines()
             if line.strip()]

    def ours(paper):
        return lambda: render_pdf("receipt", sample(new_tracking_code()), paper)

    def bare():
        code = new_tracking_code()
        return bare_page(lines, f"http://127.0.0.1:8700/t/{code}", font)

    bare()
    variants = {"bare page (A4)": bare}
    variants.update({f"receipt {paper}": ours(paper) for paper in ("a4", "80mm", "58mm")})
    results = timed(variants, reps)
    floor_wall, floor_cpu = results["bare page (A4)"]

    print(f"python {platform.python_version()} on {platform.machine()} {platform.system()}, "
          f"{reps} repetitions (interleaved), median")
    print(f"{'document':<18}{'wall ms':>9}{'x bare':>8}{'cpu ms':>9}{'x bare':>8}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<18}{wall:>9.1f}{wall / floor_wall:>8.2f}{cpu:>9.1f}{cpu / floor_cpu:>8.2f}")
    print(f"first receipt in a fresh process (imports + font + render): {cold_start():.0f} ms")


if __name__ == "__main__":
    main()

"""CPU time of command-line processes, as the user pays it, against bare baselines.

    .venv/bin/python bench/bench_cli.py [--runs 7]

Each command runs as a fresh process; its CPU time (user + system) is read from
``resource.getrusage(RUSAGE_CHILDREN)`` around it, so start-up, imports, work and
exit all count and a busy neighbour's CPU does not. The commands take turns in
every round; the median per command is printed with its ratio to a baseline:

- ``bundles list`` against ``python -c "import textual"`` (the README's promise:
  the command line starts as fast as the UI library alone);
- ``print receipt`` against a bare reportlab page in a fresh process with the same
  embedded CJK font, the receipt's text drawn line by line and a vector QR.

Uses a throw-away demo database and catalog cache (warmed first, as on a machine
that has run the app once).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HALL = [sys.executable, "-m", "hall_app"]

BARE_PAGE = r"""
import sys
from reportlab.pdfbase.pdfmetrics import registerFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
import qrcode
from qrcode.constants import ERROR_CORRECT_M

font_path, out, url = sys.argv[1], sys.argv[2], sys.argv[3]
lines = sys.stdin.read().splitlines()
registerFont(TTFont("CJK", font_path))
canvas = Canvas(out, pagesize=(595.27, 841.89), initialFontName="CJK")
q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
q.add_data(url)
q.make(fit=True)
matrix = q.get_matrix()
m, n = 2.13, len(matrix)
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
canvas.setFont("CJK", 10.5)
y = 800
for line in lines:
    canvas.drawString(57, y, line)
    y -= 15.75
canvas.showPage()
canvas.save()
"""


def cpu_of(cmd: list[str], env: dict, stdin: str | None = None) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, input=stdin, text=True, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HALL_DB": f"{tmp}/demo.db", "HALL_CACHE_DIR": f"{tmp}/cache",
               "HALL_CONFIG": f"{tmp}/none.toml", "PYTHONIOENCODING": "utf-8"}
        Path(f"{tmp}/none.toml").write_text("", encoding="utf-8")
        demo = subprocess.run(HALL + ["demo"], env=env, capture_output=True, text=True, check=True).stdout
        code = next(line.split()[0] for line in demo.splitlines() if "容缺受理" in line)
        receipt = HALL + ["print", "receipt", code, "--out", f"{tmp}/r.pdf"]
        subprocess.run(receipt, env=env, capture_output=True, check=True)  # warms the catalog cache
        import pypdfium2

        from printing.fonts import load_fonts

        text = pypdfium2.PdfDocument(f"{tmp}/r.pdf")[0].get_textpage().get_text_range()
        font = load_fonts().main_source.path
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "python -c 'import textual'": ([sys.executable, "-c", "import textual"], None),
            "hall-app bundles list": (HALL + ["bundles", "list"], None),
            "bare reportlab page": ([sys.executable, "-c", BARE_PAGE, font, f"{tmp}/bare.pdf",
                                     f"http://127.0.0.1:8700/t/{code}"], text),
            "hall-app print receipt": (receipt, None),
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (cmd, stdin) in commands.items():
                samples[name].append(cpu_of(cmd, env, stdin) * 1000)
    med = {name: statistics.median(v) for name, v in samples.items()}
    print(f"CPU ms per process, median of {runs} interleaved runs (min–max)")
    for name, value in med.items():
        print(f"  {name:<28} {value:7.0f}   ({min(samples[name]):.0f}–{max(samples[name]):.0f})")
    textual = med["python -c 'import textual'"]
    print(f"bundles list / import textual: {med['hall-app bundles list'] / textual:.2f}")
    print(f"print receipt / bare page:     {med['hall-app print receipt'] / med['bare reportlab page']:.2f}")


if __name__ == "__main__":
    main()

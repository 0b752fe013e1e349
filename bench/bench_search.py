"""Need-word search: accuracy and time per query over the phrase test set.

Run by hand:  .venv/bin/python bench/bench_search.py [--misses] [--repeat 20]
Loads the shipped catalog, then runs every phrase of tests/data/search_phrases.tsv
through Catalog.search over all bundles (complete or not), as the intake's need step
and `hall-app bundles find` do. Reports top-1/top-3 accuracy (all phrases, and the
held-out third separately, and the phrases that are not just a keyword or name plus
filler words), the time per query (median, p95, max; wall clock and
this thread's CPU time, which a busy machine inflates less) with the pinyin tables
loaded, and the one-off costs: building the index and importing pypinyin.
Results go to docs/search.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ROOT / "tests" / "data" / "search_phrases.tsv"


def load_phrases(path: Path = PHRASES) -> list[tuple[str, str, bool]]:
    """(phrase, expected code, held out) for each line; every third phrase is held out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, code = line.split("\t")
        rows.append((phrase, code, len(rows) % 3 == 2))
    return rows


def accuracy(catalog, rows) -> dict:
    top1 = top3 = 0
    misses = []
    for phrase, code, held in rows:
        found = [s.bundle.code for s in catalog.search(phrase, only_complete=False, limit=8)]
        top1 += bool(found) and found[0] == code
        top3 += code in found[:3]
        if not found or found[0] != code:
            misses.append((phrase, code, found[:3], held))
    n = len(rows) or 1
    return {"n": len(rows), "top1": top1 / n, "top3": top3 / n, "misses": misses}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", choices=("tuning", "all"), help="list the phrases not ranked first "
                        "(tuning: only the two thirds used while tuning keywords)")
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over the set")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    t0 = time.perf_counter()
    from bundles.loader import load_catalog

    catalog = load_catalog()
    t1 = time.perf_counter()
    catalog.need_index  # noqa: B018 - builds the index
    t2 = time.perf_counter()
    from hall_app.domain import need_search

    need_search.warm_up()
    t3 = time.perf_counter()
    catalog.search("gzf", only_complete=False)  # builds the pinyin side of the index
    t4 = time.perf_counter()

    rows = load_phrases()
    keys = {term.key for terms in catalog.need_index.terms for term in terms}
    easy = [r for r in rows if need_search.strip_fillers(need_search.normalise(r[0])) in keys]
    for label, subset in (("all", rows), ("held out", [r for r in rows if r[2]]),
                          ("tuning", [r for r in rows if not r[2]]),
                          ("not a term", [r for r in rows if r not in easy])):
        result = accuracy(catalog, subset)
        print(f"{label:10} n={result['n']:3}  top-1 {result['top1']:.1%}  top-3 {result['top3']:.1%}")
    if args.misses:
        for phrase, code, found, held in accuracy(catalog, rows)["misses"]:
            if held and args.misses == "tuning":
                continue
            print(f"  {'H' if held else ' '} {phrase}  want {code}  got {', '.join(found) or '-'}")

    wall, cpu = [], []
    for _ in range(args.repeat):
        for phrase, _code, _held in rows:
            start, start_cpu = time.perf_counter(), time.thread_time()
            catalog.search(phrase, only_complete=False, limit=9)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    for label, times in (("wall", wall), ("cpu", cpu)):
        ms = sorted(t * 1000 for t in times)
        print(f"per query ({label}) over {len(rows)} phrases x {args.repeat}: median {statistics.median(ms):.2f} ms, "
              f"p95 {ms[int(len(ms) * 0.95)]:.2f} ms, max {ms[-1]:.2f} ms")
    by_kind = {"Chinese": [], "pinyin": []}
    for n, (phrase, _code, _held) in enumerate(rows * args.repeat):
        by_kind["pinyin" if phrase.isascii() else "Chinese"].append(cpu[n] * 1000)
    for kind, ms in by_kind.items():
        print(f"  {kind:8} n={len(ms) // args.repeat:3}  cpu median {statistics.median(ms):.2f} ms, "
              f"max {max(ms):.2f} ms")
    print(f"one-off: load catalog {1000 * (t1 - t0):.0f} ms, build index {1000 * (t2 - t1):.1f} ms, "
          f"import pypinyin {1000 * (t3 - t2):.0f} ms, pinyin index {1000 * (t4 - t3):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutation score per module from mutmut's results (docs/mutation.md).

Run after ``mutmut run ...``:  .venv/bin/python bench/mutation_score.py [MODULE_PREFIX ...]
Counts each module's checked mutants: killed (and timeouts, which also stop the
tests) against survivors; "no tests" are mutants no test reaches, counted as survived.
Mutants not yet checked are listed separately and not counted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests", "suspicious"}


def results() -> list[tuple[str, str]]:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        match = re.match(r"\s*([\w.ǁ]+)__mutmut_\d+: (.+)$", line)
        if match:
            rows.append((match.group(1), match.group(2).strip()))
    return rows


def module_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(p for p in parts if not p.startswith("x")) if parts else name


def main(prefixes: list[str]) -> None:
    per: dict[str, Counter] = defaultdict(Counter)
    for name, status in results():
        module = module_of(name)
        if prefixes and not any(module.startswith(p) for p in prefixes):
            continue
        per[module][status] += 1
    total = Counter()
    print(f"{'module':40} {'killed':>7} {'survived':>9} {'no tests':>9} {'unchecked':>10} {'score':>7}")
    for module in sorted(per):
        c = per[module]
        killed = sum(c[s] for s in KILLED)
        survived = sum(c[s] for s in SURVIVED)
        unchecked = sum(v for s, v in c.items() if s not in KILLED | SURVIVED)
        total.update({"killed": killed, "survived": survived, "no tests": c["no tests"], "unchecked": unchecked})
        checked = killed + survived
        score = f"{100 * killed / checked:.1f}%" if checked else "—"
        print(f"{module:40} {killed:7} {survived:9} {c['no tests']:9} {unchecked:10} {score:>7}")
    checked = total["killed"] + total["survived"]
    score = f"{100 * total['killed'] / checked:.1f}%" if checked else "—"
    print(f"{'total':40} {total['killed']:7} {total['survived']:9} {total['no tests']:9} {total['unchecked']:10} "
          f"{score:>7}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""hall-app bundles find PHRASE: the need-word search of the intake (智能导办) on the
command line, for scripting and measuring. Loads only the bundle files and the search
(no database, no screens)."""

from __future__ import annotations

import argparse
import sys

from hall_app.cli.common import UserError, dump_json

NOT_OFFERED = "［未完成，暂不受理］"


def register(sub) -> None:
    """Add ``find`` under the ``bundles`` command (registered by hall_app.cli.catalog)."""
    bundles = sub.choices.get("bundles")
    if bundles is None:
        return
    actions = [a for a in bundles._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        return
    p = actions[0].add_parser("find", help="按群众的说法查找一件事（口语、旧称、拼音首字母），按匹配度排序")
    p.add_argument("phrase", nargs="+", help="需求的说法，如：我爸走了、开个饭馆、gzf")
    p.add_argument("--limit", type=int, default=8, help="最多列出几项（默认 8）")
    p.add_argument("--offered", action="store_true", help="只列出可受理（已完成）的套餐")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_find)


def cmd_find(args) -> int:
    from bundles.loader import CatalogError, load_catalog

    if args.limit < 1:
        raise UserError("--limit 至少为 1")
    phrase = " ".join(args.phrase)
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise UserError("套餐目录有错误：\n" + str(exc)) from None
    found = catalog.search(phrase, only_complete=args.offered, limit=args.limit)
    if args.json:
        dump_json([{"rank": n, "code": s.bundle.code, "name": s.bundle.name, "score": s.score, "why": s.why,
                    "complete": s.bundle.complete, "differs": s.differs or None}
                   for n, s in enumerate(found, start=1)])
        return 0 if found else 1
    if not found:
        print(f"没有找到与“{phrase}”匹配的一件事", file=sys.stderr)
        return 1
    for n, s in enumerate(found, start=1):
        mark = "" if s.bundle.complete else f" {NOT_OFFERED}"
        print(f"{n:>2}. {s.bundle.code:<34} {s.score:>3}  {s.bundle.name}{mark}｜{s.why}")
        if s.differs:
            print(f"    区别：{s.differs}")
    return 0

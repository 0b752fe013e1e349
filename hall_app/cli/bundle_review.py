"""hall-app bundles status|review|publish: review before launch (上线前审核).

draft → checked → reviewed → published; see docs/bundles.md ("Review workflow")."""

from __future__ import annotations

from hall_app.cli.common import UserError, dump_json

STRINGS = {
    "status_help": "各套餐的审核状态（草稿、已校验、已审核、已发布）",
    "review_help": "审核一个套餐：--dry-run 只打印审核内容；--as 姓名 记录审核通过",
    "publish_help": "发布已审核的套餐（记录发布人），之后 server publish-bundles 才会发送到设备",
    "dir_help": "套餐文件或目录（默认随程序发行的目录）",
    "reviews_help": "审核记录文件（默认 bundles/reviews.toml，或环境变量 HALL_BUNDLE_REVIEWS）",
    "need_as": "请用 --as 写明审核人（姓名及部门），或用 --dry-run 只查看审核内容",
    "need_publisher": "请用 --as 写明发布人姓名",
    "reviewed": "已记录：{by} 审核通过“{name}”（内容 {hash}）",
    "published": "已记录：{by} 发布“{name}”（内容 {hash}）；用 hall-app server publish-bundles 发送到设备",
    "total": "共 {n} 个套餐：{counts}",
}


def register(bsub) -> None:
    p = bsub.add_parser("status", help=STRINGS["status_help"])
    p.add_argument("codes", nargs="*", metavar="CODE")
    _common(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)
    p = bsub.add_parser("review", help=STRINGS["review_help"])
    p.add_argument("code", metavar="CODE")
    p.add_argument("--dry-run", action="store_true",
                   help="只打印审核人要看的内容（事项、问题、规则、材料、字段、试运行）")
    p.add_argument("--as", dest="by", metavar="NAME", help="审核人姓名及部门")
    p.add_argument("--note", default="", help="审核意见")
    _common(p)
    p.set_defaults(handler=cmd_review)
    p = bsub.add_parser("publish", help=STRINGS["publish_help"])
    p.add_argument("code", metavar="CODE")
    p.add_argument("--as", dest="by", metavar="NAME", help="发布人姓名")
    p.add_argument("--note", default="")
    _common(p)
    p.set_defaults(handler=cmd_publish)


def _common(p) -> None:
    p.add_argument("--dir", dest="paths", action="append", metavar="PATH", help=STRINGS["dir_help"])
    p.add_argument("--reviews", metavar="FILE", help=STRINGS["reviews_help"])


def _refused(call):
    from bundles.reviews import ReviewsError
    from hall_app.services.bundle_review import ReviewRefused

    try:
        return call()
    except (ReviewRefused, ReviewsError) as exc:
        raise UserError(str(exc), code=1) from None


def cmd_status(args) -> int:
    from hall_app.domain.review import STATE_LABELS, STATES
    from hall_app.services.bundle_review import statuses

    found, unreadable = _refused(lambda: statuses(args.paths, args.reviews))
    if args.codes:
        found = [f for f in found if f.entry.bundle.code in args.codes or f.entry.bundle.name in args.codes]
    if args.json:
        dump_json([{"code": f.entry.bundle.code, "name": f.entry.bundle.name, "state": f.status.state,
                    "why": f.status.why, "content_hash": f.entry.content_hash,
                    "reviewed_by": f.status.reviewed.by if f.status.reviewed else None,
                    "published_by": f.status.published.by if f.status.published else None} for f in found])
        return 0
    for f in sorted(found, key=lambda f: (STATES.index(f.status.state), f.entry.bundle.code)):
        b = f.entry.bundle
        print(f"{STATE_LABELS[f.status.state]:<4} {b.code:<36} {b.name}｜{f.status.why}")
    for p in unreadable:
        print(f"{STATE_LABELS['draft']:<4} {p}")
    counts = "，".join(f"{STATE_LABELS[s]} {sum(1 for f in found if f.status.state == s)}" for s in STATES)
    print(STRINGS["total"].format(n=len(found), counts=counts))
    return 0


def cmd_review(args) -> int:
    from hall_app.services.bundle_review import dry_run_text, review

    if args.dry_run:
        for line in _refused(lambda: dry_run_text(args.code, args.paths, args.reviews)):
            print(line)
        return 0
    if not args.by:
        raise UserError(STRINGS["need_as"])
    record = _refused(lambda: review(args.code, args.by, args.note, args.paths, args.reviews))
    print(STRINGS["reviewed"].format(by=record.by, name=args.code, hash=record.content_hash))
    return 0


def cmd_publish(args) -> int:
    from hall_app.services.bundle_review import release

    if not args.by:
        raise UserError(STRINGS["need_publisher"])
    record = _refused(lambda: release(args.code, args.by, args.note, args.paths, args.reviews))
    print(STRINGS["published"].format(by=record.by, name=args.code, hash=record.content_hash))
    return 0

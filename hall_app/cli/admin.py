"""hall-app db upgrade, hall-app user add."""

from __future__ import annotations

import getpass

from hall_app.cli.common import UserError, open_ctx


def register(sub) -> None:
    db = sub.add_parser("db", help="数据库维护")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dsub.add_parser("upgrade", help="把数据库结构升级到最新版本")
    p.set_defaults(handler=cmd_db_upgrade)
    p = dsub.add_parser("rebuild", help="由事件日志重建办件投影")
    p.set_defaults(handler=cmd_db_rebuild)
    p = dsub.add_parser("encrypt", help="加密本机数据库（帮代办笔记本丢失后不泄露个人信息）；"
                                        "密码逐个从提示或标准输入读取")
    p.add_argument("--user", action="append", required=True, metavar="NAME",
                   help="可用其密码解锁的用户（可多次给出）；该用户须已存在且密码正确")
    p.add_argument("--drop-queue", action="store_true",
                   help="同时清零并删除本机排队叫号数据库（未加密，可能有取号、预约群众的身份信息）")
    p.set_defaults(handler=cmd_db_encrypt)

    user = sub.add_parser("user", help="用户管理")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = usub.add_parser("add", help="新增用户（密码从标准输入或提示读取）")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["clerk", "agent", "supervisor", "admin"])
    p.add_argument("--name", default="")
    p.add_argument("--window", default="")
    p.add_argument("--township", default="", help="帮代办员服务的乡镇（街道），如 白沙镇：只能为该乡镇的群众代办")
    p.set_defaults(handler=cmd_user_add)


def cmd_db_upgrade(args) -> int:
    from hall_app.store.db import HEAD_REVISION, current_revision

    ctx = open_ctx(args)  # opening runs the migrations
    print(f"数据库已是最新版本（{current_revision(ctx.engine) or HEAD_REVISION}）：{ctx.settings.db_path}")
    return 0


def cmd_db_rebuild(args) -> int:
    ctx = open_ctx(args)
    with ctx.unit_of_work() as (_, repo):
        count = repo.rebuild_all()
    print(f"已重建 {count} 个办件的投影")
    return 0


def cmd_user_add(args) -> int:
    from hall_app.services.users import AuthError

    ctx = open_ctx(args)
    password = getpass.getpass("密码：") if __import__("sys").stdin.isatty() else input()
    try:
        user = ctx.users.create(args.username, password, args.role, args.name, window=args.window,
                                township=args.township)
    except AuthError as exc:
        raise UserError(str(exc)) from None
    print(f"已创建用户 {user.username}（{user.role_label}）")
    return 0


def cmd_db_encrypt(args) -> int:
    """Check each user's password against the database, then encrypt it in place."""
    import sys

    from hall_app.services.users import AuthError
    from hall_app.store.cipher import CipherError, encrypt_database, overwrite_and_remove

    ctx = open_ctx(args)
    path = ctx.settings.db_path
    queue = _plain_queue(path)
    if queue and not args.drop_queue:
        ctx.close()
        raise UserError(f"本机排队叫号数据库 {queue[0]} 未加密，其中可能有取号、预约群众的姓名和身份证号码，"
                        "加密本机数据库也不会改变它。帮代办员的笔记本不需要它（登记到中心服务器的设备使用服务器的排队叫号）："
                        "请加 --drop-queue 将其清零删除后再加密。未做任何改动。")
    passwords: dict[str, str] = {}
    for name in args.user:
        password = getpass.getpass(f"{name} 的密码：") if sys.stdin.isatty() else input()
        try:
            ctx.users.authenticate(name, password)
        except AuthError as exc:
            raise UserError(f"{name}：{exc}") from None
        passwords[name] = password
    ctx.close()
    try:
        encrypt_database(path, passwords)
    except CipherError as exc:
        raise UserError(str(exc)) from None
    for plain in queue:  # only after the database itself is safe
        overwrite_and_remove(plain)
    if queue:
        print(f"已清零并删除本机排队叫号数据库 {queue[0]}")
    print(f"已加密 {path}；可解锁的用户：{'、'.join(passwords)}。密钥文件 {path.name}.keys 须与数据库放在一起。")
    return 0


def _plain_queue(db_path) -> list:
    """The embedded queue's files beside the database (hall.queue.db and its -wal/-shm)."""
    from hall_app.services.queue import queue_path

    main = queue_path(db_path)
    return [f for f in (main, main.with_name(main.name + "-wal"), main.with_name(main.name + "-shm"))
            if f.exists()] if main.exists() else []

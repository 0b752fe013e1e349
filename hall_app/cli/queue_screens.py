"""hall-app kiosk, hall-app display, hall-app dashboard, hall-app rate-pad: the ticket
kiosk, the hall display, the supervisor's dashboard and a window's rate pad, each a
full-screen program of its own; ``--serve`` opens any of them in a browser on the hall
LAN through textual-serve (each browser tab runs its own copy of the program; the
dashboard's tab asks for a supervisor's sign-in).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from hall_app.cli.common import UserError

KIOSK_PORT = 8711
DISPLAY_PORT = 8710
DASHBOARD_PORT = 8712
RATE_PAD_PORT = 8713


def register(sub) -> None:
    p = sub.add_parser("kiosk", help="自助取号机（全屏；数字键、方向键和回车操作）")
    _serve_options(p, KIOSK_PORT)
    p.add_argument("--return-seconds", type=float, default=None, help="取号后号码显示多少秒再回到首页（默认见配置）")
    p.set_defaults(handler=cmd_kiosk)

    p = sub.add_parser("display", help="叫号大屏（全屏；最新叫号、各业务等候人数；可语音叫号）")
    p.add_argument("--hall", default=None, help="大厅编号（默认本机配置的大厅，如 JJ01）")
    _serve_options(p, DISPLAY_PORT)
    voice = p.add_mutually_exclusive_group()
    voice.add_argument("--voice", dest="voice", action="store_true", default=None,
                       help="语音叫号（需安装 espeak-ng；未安装时静音）")
    voice.add_argument("--no-voice", dest="voice", action="store_false", help="不语音叫号")
    p.set_defaults(handler=cmd_display)

    p = sub.add_parser("dashboard", help="监督看板（值班长登录后直接进入；实时大厅、限时办结、好差评）")
    _serve_options(p, DASHBOARD_PORT)
    p.set_defaults(handler=cmd_dashboard)

    p = sub.add_parser("rate-pad", help="评价器（全屏，面向群众；窗口办结后请群众评价本次服务，超时记未评价）")
    p.add_argument("--window", default=None, help="评价器所属窗口（默认本机配置的窗口，如 W03）")
    _serve_options(p, RATE_PAD_PORT)
    p.set_defaults(handler=cmd_rate_pad)


def _serve_options(p, port: int) -> None:
    p.add_argument("--serve", action="store_true", help=f"在浏览器中打开（textual-serve，默认端口 {port}）")
    p.add_argument("--host", default="0.0.0.0", help="--serve 监听的地址（默认 0.0.0.0：大厅局域网可访问）")
    p.add_argument("--port", type=int, default=port, help=f"--serve 的端口（默认 {port}）")
    p.add_argument("--public-url", default=None, help="--serve 时浏览器访问的网址（默认 http://本机名:端口）")


def _settings(args, **overrides):
    from hall_app.config import ConfigError, load_settings

    try:
        return load_settings(getattr(args, "config", None), db=getattr(args, "db", None), **overrides)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def _open(args, settings):
    """The context, with the demo hall seeded on the embedded default's first start (as ``hall-app`` does)."""
    from hall_app.cli.common import translated_errors
    from hall_app.services import open_context

    with translated_errors():
        ctx = open_context(settings)
        if not getattr(args, "no_demo", False) and not settings.db and ctx.users.count() == 0:
            from hall_app.services.demo import DemoSeeder

            DemoSeeder(ctx).seed()
    return ctx


def _queue(ctx, kind: str):
    from hall_app.cli.common import translated_errors
    from hall_app.domain.queue import QueueError
    from hall_app.services.queue import LocalQueue, open_queue

    try:
        with translated_errors():
            queue = open_queue(ctx, kind=kind)
    except QueueError as exc:
        raise UserError(str(exc)) from None
    if kind == "kiosk" and not isinstance(queue, LocalQueue):
        # on the hall's server: numbers from a reserved block while it is away (services/queue_kiosk.py)
        from hall_app.services.queue_kiosk import KioskQueue

        queue = KioskQueue(queue, kiosk_file(ctx.settings.db_path))
    return queue


def kiosk_file(db_path) -> Path:
    """The kiosk's reserved numbers and offline tickets, beside its database (hall.db → hall.kiosk.json)."""
    return Path(db_path).with_name(f"{Path(db_path).stem}.kiosk.json")


def _run(app, ctx, queue, *also_close) -> int:
    """Run a queue program full screen; close what it used however it ends."""
    try:
        app.run()
    finally:
        for close in also_close:
            close()
        queue.close()
        ctx.close()
    return app.return_code or 0


def cmd_kiosk(args) -> int:
    if args.serve:
        return _serve(args, "kiosk", "自助取号")
    settings = _settings(args)
    ctx = _open(args, settings)
    queue = _queue(ctx, "kiosk")
    from screens.kiosk import KioskApp

    seconds = args.return_seconds if args.return_seconds is not None else settings.kiosk_return_seconds
    return _run(KioskApp(ctx, queue, return_seconds=seconds), ctx, queue)


def cmd_display(args) -> int:
    if args.serve:
        return _serve(args, "display", "叫号大屏")
    settings = _settings(args, **({"hall": args.hall} if args.hall else {}))
    ctx = _open(args, settings)
    queue = _queue(ctx, "display")
    from hall_app.services.ticket_slips import hall_name
    from screens.display import DisplayApp

    voice = None
    if args.voice if args.voice is not None else settings.display_voice:
        from screens.voice import find_voice

        voice = find_voice(settings.display_voice_name)
    app = DisplayApp(ctx, queue, hall_name(ctx), poll_seconds=settings.display_poll_seconds or 0.5, voice=voice)
    return _run(app, ctx, queue, *([lambda: voice.close(timeout=1)] if voice is not None else []))


def cmd_dashboard(args) -> int:
    """The app, opening on the supervisor's dashboard once a supervisor signs in;
    ``--serve``: the same in a browser (each tab signs in by itself)."""
    if args.serve:
        return _serve(args, "dashboard", "监督看板")
    from hall_app.cli.tui import run_tui

    args.start_dashboard = True
    return run_tui(args)


def cmd_rate_pad(args) -> int:
    """The window's rate pad beside the clerk's ``hall-app`` (docs/statistics.md)."""
    if args.serve:
        return _serve(args, "rate-pad", "评价器")
    settings = _settings(args, **({"window": args.window} if args.window else {}))
    if not settings.window:
        raise UserError("请用 --window 指定评价器所属的窗口（如 --window W03）")
    ctx = _open(args, settings)
    queue = _queue(ctx, "pad")
    from screens.rate_pad_program import RatePadApp

    return _run(RatePadApp(queue, settings.window, clock=ctx.clock), ctx, queue)


def served_command(args, command: str) -> str:
    """The command textual-serve starts for each browser tab: this program, same options, no --serve."""
    parts = [sys.executable, "-m", "hall_app"]
    if getattr(args, "db", None):
        parts += ["--db", args.db]
    if getattr(args, "config", None):
        parts += ["--config", args.config]
    parts.append(command)
    if command == "display":
        if args.hall:
            parts += ["--hall", args.hall]
        if args.voice is not None:
            parts.append("--voice" if args.voice else "--no-voice")
    elif command == "rate-pad" and args.window:
        parts += ["--window", args.window]
    elif command == "kiosk" and args.return_seconds is not None:
        parts += ["--return-seconds", str(args.return_seconds)]
    return shlex.join(parts)


def serve_url(args) -> str:
    import socket

    if args.public_url:
        return args.public_url.rstrip("/")
    host = args.host if args.host not in ("0.0.0.0", "::", "") else socket.gethostname()
    return f"http://{host}:{args.port}"


def _serve(args, command: str, title: str) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("未安装 textual-serve：pip install textual-serve") from None
    url = serve_url(args)
    print(f"{title}：请在浏览器打开 {url}  （Ctrl+C 停止）", flush=True)
    Server(served_command(args, command), host=args.host, port=args.port, title=title, public_url=url).serve()
    return 0

"""hall-app config check [--file F]: the settings in force, where each came from, and
every problem (exit 2 if there is one). hall-app config keys: the binding ids a
``[keymap]`` section may move, with their default keys."""

from __future__ import annotations

import json

from hall_app.cli.common import EXIT_USAGE, UserError


def register(sub) -> None:
    config = sub.add_parser("config", help="设置：查看生效的设置并检查错误")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    p = csub.add_parser("check", help="列出生效的设置（及其来源）与所有问题；有问题时退出码为 2")
    p.add_argument("--file", help="要检查的配置文件（默认 ./hall-app.toml、用户配置目录或 HALL_CONFIG）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)
    p = csub.add_parser("keys", help="列出可在 [keymap] 中改键的全部按键编号及默认按键")
    p.set_defaults(handler=cmd_keys)


def cmd_check(args) -> int:
    from hall_app.config import FLAT, SECTIONS, inspect_settings

    loaded = inspect_settings(args.file or getattr(args, "config", None), db=getattr(args, "db", None))
    settings = loaded.settings
    problems = list(loaded.problems)
    if settings.keymap:
        problems += keymap_problems(settings.keymap, loaded.path)
    if args.json:
        data = {name: {key: getattr(settings, key) for key in FLAT if FLAT[key] == name} for name in SECTIONS}
        data |= {"calendar": settings.calendar, "keymap": settings.keymap,
                 "config_file": settings.config_file, "sources": loaded.sources, "problems": problems}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(f"配置文件：{loaded.path or '无（未找到 ./hall-app.toml，也未在用户配置目录中找到）'}")
        print(f"数据库：{settings.db_path}")
        for name in SECTIONS:
            print(f"[{name}]")
            for key in (k for k in FLAT if FLAT[k] == name):
                value = json.dumps(getattr(settings, key), ensure_ascii=False)
                print(f"  {key} = {value}".ljust(44) + f"  # {loaded.sources.get(key, '默认')}")
        for year, days in sorted(settings.calendar.items()):
            print(f"[calendar.\"{year}\"]  节假日 {len(days.get('holidays', []))} 天，"
                  f"调休上班 {len(days.get('workdays', []))} 天")
        if settings.keymap:
            print("[keymap]")
            for binding_id, keys in sorted(settings.keymap.items()):
                print(f"  \"{binding_id}\" = \"{keys}\"")
        if problems:
            print(f"\n问题（{len(problems)}）：")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print("\n设置无误。")
    if problems:
        raise UserError(f"设置有 {len(problems)} 处问题（见上）", EXIT_USAGE)
    return 0


def keymap_problems(keymap: dict[str, str], path) -> list[str]:
    """Binding ids the app does not have, and keys moved onto one already in use
    (imports the screens: only for this command)."""
    import difflib

    from screens.keymap import binding_ids, clashes

    known = binding_ids()
    out = [f"配置文件 {path}：keymap 把 {moved} 改为 {key}，与同一页的 {other}（{_what(known, other)}）冲突，"
           f"后者将失效" for moved, key, other in clashes(keymap)]
    for binding_id in keymap:
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f"，是否想写 {close[0]}？" if close else "（运行 hall-app config keys 列出全部）"
            out.append(f"配置文件 {path}：keymap 中的 {binding_id} 不是已知的按键编号{hint}")
    return out


def cmd_keys(args) -> int:
    from screens.keymap import binding_ids

    for binding_id, binding in sorted(binding_ids().items()):
        print(f"{binding_id:<24} {binding.key:<20} {binding.description}")
    return 0


def _what(known, binding_id: str) -> str:
    binding = known.get(binding_id)
    return binding.description if binding is not None and binding.description else binding_id

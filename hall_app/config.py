"""Settings: defaults, then a TOML file (./hall-app.toml, else the user config dir),
then environment variables (HALL_*), then command-line options.

The settings are nested by section (``settings.printing.escpos_port``); every key
keeps its old flat name too (``settings.escpos_port``, ``escpos_port = 9100`` at the top
of the file, ``HALL_ESCPOS_PORT``), so older files and code keep working. A file may
write a key at the top or in its section::

    hall = "JJ01"            # flat, as before
    [printing]
    printer = "cups"
    cups_queue = "hall"
    [keymap]                 # binding id = keys (see docs/ui.md)
    "workbench.new" = "f2,ctrl+n"

Values are checked with pydantic (types, ranges, choices, unknown keys) and every
problem names its key and where it came from. pydantic is imported only when there is
something new to check (a file or HALL_* variables not seen passing before; see
``_stamp``): the first frame of the app and the command line stay light.

Adding a setting: add a field with its type and default to the right section
dataclass below; its flat name (``settings.NAME``), its file key (at the top or in
the section), its ``HALL_<NAME>`` variable and its line in ``hall-app config check``
follow, and pydantic checks the type (``Literal[...]`` for a choice; ``Port``, ``Days``,
``Interval`` or a new ``Annotated`` type in settings_check.py for a range). A new
section: a dataclass, an entry in ``SECTIONS`` and a field on ``Settings``. Names must
be unique across sections.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the constrained types live in settings_check (imported only to check)
    from hall_app.settings_check import Days, Interval, Minutes, PerMinute, Port, Seconds

APP_NAME = "hall-app"
CONFIG_FILE = "hall-app.toml"


def _dirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


# -- the sections ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceSettings:
    db: str = ""  # path of the SQLite file; default in the user data dir
    hall: str = "JJ01"
    window: str = "W03"
    device_name: str = ""
    # which bundle files a hall offers for intake: "complete" (demo, development) or
    # "published" (production: only bundles whose exact content was reviewed and released)
    bundle_offer: Literal["complete", "published"] = "complete"



@dataclass(frozen=True)
class PrintingSettings:
    printer: Literal["file", "cups", "escpos"] = "file"
    cups_queue: str = ""
    escpos_host: str = ""
    escpos_port: Port = 9100
    escpos_width: Literal["80mm", "58mm"] = "80mm"
    receipt_paper: Literal["a4", "80mm", "58mm"] = "a4"
    font_path: str = ""
    pdf_dir: str = ""
    tracking_base_url: str = ""  # QR address; empty: the enrolled server, else the local one


@dataclass(frozen=True)
class DeadlineSettings:
    notice_days: Days = 5  # working days given to supply missing materials
    deferral_days: Days = 10  # working days to supply deferred materials
    bad_rating_followup_days: Days = 15  # working days to follow up a bad rating (好差评整改)
    # -- supervise (issue 11) --
    at_risk_days: Days = 3  # the deadline board's "即将到期": due within this many working days
    dashboard_refresh: Interval = 30.0  # seconds between the supervisor dashboard's refreshes
    post_check_days: Days = 20  # working days for a department's post-check of a 告知承诺 item (事后核查)
    # the live hall (the dashboard's queue panel): a ticket called within the target is within the SLA
    queue_wait_target: Minutes = 15.0
    queue_idle_alert: Minutes = 3.0  # an open window idle this long while people wait is flagged
    queue_paused_alert: Minutes = 15.0  # a window paused this long is an alert
    queue_refresh: Interval = 5.0  # seconds from the end of one poll of the queue to the next
    enquiry_days: Days = 5  # working days to close an open enquiry (首问负责) before it counts as overdue


@dataclass(frozen=True)
class SyncSettings:
    server_url: str = ""
    sync_interval: Interval = 15.0


@dataclass(frozen=True)
class ServerSettings:
    # proxies whose X-Forwarded-For is believed ("10.0.0.5, 10.1.0.0/16"; empty: none), docs/server.md
    trusted_proxies: str = ""
    track_per_minute: PerMinute = 30.0  # tracking look-ups per client address
    enroll_per_minute: PerMinute = 6.0  # failed enrollments per client address


# -- queue screens (issue 10: kiosk, hall display, the window's queue panel) ------------------
@dataclass(frozen=True)
class QueueScreenSettings:
    display_poll_seconds: Seconds = 0.5  # the hall display asks the queue this long after its last answer
    display_voice: bool = False  # speak each call through espeak-ng when it is installed
    display_voice_name: str = "cmn"  # espeak-ng voice (Mandarin)
    kiosk_return_seconds: Seconds = 20.0  # a kiosk page other than the start goes back after this idle time
    window_queue_poll_seconds: Seconds = 2.0  # the workbench's queue panel refresh (0: only after its own keys)
# -- agents' laptops (issue 13) --
@dataclass(frozen=True)
class AgentSettings:
    idle_lock_minutes: int = 10  # the agent's screen locks after this many idle minutes (0: never)
    stale_hours: Interval = 24.0  # offline catalog / person data older than this is flagged


SECTIONS: dict[str, type] = {"device": DeviceSettings, "printing": PrintingSettings,
                             "deadlines": DeadlineSettings, "sync": SyncSettings, "server": ServerSettings,
                             "queue_screens": QueueScreenSettings, "agent": AgentSettings}
# flat key -> its section
FLAT: dict[str, str] = {f.name: section for section, cls in SECTIONS.items() for f in fields(cls)}
# tables of their own (not flat keys): calendar years and the keymap
TABLES = ("calendar", "keymap")
ENV_PREFIX = "HALL_"


@dataclass(frozen=True, init=False)
class Settings:
    """Every setting, by section. ``Settings(db=…, hall=…)`` and ``settings.hall`` (the
    flat names) still work; new code may use ``settings.device.hall``."""

    device: DeviceSettings
    printing: PrintingSettings
    deadlines: DeadlineSettings
    sync: SyncSettings
    server: ServerSettings
    queue_screens: QueueScreenSettings
    agent: AgentSettings
    calendar: dict[str, dict[str, list[str]]]  # {"2027": {"holidays": [...], "workdays": [...]}}
    keymap: dict[str, str]  # binding id -> keys, e.g. {"workbench.new": "f2,ctrl+n"}
    config_file: str

    def __init__(self, *, calendar: dict | None = None, keymap: dict | None = None, config_file: str = "",
                 **given: Any) -> None:
        """Sections by name (``device=DeviceSettings(…)``) and/or keys by their flat name."""
        flat = {k: v for k, v in given.items() if k not in SECTIONS}
        for name, cls in SECTIONS.items():
            section = given.get(name) or cls()
            own = {k: v for k, v in flat.items() if FLAT.get(k) == name}
            if own:
                section = _replace(section, own)
            object.__setattr__(self, name, section)
        unknown = sorted(set(flat) - set(FLAT))
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        object.__setattr__(self, "calendar", dict(calendar or {}))
        object.__setattr__(self, "keymap", dict(keymap or {}))
        object.__setattr__(self, "config_file", config_file)

    def __getattr__(self, name: str) -> Any:  # only called when the normal lookup fails
        section = FLAT.get(name)
        if section is None:
            raise AttributeError(f"{type(self).__name__!s} has no setting {name!r}")
        return getattr(object.__getattribute__(self, section), name)

    def replace(self, **flat: Any) -> "Settings":
        """A copy with some settings changed (flat names)."""
        return Settings(**{name: getattr(self, name) for name in SECTIONS}, calendar=self.calendar,
                        keymap=self.keymap, config_file=self.config_file, **flat)

    def flat(self) -> dict[str, Any]:
        """Every key by its flat name (what ``config check`` shows)."""
        return {name: getattr(self, name) for name in FLAT}

    @property
    def db_path(self) -> Path:
        if self.device.db:
            return Path(self.device.db).expanduser()
        return Path(_dirs().user_data_dir) / "hall.db"

    @property
    def pdf_path(self) -> Path:
        if self.printing.pdf_dir:
            return Path(self.printing.pdf_dir).expanduser()
        return self.db_path.parent / "documents"


def _replace(section: Any, values: dict[str, Any]) -> Any:
    from dataclasses import replace

    return replace(section, **values)


# -- where settings come from -----------------------------------------------------------------------
def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


def find_config_file(explicit: str | None = None) -> Path | None:
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("HALL_CONFIG"):
        return Path(os.environ["HALL_CONFIG"]).expanduser()
    local = Path.cwd() / CONFIG_FILE
    if local.is_file():
        return local
    user = Path(_dirs().user_config_dir) / CONFIG_FILE
    return user if user.is_file() else None


class ConfigError(Exception):
    pass


@dataclass
class Loaded:
    """What ``hall-app config check`` shows: the settings in force, where each key came
    from (default / the file / HALL_X / the command line), and every problem found."""

    settings: Settings
    sources: dict[str, str]
    problems: list[str]
    path: Path | None


def inspect_settings(config_file: str | None = None, **overrides: Any) -> Loaded:
    """Read and check every source; a key with a problem keeps its earlier value."""
    path = find_config_file(config_file)
    problems: list[str] = []
    # (key, value, where it came from, how it was written there), in order of precedence
    entries: list[tuple[str, Any, str, str]] = []
    tables: dict[str, Any] = {}
    where = f"配置文件 {path}"
    if path is not None:
        _from_file(_read_file(path, problems), where, entries, tables, problems)
    for key in FLAT:
        if env_name(key) in os.environ:
            entries.append((key, os.environ[env_name(key)], f"环境变量 {env_name(key)}", ""))
    sections: dict[str, Any] = {}
    calendar: dict[str, dict[str, list[str]]] = {}
    keymap: dict[str, str] = {}
    sources: dict[str, str] = {}
    if tables:
        from hall_app.settings_tables import check_tables

        calendar, keymap = check_tables(tables, where, problems)
    if entries:
        stamp = _stamp(entries)
        if not problems and stamp in _checked_before():
            sections, sources = _as_checked(entries)  # the same input passed pydantic before
        else:  # only here is pydantic imported (about 0.1 s, before the app's first frame)
            from hall_app.settings_check import check_entries

            sections, sources = check_entries(entries, problems)
            if not problems:
                _remember(stamp)
    # command-line options come typed from argparse (--db): applied as they are
    given = {key: value for key, value in overrides.items() if value is not None}
    settings = Settings(**sections, calendar=calendar, keymap=keymap, config_file=str(path) if path else "",
                        **given)
    sources |= dict.fromkeys(given, "命令行")
    return Loaded(settings, sources, problems, path)


# -- remembering a check that passed ------------------------------------------------------------
# The same file and variables checked again give the same answer: a stamp of every
# input (and of the checking code) that passed is kept in the user cache dir, and a
# start with the same inputs skips pydantic. Anything changed is checked in full.
CHECKED_FILE = "settings-checked"


def _stamp(entries: list[tuple[str, Any, str, str]]) -> str:
    import hashlib

    here = Path(__file__).resolve()
    code = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in (here, here.with_name("settings_check.py"))
            if p.exists()]
    return hashlib.sha256(repr((code, entries)).encode("utf-8")).hexdigest()


def _checked_path() -> Path:
    import sys

    if sys.platform.startswith("linux"):  # platformdirs' rule, without importing it (~10-60 ms)
        base = os.environ.get("XDG_CACHE_HOME", "")
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        return root / APP_NAME / CHECKED_FILE
    return Path(_dirs().user_cache_dir) / CHECKED_FILE


def _checked_before() -> set[str]:
    try:
        return set(_checked_path().read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return set()


def _remember(stamp: str) -> None:
    try:
        path = _checked_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        known = [s for s in path.read_text(encoding="ascii").split() if s != stamp] if path.exists() else []
        path.write_text("\n".join([*known[-15:], stamp]) + "\n", encoding="ascii")
    except (OSError, UnicodeDecodeError):
        pass  # a read-only home: checked in full every time


def _as_checked(entries: list[tuple[str, Any, str, str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Sections from input that passed the check before: only the conversions the check
    made (text from a HALL_* variable to a number; a whole number for a decimal one)."""
    from dataclasses import replace

    sections = {name: cls() for name, cls in SECTIONS.items()}
    sources: dict[str, str] = {}
    for key, value, source, _shown in entries:
        section = sections[FLAT[key]]
        default = getattr(section, key)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            value = type(default)(value)
        sections[FLAT[key]] = replace(section, **{key: value})
        sources[key] = source
    return sections, sources


def _read_file(path: Path, problems: list[str]) -> dict[str, Any]:
    import tomllib  # only when there is a file to read: not on every start-up

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"配置文件 {path} 不存在")
    except IsADirectoryError:
        problems.append(f"配置文件 {path} 是一个目录")
    except OSError as exc:
        problems.append(f"配置文件 {path} 无法读取：{exc.strerror or exc}")
    except UnicodeDecodeError:
        problems.append(f"配置文件 {path} 不是 UTF-8 编码的文本")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"配置文件 {path} 不是合法的 TOML：{exc}")
    return {}


def _from_file(data: dict[str, Any], where: str, entries: list, tables: dict[str, Any],
               problems: list[str]) -> None:
    seen: dict[str, str] = {}

    def put(key: str, value: Any, shown: str) -> None:
        if key in seen:
            problems.append(f"{where}：{key} 写了两次（{seen[key]} 与 {shown}），请只留一处")
            return
        seen[key] = shown
        entries.append((key, value, where, shown))

    for key, value in data.items():
        if key in TABLES:
            tables[key] = value
        elif key in SECTIONS:
            if not isinstance(value, dict):
                problems.append(f"{where}：{key} 应为一节（[{key}]），实为 {value!r}")
                continue
            for inner, inner_value in value.items():
                if FLAT.get(inner) != key:
                    home = FLAT.get(inner)
                    hint = f"（它属于 [{home}]）" if home else _suggest(inner)
                    problems.append(f"{where}：[{key}] 中的 {inner} 不是已知设置{hint}")
                    continue
                put(inner, inner_value, f"[{key}] {inner}")
        elif key in FLAT:
            put(key, value, key)
        else:
            problems.append(f"{where}：{key} 不是已知设置{_suggest(key)}")


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, [*FLAT, *SECTIONS, *TABLES], n=1)
    return f"，是否想写 {close[0]}？" if close else ""


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    loaded = inspect_settings(config_file, **overrides)
    if loaded.problems:
        raise ConfigError("设置有误：\n  " + "\n  ".join(loaded.problems)
                          + "\n（运行 hall-app config check 查看全部设置）")
    return loaded.settings

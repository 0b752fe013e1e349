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
something to check (a file or a HALL_* variable): the first frame of the app and the
command line stay light.

Adding a setting: add a field with its default to the right section dataclass below
(or a new section dataclass listed in ``SECTIONS``); its flat name, file key and
``HALL_<NAME>`` variable follow, and ``hall-app config check`` shows it. Names must
be unique across sections.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le

APP_NAME = "hall-app"
CONFIG_FILE = "hall-app.toml"
Port = Annotated[int, Ge(1), Le(65535)]
Days = Annotated[int, Ge(1), Le(365)]


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
    bad_rating_followup_days: Days = 3


@dataclass(frozen=True)
class SyncSettings:
    server_url: str = ""
    sync_interval: Annotated[float, Gt(0), Le(86400)] = 15.0


@dataclass(frozen=True)
class ServerSettings:
    # proxies whose X-Forwarded-For is believed ("10.0.0.5, 10.1.0.0/16"; empty: none), docs/server.md
    trusted_proxies: str = ""
    track_per_minute: Annotated[float, Gt(0), Le(100000)] = 30.0  # tracking look-ups per client address
    enroll_per_minute: Annotated[float, Gt(0), Le(100000)] = 6.0  # failed enrollments per client address


@dataclass(frozen=True)
class CalendarYear:
    holidays: list[str] = field(default_factory=list)
    workdays: list[str] = field(default_factory=list)


SECTIONS: dict[str, type] = {"device": DeviceSettings, "printing": PrintingSettings,
                             "deadlines": DeadlineSettings, "sync": SyncSettings, "server": ServerSettings}
# flat key -> its section
FLAT: dict[str, str] = {f.name: section for section, cls in SECTIONS.items() for f in fields(cls)}
# tables of their own (not flat keys): calendar years and the keymap
TABLES = ("calendar", "keymap")
ENV_PREFIX = "HALL_"
# HALL_* variables that are not settings (read elsewhere): never reported as unknown
OTHER_ENV = {"HALL_CONFIG", "HALL_SERVER_DB", "HALL_DEBUG", "HALL_FAILPOINT", "HALL_FONT", "HALL_FONT_FALLBACK"}


@dataclass(frozen=True, init=False)
class Settings:
    """Every setting, by section. ``Settings(db=…, hall=…)`` and ``settings.hall`` (the
    flat names) still work; new code may use ``settings.device.hall``."""

    device: DeviceSettings
    printing: PrintingSettings
    deadlines: DeadlineSettings
    sync: SyncSettings
    server: ServerSettings
    calendar: dict[str, dict[str, list[str]]]  # {"2027": {"holidays": [...], "workdays": [...]}}
    keymap: dict[str, str]  # binding id -> keys, e.g. {"workbench.new": "f2,ctrl+n"}
    config_file: str

    def __init__(self, *, device: DeviceSettings | None = None, printing: PrintingSettings | None = None,
                 deadlines: DeadlineSettings | None = None, sync: SyncSettings | None = None,
                 server: ServerSettings | None = None,
                 calendar: dict | None = None, keymap: dict | None = None, config_file: str = "",
                 **flat: Any) -> None:
        given = {"device": device, "printing": printing, "deadlines": deadlines, "sync": sync, "server": server}
        for name, cls in SECTIONS.items():
            section = given[name] or cls()
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
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in FLAT:
            raise TypeError(f"unknown setting {key!r}")
        entries.append((key, value, "命令行", key))
    sections: dict[str, Any] = {}
    calendar: dict[str, dict[str, list[str]]] = {}
    keymap: dict[str, str] = {}
    sources: dict[str, str] = {}
    if entries or tables:
        from hall_app.settings_check import check_entries, check_tables

        sections, sources = check_entries(entries, problems)
        calendar, keymap = check_tables(tables, where, problems)
    settings = Settings(**sections, calendar=calendar, keymap=keymap, config_file=str(path) if path else "")
    return Loaded(settings, sources, problems, path)


def _read_file(path: Path, problems: list[str]) -> dict[str, Any]:
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

"""Settings: defaults, then a TOML file (./hall-app.toml, else the user config dir),
then environment variables (HALL_*), then command-line options.

Kept free of heavy imports: it is read before the first frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

APP_NAME = "hall-app"
CONFIG_FILE = "hall-app.toml"


def _dirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class Settings:
    db: str = ""  # path of the SQLite file; default in the user data dir
    hall: str = "JJ01"
    window: str = "W03"
    device_name: str = ""
    tracking_base_url: str = "https://zwfw.cq.gov.cn"
    pdf_dir: str = ""
    printer: str = "file"  # file / cups / escpos
    cups_queue: str = ""
    escpos_host: str = ""
    escpos_port: int = 9100
    escpos_width: str = "80mm"
    receipt_paper: str = "a4"  # a4 / 80mm / 58mm
    font_path: str = ""
    notice_days: int = 5  # working days given to supply missing materials
    deferral_days: int = 10  # working days to supply deferred materials
    bad_rating_followup_days: int = 3
    server_url: str = ""
    sync_interval: float = 15.0
    calendar: dict[str, Any] = field(default_factory=dict)  # {"2027": {"holidays": [...], "workdays": [...]}}
    config_file: str = ""

    @property
    def db_path(self) -> Path:
        if self.db:
            return Path(self.db).expanduser()
        return Path(_dirs().user_data_dir) / "hall.db"

    @property
    def pdf_path(self) -> Path:
        if self.pdf_dir:
            return Path(self.pdf_dir).expanduser()
        return self.db_path.parent / "documents"


_ENV = {f.name: f"HALL_{f.name.upper()}" for f in fields(Settings) if f.name not in ("calendar", "config_file")}


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


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    settings = Settings()
    path = find_config_file(config_file)
    if path is not None:
        import tomllib  # only when there is a file to read: not on every start-up

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"配置文件 {path} 无法读取：{exc}") from exc
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"配置文件 {path} 含有未知设置：{', '.join(unknown)}")
        settings = replace(settings, **data, config_file=str(path))
    env: dict[str, Any] = {}
    for name, var in _ENV.items():
        if var in os.environ:
            default = getattr(Settings, name, "")
            raw = os.environ[var]
            env[name] = type(default)(raw) if isinstance(default, (int, float)) else raw
    settings = replace(settings, **env)
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

"""Whether a database is encrypted: its key file sits beside it (``hall.db.keys``).

Apart from hall_app/store/cipher.py (which re-exports these) so that ``hall-app``
can tell before the first frame without importing hashlib, hmac and json.
"""

from __future__ import annotations

from pathlib import Path

KEYS_SUFFIX = ".keys"


def keys_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + KEYS_SUFFIX)


def is_encrypted(db_path: Path) -> bool:
    return keys_path(db_path).is_file()

"""Device-made identifiers: UUIDv7 (time-ordered, random, unique without a server)."""

from __future__ import annotations

import os
import time
import uuid


def uuid7() -> str:
    """A version 7 UUID (RFC 9562) as a string.

    Uniqueness rests on the 74 random bits, not on the clock, so a device whose
    clock is a year off still makes unique ids; the clock only orders them loosely.
    """
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))

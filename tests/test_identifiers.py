"""Device-made ids (domain/identifiers.py): RFC 9562 version 7, bit by bit."""

from __future__ import annotations

import time
import uuid

from hall_app.domain import identifiers
from hall_app.domain.identifiers import uuid7


def test_version_variant_and_clock_are_where_rfc_9562_puts_them():
    before = time.time_ns() // 1_000_000
    value = uuid.UUID(uuid7())
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after


def test_every_bit_comes_from_the_clock_or_the_random_bytes(monkeypatch):
    # the clock fills bits 127..80, version 7 bits 79..76, 12 random bits 75..64,
    # the variant 0b10 bits 63..62, 62 random bits 61..0
    monkeypatch.setattr(identifiers.time, "time_ns", lambda: 0x123456789ABC * 1_000_000 + 999_999)
    monkeypatch.setattr(identifiers.os, "urandom", lambda n: bytes([0xFF]) * n)
    assert uuid7() == "12345678-9abc-7fff-bfff-ffffffffffff"
    monkeypatch.setattr(identifiers.os, "urandom", lambda n: bytes(n))
    assert uuid7() == "12345678-9abc-7000-8000-000000000000"
    # the 12 bits after the version are the top of the 80 random bits, not their bottom
    monkeypatch.setattr(identifiers.os, "urandom", lambda n: bytes([0xAB, 0xCD]) + bytes(n - 2))
    assert uuid7() == "12345678-9abc-7abc-8000-000000000000"
    monkeypatch.setattr(identifiers.os, "urandom", lambda n: bytes(n - 8) + bytes([0xC1, 2, 3, 4, 5, 6, 7, 8]))
    assert uuid7() == "12345678-9abc-7000-8102-030405060708"
    # a clock past 2^48 ms wraps instead of spilling into the version bits
    monkeypatch.setattr(identifiers.time, "time_ns", lambda: ((1 << 48) + 5) * 1_000_000)
    monkeypatch.setattr(identifiers.os, "urandom", lambda n: bytes(n))
    assert uuid7() == "00000000-0005-7000-8000-000000000000"


def test_ids_are_unique_and_roughly_ordered_by_time():
    ids = [uuid7() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert [i[:8] for i in ids] == sorted(i[:8] for i in ids)

"""Fixtures for the printing tests: sample documents and an isolated font setup."""

from __future__ import annotations

import pytest
from printing_samples import BUILDERS, long_notice, long_receipt


@pytest.fixture(autouse=True)
def _no_font_env(monkeypatch):
    """The machine's HALL_FONT settings must not change what the tests see."""
    monkeypatch.delenv("HALL_FONT", raising=False)
    monkeypatch.delenv("HALL_FONT_FALLBACK", raising=False)


@pytest.fixture(params=sorted(BUILDERS))
def any_document(request):
    """(kind, data) for every document kind."""
    return request.param, BUILDERS[request.param]()


@pytest.fixture
def receipt_data():
    return BUILDERS["receipt"]()


@pytest.fixture
def long_documents():
    return {"receipt": long_receipt(), "notice": long_notice()}

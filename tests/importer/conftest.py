from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def english():
    """Warnings in their English msgids, whatever the site language."""
    with translation.override("en"):
        yield


@pytest.fixture
def seed_text() -> str:
    return (DATA / "chefsfrukost-leda-med-tillit.txt").read_text(encoding="utf-8")

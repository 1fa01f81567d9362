from __future__ import annotations

from pathlib import Path

import pytest

SEED = Path(__file__).parents[1] / "importer" / "data" / "chefsfrukost-leda-med-tillit.txt"


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")

"""How long parse_invitation takes per invitation (target: under 20 ms).

Reads every invitation the importer's tests use (the sample files in tests/importer/data and
the cases in tests/importer/cases.py) and times each one, best of several rounds.

    .venv/bin/python benchmarks/importer_speed.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
os.environ.setdefault("FRUKOST_TESTING", "1")
os.environ.setdefault("FRUKOST_DATA_DIR", tempfile.mkdtemp(prefix="frukost-bench-"))

import django  # noqa: E402

django.setup()

from tests.importer.cases import CASES  # noqa: E402

from frukost.importer.parse import parse_invitation  # noqa: E402

TODAY = dt.date(2026, 11, 26)


def invitations() -> dict[str, str]:
    texts = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "tests/importer/data").glob("*.txt"))
    }
    texts.update({name: text for name, (text, _) in CASES.items()})
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    texts = invitations()
    parse_invitation(next(iter(texts.values())), today=TODAY)  # compile the regular expressions once
    best: dict[str, float] = {}
    for name, text in texts.items():
        timings = []
        for _ in range(options.rounds):
            started = time.perf_counter()
            parse_invitation(text, today=TODAY)
            timings.append(time.perf_counter() - started)
        best[name] = min(timings) * 1000
    width = max(len(name) for name in best)
    for name, ms in sorted(best.items(), key=lambda item: -item[1]):
        print(f"{name:<{width}}  {len(texts[name]):>6} chars  {ms:7.2f} ms")
    values = list(best.values())
    print(
        f"\n{len(values)} invitations: median {statistics.median(values):.2f} ms, "
        f"mean {statistics.mean(values):.2f} ms, max {max(values):.2f} ms per invitation (target < 20 ms)"
    )
    big = ("\n\n".join(texts.values()) * 20)[:100_000]
    started = time.perf_counter()
    parse_invitation(big, today=TODAY)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"a paste at the command's limit ({len(big)} chars, all invitations repeated): {elapsed:.0f} ms")


if __name__ == "__main__":
    main()

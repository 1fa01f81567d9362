"""Which Python functions a piece of code enters: for tests that a read stays in C."""

from __future__ import annotations

import sys


def python_calls(read) -> list[str]:
    """ "<file>:<function>" for each Python function entered while `read()` runs."""
    calls: list[str] = []

    def profile(frame, event, _arg):
        if event == "call":
            calls.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        read()
    finally:
        sys.setprofile(None)
    return calls

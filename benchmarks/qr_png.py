"""CPU of one check-in QR PNG (issue 10): what the tree's `checkin.codes.qr_png` costs, beside segno.

    PYTHONPATH=src .venv/bin/python benchmarks/qr_png.py                 # 3,000 codes
    PYTHONPATH=src .venv/bin/python benchmarks/qr_png.py --codes 5000 --repeat 5

Each round makes the images of fresh random check-in codes (derived as `code_for` derives them,
so every mask and every shape occurs), timing each call with time.process_time; the figure is
the median over all calls. The rows are interleaved, call by call, so a busy machine slows them
alike: `codes.qr_png` as the tree has it, segno choosing the mask (`segno.make`), segno with a
given mask (what checkin/qr.py started from before checkin/qr_encoding.py, and still does for
texts outside its shapes), and segno's own writer (`save(kind="png")`).
Sets Django up (codes.py imports models) in a scratch data directory; makes no query.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=3000, help="codes per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="frukost-qr-")  # removed when the process ends
    os.environ["FRUKOST_DATA_DIR"] = scratch.name
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    import django

    django.setup()
    import segno

    from frukost.checkin import codes

    def segno_png(code):
        out = io.BytesIO()
        segno.make(code, error="m", micro=False).save(out, kind="png", scale=6, border=4)
        return out.getvalue()

    pieces = {
        "codes.qr_png (the tree's)": lambda code: codes.qr_png(code),
        "segno.make, mask chosen by segno": lambda code: segno.make(code, error="m", micro=False),
        "segno.make, mask=0 given": lambda code: segno.make(code, error="m", micro=False, mask=0),
        "segno: make + save(kind='png')": segno_png,
    }
    for piece in pieces.values():  # warm up: imports, per-process templates
        piece("K7QX-2MPA")
    for round_number in range(args.repeat):
        samples: dict[str, list[int]] = {name: [] for name in pieces}
        for _ in range(args.codes):
            code = codes._grouped(secrets.token_bytes(32))
            for name, piece in pieces.items():
                start = time.process_time_ns()
                piece(code)
                samples[name].append(time.process_time_ns() - start)
        python = sys.version.split()[0]
        print(f"round {round_number + 1}: median CPU ms of {args.codes} codes; Python {python}")
        for name, values in samples.items():
            print(f"  {name:<34} {statistics.median(values) / 1e6:6.3f}")


if __name__ == "__main__":
    main()

"""Summarise py-spy's collapsed stacks (load.py --py-spy): where the server's time goes.

    .venv/bin/python benchmarks/profile_summary.py benchmarks/results/profiles/sqlite-event-page.txt

Prints the functions with the most inclusive time (time with the function on the stack) and
the most self time, counting only samples taken inside a request (idle workers waiting in
accept/select are left out).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
IN_REQUEST = "handle_request"


def short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/src/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stacks")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--contains", help="only stacks with a frame containing this text")
    args = parser.parse_args()

    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(args.stacks, encoding="utf-8") as handle:
        for line in handle:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            if not any(IN_REQUEST in f for f in frames):
                continue
            if args.contains and not any(args.contains in f for f in frames):
                continue
            count = int(count_text)
            total += count
            for name in {short(f) for f in frames}:
                inclusive[name] += count
            own[short(frames[-1])] += count
    print(f"{total} samples inside requests\n\ninclusive:")
    for name, count in inclusive.most_common(args.top):
        print(f"{100 * count / total:5.1f}%  {name}")
    print("\nself:")
    for name, count in own.most_common(args.top):
        print(f"{100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()

"""Run benchmarks/load.py for several trees in turn, in the same minutes, and compare them.

    .venv/bin/python benchmarks/alternate.py --tree before=37f6a8b --tree now=HEAD --rounds 2 \\
        --out benchmarks/results/alternate -- --db sqlite --server granian --workers 1 \\
        --registrations 1500 --pages 3000 --baseline-pages 0

The machines these benchmarks run on are shared virtual machines: the same code has measured 25 to
80 % slower from one hour (or one machine) to the next (benchmarks/README.md, "The seventh pass on
a quiet machine" and "Eighth pass"). A figure from one window is therefore only compared with
figures of the same window: this script takes each tree's `src/` as `git archive REF src` (or a
directory holding `src/`), runs load.py with that `src/` first on PYTHONPATH, one tree after the
other, and reverses the order every other round (A B, B A, A B …) so that a machine slowing down
or speeding up during the rounds weighs on every tree alike.

Everything after `--` goes to load.py for every tree; `--args-for LABEL="…"` adds options for one
tree only (an old tree run as it was deployed then, say `--args-for before="--server gunicorn
--workers 2"`). Each run's report and JSON are kept in --out; the summary at the end gives every
run's figures and, per tree, the median of its runs and its ratio to the first tree's: the ratio
is what carries from one machine or hour to another.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "benchmarks" / "load.py"

# (heading, how to read it off one database's outcome in load.py's JSON)
FIGURES = [
    ("server CPU ms / registration", lambda o: _per(o, "complete registration", "server_cpu_seconds")),
    (
        "PostgreSQL CPU ms / registration",
        lambda o: _per(o, "complete registration", "postgres_cpu_seconds"),
    ),
    ("mail worker ms / message", lambda o: _mail(o)),
    ("server CPU ms / event page", lambda o: _per(o, "event page", "server_cpu_seconds")),
    ("registrations / s", lambda o: _rate(o, "complete registration")),
    ("flow p50 ms", lambda o: _latency(o, "complete registration", "p50")),
    ("flow p99 ms", lambda o: _latency(o, "complete registration", "p99")),
    ("event page p99 ms", lambda o: _latency(o, "event page", "p99", step="GET event page")),
    ("peak RSS MiB / worker", lambda o: max(o["worker_peak_rss_mib"].values(), default=None)),
    ("errors", lambda o: sum(sum(p["errors"].values()) for p in o["phases"])),
]


def _phase(outcome: dict, name: str) -> dict | None:
    return next((p for p in outcome["phases"] if p["name"] == name), None)


def _per(outcome: dict, name: str, key: str) -> float | None:
    phase = _phase(outcome, name)
    if phase is None or phase.get(key) is None or not phase["completed"]:
        return None
    return 1000 * phase[key] / phase["completed"]


def _mail(outcome: dict) -> float | None:
    cpu, files = outcome.get("mail_worker_cpu_seconds"), outcome.get("mail_files")
    return 1000 * cpu / files if cpu is not None and files else None


def _rate(outcome: dict, name: str) -> float | None:
    phase = _phase(outcome, name)
    return phase["completed"] / phase["wall_seconds"] if phase and phase["wall_seconds"] else None


def _latency(outcome: dict, name: str, quantile: str, step: str | None = None) -> float | None:
    phase = _phase(outcome, name)
    if phase is None:
        return None
    steps = phase["latency_ms"]
    # The complete registration's own line is the one named after its three requests.
    key = step or next((s for s in steps if s.startswith("complete registration")), None)
    return steps[key][quantile] if key in steps else None


def export_tree(ref: str, into: Path) -> Path:
    """The `src/` of a commit (git archive) or of a directory that holds one; returns its path."""
    given = Path(ref)
    if (given / "src").is_dir():
        return (given / "src").resolve()
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def order_of_round(labels: list[str], round_index: int) -> list[str]:
    """A B C, then C B A, then A B C: drift during the rounds is shared out between the trees."""
    return labels if round_index % 2 == 0 else labels[::-1]


def summarise(runs: list[tuple[str, int, list[dict]]], labels: list[str]) -> str:
    """A table per database: each run's figures, then each tree's median and ratio to the first."""
    lines: list[str] = []
    databases = list(dict.fromkeys(o["database"] for _, _, outcomes in runs for o in outcomes))
    for database in databases:
        rows = [
            (label, index, next(o for o in outcomes if o["database"] == database))
            for label, index, outcomes in runs
            if any(o["database"] == database for o in outcomes)
        ]
        heading = [name for name, _ in FIGURES]
        lines += [f"### {database}", "", "| tree | run | " + " | ".join(heading) + " |"]
        lines.append("|---|---:|" + "---:|" * len(heading))
        for label, index, outcome in rows:
            cells = [_cell(read(outcome)) for _, read in FIGURES]
            lines.append(f"| {label} | {index} | " + " | ".join(cells) + " |")
        medians = {}
        for label in labels:
            of_tree = [outcome for tree, _, outcome in rows if tree == label]
            if not of_tree:
                continue
            medians[label] = [_median([read(outcome) for outcome in of_tree]) for _, read in FIGURES]
            lines.append(f"| **{label}**, median | | " + " | ".join(_cell(v) for v in medians[label]) + " |")
        first = labels[0]
        for label in labels[1:]:
            if label in medians and first in medians:
                ratios = [
                    _cell(value / base, "×") if value is not None and base else ""
                    for value, base in zip(medians[label], medians[first], strict=True)
                ]
                lines.append(f"| {label} ÷ {first} | | " + " | ".join(ratios) + " |")
        lines.append("")
    return "\n".join(lines)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _cell(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tree", action="append", required=True, metavar="LABEL=REF",
        help="repeatable: a label and a commit (git archive of its src/) or a directory holding src/",
    )  # fmt: skip
    parser.add_argument(
        "--args-for", action="append", default=[], metavar="LABEL=ARGS",
        help="repeatable: more load.py options for one tree",
    )  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2, help="runs of every tree (default 2)")
    parser.add_argument("--out", type=Path, help="keep each run's report and JSON here")
    parser.add_argument("load_args", nargs=argparse.REMAINDER, help="-- then load.py's options")
    args = parser.parse_args()
    load_args = args.load_args[1:] if args.load_args[:1] == ["--"] else args.load_args
    if "--json" in load_args:
        parser.error("--json is this script's to give load.py")
    trees = dict(_pair(t, parser) for t in args.tree)
    extra = {label: shlex.split(value) for label, value in (_pair(a, parser) for a in args.args_for)}
    unknown = set(extra) - set(trees)
    if unknown:
        parser.error(f"--args-for names no --tree: {', '.join(sorted(unknown))}")
    labels = list(trees)
    with tempfile.TemporaryDirectory(prefix="frukost-alternate-") as scratch:
        out = args.out or Path(scratch) / "runs"
        out.mkdir(parents=True, exist_ok=True)
        sources = {label: export_tree(ref, Path(scratch) / label) for label, ref in trees.items()}
        runs = []
        for round_index in range(args.rounds):
            for label in order_of_round(labels, round_index):
                stem = out / f"{label}-{round_index + 1}"
                command = [
                    sys.executable, str(LOAD), *load_args, *extra.get(label, []),
                    "--json", f"{stem}.json",
                ]  # fmt: skip
                print(f"== {label}, run {round_index + 1}: {shlex.join(command)}", flush=True)
                with open(f"{stem}.md", "w") as report:
                    subprocess.run(
                        command, check=True, stdout=report, stderr=subprocess.STDOUT,
                        env=_environment(sources[label]),
                    )  # fmt: skip
                runs.append((label, round_index + 1, json.loads(Path(f"{stem}.json").read_text())))
        print()
        print(summarise(runs, labels))


def _pair(text: str, parser: argparse.ArgumentParser) -> tuple[str, str]:
    label, sep, value = text.partition("=")
    if not sep or not label or not value:
        parser.error(f"expected LABEL=VALUE, not {text!r}")
    return label, value


def _environment(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    return env


if __name__ == "__main__":
    main()

"""Reading a server's own CPU time and memory from /proc, so the load generator never counts.

CPU time of a process tree is the master's utime+stime, plus cutime+cstime (the CPU of
children it has already reaped: gunicorn workers recycled by --max-requests), plus the
utime+stime of the children still alive. Snapshot before and after a phase; the difference
is what the server spent on that phase.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            text = handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces; the fields after it are fixed.
    return text[text.rindex(")") + 2 :].split()


def children_of(pid: int) -> list[int]:
    """Direct children of pid (gunicorn's workers), found by scanning /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _stat_fields(int(name))
        if fields is not None and int(fields[1]) == pid:
            found.append(int(name))
    return sorted(found)


def cpu_seconds(pid: int, *, include_reaped_children: bool = False) -> float:
    """utime+stime of one process (and of its reaped children when asked), in seconds."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the ")": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14 (0-based).
    ticks = int(fields[11]) + int(fields[12])
    if include_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def tree_cpu_seconds(master: int) -> float:
    """CPU seconds used so far by a pre-forking server: master, live workers and reaped workers."""
    total = cpu_seconds(master, include_reaped_children=True)
    for child in children_of(master):
        total += cpu_seconds(child)
    return total


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB."""
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    key, amount, _unit = line.split()
                    values[key.rstrip(":")] = int(amount)
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


@dataclass
class PeakMemory:
    """The highest VmHWM seen per worker pid, sampled while the load runs."""

    master: int
    peaks_kib: dict[int, int] = field(default_factory=dict)

    def sample(self) -> None:
        for pid in children_of(self.master):
            hwm = memory_kib(pid).get("VmHWM", 0)
            if hwm > self.peaks_kib.get(pid, 0):
                self.peaks_kib[pid] = hwm

    @property
    def worker_pids(self) -> list[int]:
        return sorted(self.peaks_kib)

    @property
    def max_mib(self) -> float:
        return max(self.peaks_kib.values(), default=0) / 1024

    @property
    def master_mib(self) -> float:
        return memory_kib(self.master).get("VmHWM", 0) / 1024


def core_busy_seconds() -> dict[int, float]:
    """Busy (non-idle, non-iowait) CPU seconds per core since boot, from /proc/stat."""
    busy = {}
    with open("/proc/stat", encoding="ascii") as handle:
        for line in handle:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                ticks = [int(v) for v in values]
                # user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
                busy[int(name[3:])] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS
    return busy

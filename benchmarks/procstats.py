"""Reading a server's own CPU time and memory from /proc, so the load generator never counts.

CPU time of a process tree is the master's utime+stime, plus cutime+cstime (the CPU of
children it has already reaped: gunicorn workers recycled by --max-requests), plus the
utime+stime of the children still alive. Snapshot before and after a phase; the difference
is what the server spent on that phase.

`tree_counters` splits that CPU into user and system time and adds what explains its variance
between runs of the same code (benchmarks/README.md, "Fifth pass: the gap between one process
and the server under load"): context switches, page faults and the time the server's threads
were ready to run but waited for the core (schedstat's run delay); `core_times` says what the
core did meanwhile (user, system, softirq, the hypervisor's steal).
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field, fields

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


@dataclass(frozen=True)
class Counters:
    """What a process tree has used so far: seconds of CPU, counts of events.

    The context switches and the run delay are summed over every thread (`/proc/PID/task`);
    the kernel keeps no such counts for reaped children (only their CPU and faults), so a phase
    in which a worker was recycled undercounts them by what the old worker did.
    """

    user: float = 0.0
    system: float = 0.0
    voluntary_switches: int = 0
    involuntary_switches: int = 0
    minor_faults: int = 0
    major_faults: int = 0
    run_delay: float = 0.0  # seconds ready to run but waiting for a core (schedstat)

    def __add__(self, other: Counters) -> Counters:
        return Counters(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Counters) -> Counters:
        return Counters(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _thread_counters(pid: int) -> tuple[int, int, float]:
    """Voluntary and involuntary context switches and run delay, over all of pid's threads."""
    voluntary = involuntary = 0
    delay_ns = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return 0, 0, 0.0
    for tid in tids:
        status = _read(f"/proc/{pid}/task/{tid}/status") or ""
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                voluntary += int(line.split()[1])
            elif line.startswith("nonvoluntary_ctxt_switches:"):
                involuntary += int(line.split()[1])
        schedstat = (_read(f"/proc/{pid}/task/{tid}/schedstat") or "0 0 0").split()
        delay_ns += int(schedstat[1])
    return voluntary, involuntary, delay_ns / 1e9


def counters(pid: int, *, include_reaped_children: bool = False) -> Counters:
    """One process's Counters (with its reaped children's CPU and faults when asked)."""
    fields_ = _stat_fields(pid)
    if fields_ is None:
        return Counters()
    # After the ")": minflt=7 cminflt=8 majflt=9 cmajflt=10 utime=11 stime=12 cutime=13 cstime=14.
    user, system = int(fields_[11]), int(fields_[12])
    minor, major = int(fields_[7]), int(fields_[9])
    if include_reaped_children:
        user += int(fields_[13])
        system += int(fields_[14])
        minor += int(fields_[8])
        major += int(fields_[10])
    voluntary, involuntary, delay = _thread_counters(pid)
    return Counters(user / CLOCK_TICKS, system / CLOCK_TICKS, voluntary, involuntary, minor, major, delay)


def tree_counters(master: int) -> Counters:
    """Counters of a pre-forking server: master (with reaped workers) and live workers."""
    total = counters(master, include_reaped_children=True)
    for child in children_of(master):
        total += counters(child)
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


CORE_TIMES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def core_times() -> dict[int, dict[str, float]]:
    """Seconds per core since boot in each of /proc/stat's states (steal: time the hypervisor
    ran something else while this virtual core wanted to run)."""
    times = {}
    with open("/proc/stat", encoding="ascii") as handle:
        for line in handle:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                times[int(name[3:])] = {
                    state: int(v) / CLOCK_TICKS for state, v in zip(CORE_TIMES, values, strict=False)
                }
    return times


def interpreter() -> str:
    """This Python and how it was built, for a report's header: a build whose interpreter calls
    into a shared libpython (pyenv's and most source builds) runs the same code measurably slower
    than one linked in, as Debian's /usr/bin/python3 is (benchmarks/README.md, "Sixth pass: the
    interpreter")."""
    maps = _read("/proc/self/maps") or ""
    shared = any("/libpython" in line for line in maps.splitlines())
    executable = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    build = "libpython shared" if shared else "libpython linked in"
    return f"Python {platform.python_version()} ({executable}, {build})"

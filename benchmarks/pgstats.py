"""Where a private PostgreSQL cluster's CPU goes during a load.py phase (--pg-roles).

- `RoleSampler`: the CPU of each of the postmaster's processes, by role: client backends by
  their application_name (load.py starts the web server with PGAPPNAME=web and the mail worker
  with PGAPPNAME=worker), the others by their process title (walwriter, checkpointer,
  autovacuum worker …). Sampled every half second, so a process that exits keeps the CPU it
  had at its last sample; what no sample saw (short-lived autovacuum workers, the postmaster's
  reaped children) is the total's remainder, reported as "unattributed".
- `table_counters`: per table, the rows inserted, updated (and of those HOT), deleted, the dead
  rows left and the autovacuum/autoanalyze runs; the database's commits and rollbacks; the WAL
  written (pg_stat_wal). Taken before and after a phase, the difference is the phase's.

Only for benchmarking: it reads /proc and asks the cluster through psql.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import procstats

Query = Callable[[str], str]  # SQL -> psql's unaligned output ("|"-separated, one row a line)


ACTIVITY_SQL = "SELECT pid, application_name, backend_type FROM pg_stat_activity WHERE pid IN ("


def _title(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class RoleSampler(threading.Thread):
    def __init__(self, postmaster: int, query: Query, every: float = 0.5):
        super().__init__(daemon=True)
        self.postmaster, self.query, self.every = postmaster, query, every
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds at its last sample
        self.role: dict[int, str] = {}

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self.sample()

    def sample(self) -> None:
        pids = procstats.children_of(self.postmaster)
        unknown = [pid for pid in pids if pid not in self.role]
        if unknown:
            names = {}
            rows = self.query(ACTIVITY_SQL + ", ".join(map(str, unknown)) + ")")
            for row in filter(None, rows.splitlines()):
                pid, app, kind = row.split("|", 2)
                names[int(pid)] = app if kind == "client backend" and app else kind
            for pid in unknown:
                title = _title(pid)
                # psql's own backends (this sampler's, the statements' dumps) are ours, not the app's.
                self.role[pid] = names.get(pid) or (title.removeprefix("postgres: ").split(" ")[0] or "?")
        with self.lock:
            for pid in pids:
                seconds = procstats.cpu_seconds(pid)
                if seconds or pid not in self.cpu:
                    self.cpu[pid] = seconds

    def by_role(self) -> dict[str, float]:
        self.sample()
        totals: dict[str, float] = {}
        with self.lock:
            for pid, seconds in self.cpu.items():
                role = self.role.get(pid, "?")
                totals[role] = totals.get(role, 0.0) + seconds
        return totals


def role_difference(before: dict[str, float], after: dict[str, float], total: float) -> dict[str, float]:
    """CPU seconds per role between two `by_role` snapshots, plus what no sample saw."""
    spent = {role: after.get(role, 0.0) - before.get(role, 0.0) for role in after}
    spent = {role: seconds for role, seconds in spent.items() if seconds > 0.0005}
    spent["unattributed"] = total - sum(spent.values())
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


TABLES_SQL = (
    "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_dead_tup, autovacuum_count, "
    "autoanalyze_count, pg_total_relation_size(relid) FROM pg_stat_user_tables"
)
DATABASE_SQL = (
    "SELECT d.xact_commit, d.xact_rollback, w.wal_records, w.wal_fpi, w.wal_bytes "
    "FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()"
)
COUNTERS = ("ins", "upd", "hot", "del", "dead", "autovacuum", "autoanalyze", "bytes")


def table_counters(query: Query) -> dict:
    """The cumulative counters (a busy backend reports its own at most a second late)."""
    tables = {}
    for row in filter(None, query(TABLES_SQL).splitlines()):
        name, *values = row.split("|")
        tables[name] = dict(zip(COUNTERS, map(int, values), strict=True))
    commits, rollbacks, wal_records, wal_fpi, wal_bytes = map(float, query(DATABASE_SQL).split("|"))
    return {
        "tables": tables,
        "database": {
            "commits": commits,
            "rollbacks": rollbacks,
            "wal_records": wal_records,
            "wal_fpi": wal_fpi,
            "wal_bytes": wal_bytes,
        },
    }


def counters_report(before: dict, after: dict, completed: int, phase: str) -> str:
    """Per completed unit of work: each busy table's row traffic, then commits and WAL."""
    per = max(completed, 1)
    lines = [
        f"# {phase}: {completed} completed; per completed unless said (dead, autovacuum, size: at the end)",
        f"{'table':32} {'ins':>6} {'upd':>6} {'hot':>6} {'del':>6} {'dead':>7} {'autovac':>8} {'analyze':>8} "
        f"{'size kB':>8}",
    ]
    for name, now in sorted(after["tables"].items()):
        then = before["tables"].get(name, dict.fromkeys(COUNTERS, 0))
        moved = {key: now[key] - then[key] for key in COUNTERS}
        if not any(moved[key] for key in ("ins", "upd", "del")):
            continue
        lines.append(
            f"{name:32} {moved['ins'] / per:6.2f} {moved['upd'] / per:6.2f} {moved['hot'] / per:6.2f} "
            f"{moved['del'] / per:6.2f} {now['dead']:7d} {moved['autovacuum']:8d} {moved['autoanalyze']:8d} "
            f"{now['bytes'] // 1024:8d}"
        )
    db = {key: after["database"][key] - before["database"][key] for key in after["database"]}
    lines.append(
        f"# commits {db['commits'] / per:.2f}, rollbacks {db['rollbacks'] / per:.2f}, WAL records "
        f"{db['wal_records'] / per:.1f}, full-page images {db['wal_fpi'] / per:.2f}, WAL bytes "
        f"{db['wal_bytes'] / per:.0f} per completed"
    )
    return "\n".join(lines)

"""Experiments only: the CPU of every garbage collection in each gunicorn worker, under load.py.

A gunicorn configuration module (gunicorn reads GUNICORN_CMD_ARGS as well as `frukost serve`'s
command line), so the server runs as in production otherwise (absolute paths: load.py starts the
server in its scratch directory):

    PYTHONPATH=$PWD/src:$PWD/benchmarks GUNICORN_CMD_ARGS=--config=python:gunicorn_gc_probe \
        .venv/bin/python benchmarks/load.py --db sqlite --registrations 600 --pages 500 --baseline-pages 100

Each worker, when it exits at the end of the run, writes `GC_PROBE_OUT-<pid>.json` (default
/tmp/gc-probe-<pid>.json): requests served, its CPU since the application was loaded, the objects
frozen (frukost/wsgi.py freezes the boot's) and, per generation, the collections, their CPU
(time.process_time, so time spent preempted is not counted) and the objects they freed.
GC_PROBE_FREEZE=1 freezes the heap here too (for a tree without the freeze), GC_PROBE_THRESHOLD
="700,10,10" sets gc thresholds. benchmarks/README.md, "Fifth pass: the gap between one process
and the server under load", has the figures.
"""

import gc
import json
import os
import tempfile
import time

stats = {generation: [0, 0.0, 0] for generation in (0, 1, 2)}  # collections, CPU s, objects freed
_started = [0.0]


def _timed(phase, info):
    if phase == "start":
        _started[0] = time.process_time()
    else:
        entry = stats[info["generation"]]
        entry[0] += 1
        entry[1] += time.process_time() - _started[0]
        entry[2] += info["collected"]


def post_worker_init(worker):
    if os.environ.get("GC_PROBE_THRESHOLD"):
        gc.set_threshold(*map(int, os.environ["GC_PROBE_THRESHOLD"].split(",")))
    if os.environ.get("GC_PROBE_FREEZE"):
        gc.collect()
        gc.freeze()
    worker.gc_probe = {"cpu": time.process_time(), "frozen": gc.get_freeze_count()}
    gc.callbacks.append(_timed)


def worker_exit(server, worker):
    out = os.environ.get("GC_PROBE_OUT", os.path.join(tempfile.gettempdir(), "gc-probe"))
    with open(f"{out}-{os.getpid()}.json", "w") as handle:
        json.dump(
            {
                "requests": worker.nr,
                "cpu_seconds": time.process_time() - worker.gc_probe["cpu"],
                "frozen": worker.gc_probe["frozen"],
                "tracked_at_exit": len(gc.get_objects()),
                "collections": stats,
            },
            handle,
        )

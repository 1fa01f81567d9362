"""A web worker freezes the objects of its boot out of the cycle collector's reach (issue 10).

A fresh process loads the WSGI application as a gunicorn worker (frukost.wsgi) or a granian worker
(core.granian's factory) does, in production settings: the application and what the boot built are
frozen (the collector's full collections no longer scan them) with none of the boot's garbage among
them, and a reference cycle made afterwards, as a request leaves one, is still collected.
"""

from __future__ import annotations

import pytest

from tests.core.processes import last_json_line, production_environment, run_python

LOADS = {
    "gunicorn": "from frukost.wsgi import application",
    "granian": "from frukost.core.granian import application as factory; application = factory()",
}

LOAD_AS_A_WORKER = """
import gc, json
LOAD
from django.urls import get_resolver
frozen = gc.get_freeze_count()
tracked = {id(o) for o in gc.get_objects()}

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a
del a, b
print(json.dumps({
    "frozen": frozen,
    "application_tracked": id(application) in tracked,
    "resolver_tracked": id(get_resolver()) in tracked,
    "cycle_collected": gc.collect(),
    "garbage": len(gc.garbage),
    # Unfrozen again, the boot's objects hold no garbage: it was collected before the freeze.
    "boot_garbage": (gc.unfreeze(), gc.collect())[1],
}))
"""


@pytest.mark.parametrize("server", sorted(LOADS))
def test_loading_the_wsgi_application_freezes_the_boot_and_still_collects_new_cycles(tmp_path, server):
    environment = production_environment(tmp_path, FRUKOST_ALLOWED_HOSTS="testserver")
    outcome = last_json_line(run_python(LOAD_AS_A_WORKER.replace("LOAD", LOADS[server]), environment))

    assert outcome["frozen"] > 10_000  # the boot's objects: tens of thousands
    assert (outcome["application_tracked"], outcome["resolver_tracked"]) == (False, False)
    # The two Nodes and their instance dictionaries: a request's garbage is still found.
    assert outcome["cycle_collected"] >= 2
    assert outcome["garbage"] == 0
    assert outcome["boot_garbage"] == 0

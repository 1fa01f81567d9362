"""Try the suggested speed-ups without editing src/: write a settings module and a template override.

    .venv/bin/python benchmarks/experiments/fragment_cache.py /tmp/frukost-experiment
    .venv/bin/python benchmarks/load.py --db sqlite \
        --settings cached_form --pythonpath /tmp/frukost-experiment

`persistent_sqlite` keeps each worker's SQLite connection open (CONN_MAX_AGE) instead of
opening one per request. `cached_form` adds to that a copy of the current
public/event_detail.html in which the unbound registration form, the event's text (Markdown)
and its facts box are wrapped in {% cache %} fragments keyed by event, its updated_at, the
language and the registration state; the CSRF token and the seats left stay outside. A
prototype for measuring, not a finished change (see benchmarks/README.md for what a real one
must also key on). Written against 29f5320; e56697a put persistent connections and a cached
form into src/, so on a newer tree the script stops.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "src/frukost/public/templates/public/event_detail.html"

PERSISTENT_SQLITE = """from frukost.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
"""
CACHED_FORM = """from persistent_sqlite import *  # noqa: F403

TEMPLATES[0]["DIRS"] = [{templates!r}, *TEMPLATES[0]["DIRS"]]  # noqa: F405
"""
KEY = "event.pk event.updated_at LANGUAGE_CODE"


def cached_template(source: str) -> str:
    start = source.index("{% csrf_token %}") + len("{% csrf_token %}")
    end = source.index("</form>", start)
    form = source[start:end]
    source = (
        source[:start]
        + "{% if form.is_bound %}" + form
        + f"{{% else %}}{{% cache 600 event_form {KEY} state %}}" + form + "{% endcache %}{% endif %}"
        + source[end:]
    )  # fmt: skip
    start = source.index('    <div class="event__text">')
    end = source.index('<section class="register"')
    source = (
        source[:start]
        + f"{{% cache 600 event_text {KEY} %}}"
        + source[start:end]
        + "{% endcache %}"
        + source[end:]
    )
    facts = '{% include "public/_event_facts.html" %}'
    source = source.replace(facts, f"{{% cache 600 event_facts {KEY} %}}{facts}{{% endcache %}}")
    return source.replace("{% block main %}", "{% block main %}{% load cache %}", 1)


def main() -> None:
    if "{% cache" in TEMPLATE.read_text():
        sys.exit(
            "event_detail.html already caches the form (e56697a): this experiment was written for the "
            "tree at 29f5320; its figures are in benchmarks/measurements/2026-11-27-experiments.md."
        )
    out = Path(sys.argv[1]).resolve()
    (out / "templates/public").mkdir(parents=True, exist_ok=True)
    (out / "persistent_sqlite.py").write_text(PERSISTENT_SQLITE)
    (out / "cached_form.py").write_text(CACHED_FORM.format(templates=str(out / "templates")))
    (out / "templates/public/event_detail.html").write_text(cached_template(TEMPLATE.read_text()))
    print(f"wrote {out}: --settings persistent_sqlite or --settings cached_form, --pythonpath {out}")


if __name__ == "__main__":
    main()

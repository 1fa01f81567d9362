"""The WSGI application gunicorn's workers load (`frukost serve`), each after the fork.

Once the application is built, the objects the boot made (modules, settings, URL patterns, the
translations: about 68,000 in a worker) live as long as the worker. `gc.freeze()` moves them out
of the cycle collector's reach, so the full collections a worker still runs scan only what the
requests left: 60–70 → 11–15 ms of CPU each in a worker under load, the collector's whole share
0.12–0.14 → 0.08 ms per request (benchmarks/README.md, "Fifth pass: the gap between one process and
the server under load"). The boot's own garbage is collected first, so nothing unreachable is
frozen for good; a cycle a request leaves is collected as before.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
application = get_wsgi_application()
gc.collect()
gc.freeze()

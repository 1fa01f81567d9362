"""frukost's WSGI application with two paths that zero and dump callgrind's counters (benchmarks only).

callgrind_control cannot reach a forked server worker (valgrind starts no gdbserver in a child of
fork), so benchmarks/server_counts.py runs the server under
`valgrind --tool=callgrind --zero-before=sys_getallocatedblocks --dump-before=sys_getswitchinterval`
and asks for `/__callgrind__/zero` and `/__callgrind__/dump`: the worker calls the one C function
or the other, which nothing else in the stack calls. Every other request goes to frukost as it is;
the wrapper adds one dict look-up and one comparison, the same under either server.
"""

from __future__ import annotations

import sys

PREFIX = "/__callgrind__/"


def wrap(frukost):
    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return frukost(environ, start_response)
        if path == PREFIX + "dump":
            sys.getswitchinterval()  # callgrind dumps the counts since the last zero, before this call
        start_response("204 No Content", [])
        if path == PREFIX + "zero":
            sys.getallocatedblocks()  # callgrind zeroes its counters here
        return []

    return application


def __getattr__(name):
    # Built when the server asks for it (in the worker, after the fork), as frukost.wsgi does.
    if name == "application":  # gunicorn: frukost.wsgi's application
        from frukost.wsgi import application

        return wrap(application)
    raise AttributeError(name)


def granian_application():
    """granian's `--factory`: core.granian's application (frukost's, with the time limit)."""
    from frukost.core import granian

    return wrap(granian.application())

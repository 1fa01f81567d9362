"""`settings.X` read at the cost of a plain attribute (issue 10).

`django.conf.settings` is a `LazySettings`, a `LazyObject`. Once a setting has been read,
`LazySettings.__getattr__` keeps its value in the instance's `__dict__`, so a second read could be
an ordinary attribute look-up in C. It is not: `LazyObject.__getattribute__`, a Python method,
runs for every attribute read (two `super().__getattribute__` calls and a `getattr` for its
`_mask_wrapped` marker), about 3 K instructions each. A registration's POST reads settings about
a hundred times (Django's request, CSRF, database and time-zone code and ours), so this alone was
about 5 % of its instructions (benchmarks/README.md, "Ninth pass").

`LazyObject.__getattribute__` exists only to hide the proxy's own special methods (`__eq__`,
`__len__`, `__iter__` …) from `hasattr` when the wrapped object lacks them; Python's implicit
special-method calls never pass through `__getattribute__` anyway. A setting's name is never such
a method, and the settings object is not something code probes with `hasattr(settings,
"__iter__")`, so `install()` moves the one settings object to `FastSettings`: `LazySettings` with
`object.__getattribute__`. Everything else is `LazySettings`' own: the first read of a name still
goes to `__getattr__` (the settings module is loaded on the first read, as before), its value is
kept in `__dict__`, and `override_settings` / `settings.X = …` / `del settings.X` still clear the
kept values through `LazySettings.__setattr__` and `__delattr__`.
"""

from __future__ import annotations

from django.conf import LazySettings, settings


class FastSettings(LazySettings):
    """LazySettings whose kept values are read as plain attributes (see the module's docstring)."""

    __getattribute__ = object.__getattribute__

    # new_method_proxy()'s special methods on LazyObject are marked `_mask_wrapped = False` so that
    # LazyObject.__getattribute__ hides them; here they are found on the class instead, so
    # `hasattr(settings, "__len__")` is now True (nothing probes settings so). Calling them, and
    # dir(), forward to the wrapped Settings as before.


def install(target: LazySettings = settings) -> bool:
    """Make `target` (django.conf.settings) a FastSettings. Only an exact LazySettings is moved:
    a subclass of someone else's, or a Django that changed the class, is left alone (and the
    answer is False)."""
    if type(target) is FastSettings:
        return True
    if type(target) is not LazySettings:
        return False
    # LazyObject's `__class__` is a read-only property answering the wrapped Settings' class (for
    # isinstance), and LazyObject.__setattr__ would set the name on the wrapped Settings: the
    # object's own `__class__` slot is set through object's descriptor instead.
    object.__dict__["__class__"].__set__(target, FastSettings)
    return True

"""Model instances made the way Django makes them, with less Python in between (issue 10).

`from_row(model, db, values)` is `model.from_db(db, attnames, values)` for a full row (every
concrete field, in `_meta.concrete_fields` order): the same instance, its `__dict__` and its
`_state` alike. Django's positional `__init__` sets the fields one `setattr` at a time (39 for
an event) between two signal sends; here the values go into `__dict__` in one update, which is
what those `setattr`s do for a field whose class attribute is Django's `DeferredAttribute` (no
`__set__`) or, on a new instance, `ForeignKeyDeferredAttribute` (its `__set__` looks at the
field cache, which makes the empty cache, and stores the value). The init signals are sent as
`__init__` sends them. A model with its own `__init__` or `from_db`, or any other descriptor on
a field's name (a property, a file field's), goes to `model.from_db`.

`copied(instance)` is `copy.copy(instance)` for a model instance whose class keeps Django's
pickling hooks: `__reduce__` → `model_unpickle` (an app-registry lookup of the class) →
`__getstate__` / `__setstate__`, done directly, with the same result: a new `__dict__` with the
same values, its own `_state` and field cache (a shallow copy of each), and the
`_django_version` key `__setstate__` leaves behind. Anything else (a `memoryview` value, an
overridden hook, a class in `copyreg`) goes to `copy.copy`.

tests/core/test_instances.py compares both with Django's own for every model of the project.
"""

from __future__ import annotations

import copy
import copyreg
import inspect
from typing import TypeVar

import django
from django.db import models
from django.db.models.base import DJANGO_VERSION_PICKLE_KEY, ModelState
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)

_NO_PLAN = object()
# Per model: (attnames, the positions of its foreign keys' ids), or None (from_db does it).
_PLANS: dict[type[models.Model], tuple[tuple[str, ...], tuple[int, ...]] | None] = {}


def from_row(model: type[M], db: str, values) -> M:
    """model.from_db(db, <every concrete attname>, values): the same instance, made faster."""
    plan = _PLANS.get(model, _NO_PLAN)
    if plan is _NO_PLAN:
        plan = _PLANS[model] = _plan(model)
    if len(values) != len(model._meta.concrete_fields):
        raise ValueError(f"from_row: {model.__name__} has {len(model._meta.concrete_fields)} fields")
    if plan is None:
        return model.from_db(db, [f.attname for f in model._meta.concrete_fields], values)
    attnames, foreign_keys = plan
    pre_init.send(sender=model, args=tuple(values), kwargs={})
    state = ModelState()
    for index in foreign_keys:
        if values[index] is not None:
            # ForeignKeyDeferredAttribute.__set__ asks the (new, empty) cache whether the
            # related object is cached, which makes the cache: so does the instance made here.
            state.fields_cache = {}
            break
    obj = model.__new__(model)
    obj.__dict__["_state"] = state
    obj.__dict__.update(zip(attnames, values, strict=True))
    post_init.send(sender=model, instance=obj)
    state.adding = False
    state.db = db
    return obj


def _plan(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    if (
        model._meta.abstract
        or model.__init__ is not models.Model.__init__
        or model.__new__ is not object.__new__
        or model.__setattr__ is not models.Model.__setattr__
        or model.from_db.__func__ is not models.Model.from_db.__func__
    ):
        return None
    # Imported here: related_descriptors imports much of the ORM.
    from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute

    foreign_keys = []
    for index, field in enumerate(model._meta.concrete_fields):
        attribute = inspect.getattr_static(model, field.attname, None)
        if type(attribute) is ForeignKeyDeferredAttribute:
            foreign_keys.append(index)
        elif type(attribute) is not DeferredAttribute:
            return None
    return tuple(f.attname for f in model._meta.concrete_fields), tuple(foreign_keys)


def copied(instance: M) -> M:
    """copy.copy(instance), for a model instance: the same copy, made faster."""
    cls = type(instance)
    if (
        cls.__reduce__ is not models.Model.__reduce__
        or cls.__getstate__ is not models.Model.__getstate__
        or cls.__setstate__ is not models.Model.__setstate__
        or cls.__reduce_ex__ is not object.__reduce_ex__
        or getattr(cls, "__copy__", None) is not None
        or cls in copyreg.dispatch_table
        or cls.__new__ is not object.__new__
        or cls._meta.abstract
        or type(instance._state) is not ModelState
    ):
        return copy.copy(instance)
    state = instance.__dict__.copy()
    for value in state.values():
        if isinstance(value, memoryview):  # __getstate__ turns these into bytes and back
            return copy.copy(instance)
    old = state["_state"]
    new = ModelState.__new__(ModelState)  # copy.copy of a ModelState: its __dict__ copied
    new.__dict__.update(old.__dict__)
    new.fields_cache = new.fields_cache.copy()  # as __getstate__: the copy's (made if absent)
    state["_state"] = new
    state[DJANGO_VERSION_PICKLE_KEY] = django.__version__
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    return obj

"""core.inserts.build makes the instance Model(**values) makes, for every model of the project."""

from __future__ import annotations

import hypothesis
import pytest
from django.apps import apps
from django.db.models import signals
from django.db.models.base import DEFERRED
from django.db.models.fields.reverse_related import ForeignObjectRel
from hypothesis import strategies as st

from frukost.core.inserts import build
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration

MODELS = sorted(
    (m for m in apps.get_models() if m.__module__.startswith("frukost.")), key=lambda m: m._meta.label
)
_PLAIN = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=4), st.just([]), st.just(DEFERRED)
)


def _callable_default(field) -> bool:
    return field.has_default() and callable(field.default)


def _related_value(field, draw, pk):
    choice = draw(st.sampled_from(["none", "instance", "id", "wrong type"]))
    if choice == "none":
        return field.name, None
    if choice == "id":
        return field.attname, pk
    model = field.related_model if choice == "instance" else Organisation
    if model is field.related_model and choice == "wrong type":
        model = AuditLog
    return field.name, model(pk=pk)


@st.composite
def _keywords(draw, model):
    values = {}
    for field in model._meta.concrete_fields:
        if field.generated or not draw(st.booleans()):
            continue
        if isinstance(field.remote_field, ForeignObjectRel):
            key, value = _related_value(field, draw, draw(st.integers(1, 5)))
            values[key] = value
            if draw(st.integers(0, 9)) == 0:  # both ways: Django's own path
                values[field.attname] = 7
        else:
            values[field.attname] = draw(_PLAIN)
    if draw(st.integers(0, 9)) == 0:
        values["no_such_field"] = 1
    return values


def _made(make, model, values):
    try:
        return make(model, values), None
    except Exception as error:  # noqa: BLE001 - the same error is the point
        return None, (type(error), str(error))


def _assert_same(ours, theirs, model) -> None:
    mine, django = dict(vars(ours)), dict(vars(theirs))
    for field in model._meta.concrete_fields:
        if _callable_default(field) and field.attname in django:
            # A default made anew (timezone.now, list, dict, a random code): each its own.
            assert type(mine.pop(field.attname)) is type(django.pop(field.attname))
    state, django_state = mine.pop("_state"), django.pop("_state")
    assert mine == django
    assert [(k, type(v)) for k, v in mine.items()] == [(k, type(v)) for k, v in django.items()]
    assert (state.adding, state.db) == (django_state.adding, django_state.db)
    assert state.fields_cache.keys() == django_state.fields_cache.keys()
    for name, cached in state.fields_cache.items():
        assert cached is django_state.fields_cache[name]


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(data=st.data())
def test_build_makes_what_the_model_makes_for_any_keywords(data):
    model = data.draw(st.sampled_from(MODELS))
    values = data.draw(_keywords(model))

    ours, our_error = _made(lambda m, v: build(m, **v), model, values)
    theirs, their_error = _made(lambda m, v: m(**v), model, values)

    assert our_error == their_error
    if theirs is not None:
        _assert_same(ours, theirs, model)


@pytest.mark.parametrize("model", [Registration, AuditLog, OutboxMessage])
def test_build_makes_each_callable_default_anew(model):
    callables = [f for f in model._meta.concrete_fields if _callable_default(f)]
    first, second = build(model), build(model)

    for field in callables:
        value = getattr(first, field.attname)
        if isinstance(value, (list, dict)):
            assert value is not getattr(second, field.attname)  # never one list shared by all rows


def test_build_gives_a_related_instance_through_its_descriptor(event):
    registration = build(Registration, event=event, first_name="Anna")

    assert registration.event is event
    assert registration.event_id == event.pk
    with pytest.raises(ValueError, match="must be a"):
        build(Registration, event=event.organisation)


def test_build_leaves_a_model_with_init_receivers_to_the_model(event):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(dict(kwargs["kwargs"]))  # a copy: Model.__init__ pops from it

    signals.pre_init.connect(receiver, sender=AuditLog)
    try:
        build(AuditLog, action="x", event_id=event.pk)
    finally:
        signals.pre_init.disconnect(receiver, sender=AuditLog)

    assert seen == [{"action": "x", "event_id": event.pk}]

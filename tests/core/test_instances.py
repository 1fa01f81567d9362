"""core.instances: from_row makes the instance Model.from_db makes, copied the copy copy.copy
makes, for every model of the project; and the event page, the POST and the thank-you page use
them (no Model.__init__ for the event read, no pickling detour for the locked copy)."""

from __future__ import annotations

import copy

import hypothesis
import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.db.models import base as model_base
from django.db.models.signals import post_init, pre_init
from hypothesis import strategies as st

from frukost.core.instances import copied, from_row
from frukost.events import queries as event_queries
from frukost.events.enums import EventStatus
from frukost.events.models import Event, Organisation
from frukost.registrations.services.seats import lock_event_rules

MODELS = sorted(
    (m for m in apps.get_models() if m.__module__.startswith("frukost.")), key=lambda m: m._meta.label
)
_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=4), st.just([]))


def _layout(obj) -> list:
    """Everything an instance holds, in order: its __dict__ and its _state's."""
    values = dict(vars(obj))
    state = values.pop("_state")
    return [
        [(k, type(v), v) for k, v in values.items()],
        [(k, type(v), v) for k, v in vars(state).items()],
    ]


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(data=st.data())
def test_from_row_makes_the_instance_from_db_makes(data):
    model = data.draw(st.sampled_from(MODELS))
    fields = model._meta.concrete_fields
    values = tuple(data.draw(_VALUE) for _ in fields)
    db = data.draw(st.sampled_from(["default", "other"]))

    ours = from_row(model, db, values)
    django = model.from_db(db, [f.attname for f in fields], values)

    assert type(ours) is type(django)
    assert _layout(ours) == _layout(django)
    assert (ours._state.adding, ours._state.db) == (False, db)


def test_from_row_sends_the_init_signals_as_init_does():
    sent = []

    def pre(sender, args, kwargs, **_):
        sent.append(("pre", sender, args, kwargs))

    def post(sender, instance, **_):
        sent.append(("post", sender, dict(vars(instance)).keys() - {"_state"}))

    values = tuple(range(len(Organisation._meta.concrete_fields)))
    pre_init.connect(pre, sender=Organisation)
    post_init.connect(post, sender=Organisation)
    try:
        from_row(Organisation, "default", values)
        ours, sent[:] = list(sent), []
        Organisation.from_db("default", [f.attname for f in Organisation._meta.concrete_fields], values)
    finally:
        pre_init.disconnect(pre, sender=Organisation)
        post_init.disconnect(post, sender=Organisation)

    assert ours == sent
    assert [kind for kind, *_ in ours] == ["pre", "post"]


def test_from_row_refuses_a_row_that_is_not_the_whole_model():
    with pytest.raises(ValueError, match="Organisation has"):
        from_row(Organisation, "default", (7, "Facket"))


def _instances(model, data):
    fields = model._meta.concrete_fields
    obj = model.from_db("default", [f.attname for f in fields], tuple(data.draw(_VALUE) for _ in fields))
    if data.draw(st.booleans()):
        obj._prefetched_objects_cache = {"things": [1]}
    relations = [f for f in fields if f.is_relation]
    if relations and data.draw(st.booleans()):
        field = data.draw(st.sampled_from(relations))
        field.set_cached_value(obj, field.related_model(pk=3))
    if data.draw(st.booleans()):
        obj.some_annotation = data.draw(_VALUE)
    if data.draw(st.booleans()):
        obj._state.__dict__.pop("fields_cache", None)  # never asked for yet
    return obj


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(data=st.data())
def test_copied_makes_the_copy_copy_copy_makes(data):
    model = data.draw(st.sampled_from(MODELS))
    original = _instances(model, data)
    before = _layout(original)

    ours = copied(original)
    after_ours = _layout(original)
    django = copy.copy(original)

    assert type(ours) is type(django)
    assert _layout(ours) == _layout(django)
    assert after_ours == before  # the original as it was
    assert ours._state is not original._state
    assert ours._state.fields_cache is not original._state.fields_cache
    for name, value in vars(ours).items():
        if name not in ("_state", "_django_version"):
            assert value is vars(original)[name]  # shallow, as copy.copy
    assert ours._state.fields_cache == original._state.fields_cache


@pytest.mark.django_db
def test_copied_is_a_copy_of_its_own(event):
    original = Event.objects.select_related("organisation").get(pk=event.pk)

    locked = copied(original)
    locked.capacity = original.capacity + 5
    Event.organisation.field.delete_cached_value(locked)

    assert original.capacity == event.capacity
    assert original.organisation == event.organisation


def test_copied_leaves_a_memoryview_to_copy_copy():
    organisation = Organisation(pk=1)
    organisation.blob = memoryview(b"ab")

    copy_ = copied(organisation)

    assert bytes(copy_.blob) == b"ab" and copy_.blob is not organisation.blob


@pytest.mark.django_db
def test_event_read_for_pages_makes_no_model_init(event, monkeypatch):
    made = []
    init = Model.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self))
        init(self, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", counting)
    found = event_queries.published_event(organisation=event.organisation.slug, event=event.slug)

    assert (found.pk, found.organisation.pk) == (event.pk, event.organisation.pk)
    assert made == []


@pytest.mark.django_db
def test_event_read_for_pages_equals_the_orm(event_factory):
    event = event_factory(status=EventStatus.PUBLISHED)

    found = event_queries.published_event(organisation=event.organisation.slug, event=event.slug)
    orm = event_queries.public_events().get(pk=event.pk)

    assert _layout(found) == _layout(orm)
    assert _layout(found.organisation) == _layout(orm.organisation)
    assert found._state.db == connection.alias


@pytest.mark.django_db
def test_lock_event_rules_copies_without_pickling(event, monkeypatch):
    unpickled = []
    unpickle = model_base.model_unpickle

    def counting(class_id):
        unpickled.append(class_id)
        return unpickle(class_id)

    monkeypatch.setattr(model_base, "model_unpickle", counting)
    Event.objects.filter(pk=event.pk).update(capacity=event.capacity + 1)

    with transaction.atomic():
        locked = lock_event_rules(event)

    assert (locked.capacity, event.capacity) == (event.capacity + 1, event.capacity)
    assert unpickled == []

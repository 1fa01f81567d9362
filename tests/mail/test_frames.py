"""mail/frames.py on its own: a frame's slots escaped as autoescape does, and the facts of a key."""

from __future__ import annotations

import operator

from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frukost.mail import frames

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="<>&\"'åä ö", max_size=20),
    st.builds(mark_safe, st.text(alphabet="<b>&;x", max_size=20)),
    st.builds(lazy(str, str), st.text(alphabet="<>&'\"a", max_size=20)),
)


def _build(slots):
    return ("T[" + "|".join(slots) + "]", "<p>" + "|".join(slots) + "</p>")


@hypothesis_settings(max_examples=300, deadline=None)
@given(slot_values=st.lists(values, min_size=1, max_size=4))
def test_a_frame_fills_text_as_str_and_html_as_conditional_escape(slot_values):
    cache = frames.FrameCache(size=4, escape=(False, True))
    # Empty values are not slots (the frame's shape), so give each a non-empty stand-in.
    slot_values = [value if str(value) else "x" for value in slot_values]

    text, html = cache.render("key", slot_values, _build)

    assert text == "T[" + "|".join(str(value) for value in slot_values) + "]"
    assert html == "<p>" + "|".join(conditional_escape(value) for value in slot_values) + "</p>"


def test_a_plain_str_is_escaped_without_django_s_lazy_wrapper(monkeypatch):
    cache = frames.FrameCache(size=4, escape=(False, True))
    cache.render("key", ["<Åsa & Bo>"], _build)  # the frame built
    calls = []
    monkeypatch.setattr(frames, "conditional_escape", lambda value: calls.append(value) or "?")

    _text, html = cache.render("key", ["<Åsa & Bo>"], _build)

    assert html == "<p>&lt;Åsa &amp; Bo&gt;</p>"
    assert calls == []


def test_the_facts_are_every_stored_field_of_each_instance(event):
    organisation = event.organisation

    facts = frames.model_facts(event, organisation)

    assert facts == tuple(
        getattr(instance, field.attname)
        for instance in (event, organisation)
        for field in instance._meta.concrete_fields
    )
    assert frames.model_facts(organisation) == tuple(
        getattr(organisation, field.attname) for field in organisation._meta.concrete_fields
    )


def test_the_facts_getter_is_built_once_per_model(event, monkeypatch):
    frames.model_facts(event, event.organisation)
    before = frames.model_facts(event, event.organisation)

    def refused(*names):
        raise AssertionError("an attrgetter built again")

    monkeypatch.setattr(operator, "attrgetter", refused)
    event.title = "Ny titel"

    after = frames.model_facts(event, event.organisation)

    assert after != before
    assert "Ny titel" in after

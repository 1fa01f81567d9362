"""The public form's cleaning, made cheaper for the registration POST (issue 10), against the
way it was done before: Django's own BaseForm._clean_fields (a BoundField per field) and the
character-by-character checks for control characters and unsendable addresses. The same data
must give the same cleaned values and the same errors, message for message."""

from __future__ import annotations

import unicodedata

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frukost.registrations import forms as registration_forms
from frukost.registrations.forms import RegistrationForm

pytestmark = pytest.mark.django_db

# The characters each check is about, and ordinary ones, so that examples hit every branch.
AWKWARD = list(
    "\n\r\t\x00\x1f\x7f\u200d\u200b\u202e\u2028\u2029\u00a0\u3000\ue000\U000e0001\u0378,;<>\"\\@. aåÄ-'"
)
# Pieces joined, not text(alphabet=one_of(...)): with that alphabet hypothesis drew the listed
# characters too rarely to find a wrong shortcut (checked by breaking one on purpose).
awkward_text = st.lists(
    st.sampled_from(AWKWARD) | st.text(alphabet=st.characters(exclude_categories=()), max_size=3), max_size=12
).map("".join)


def old_reject_control_characters(value: str, *, multiline: bool = False) -> str:
    """forms._reject_control_characters as it was before the isprintable() shortcut."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for character in value:
        if character in allowed:
            continue
        if unicodedata.category(character) in {"Cc", "Cf", "Cs", "Co", "Cn"} and character not in {"\u200d"}:
            raise ValidationError("control", code="control_character")
    return value


def old_unsendable(value: str) -> bool:
    """StrictEmailField.clean's first check as it was."""
    return any(c in '\r\n\x00,;<>"\\' or unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in value)


def refuses(check, *args, **kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except ValidationError:
        return True
    return False


@settings(max_examples=1500, deadline=None)
@given(value=awkward_text, multiline=st.booleans())
def test_control_characters_are_refused_as_before(value, multiline):
    assert refuses(registration_forms._reject_control_characters, value, multiline=multiline) == refuses(
        old_reject_control_characters, value, multiline=multiline
    )


@settings(max_examples=1500, deadline=None)
@given(value=awkward_text)
def test_unsendable_addresses_are_found_as_before(value):
    assert registration_forms._unsendable(value) == old_unsendable(value)


def test_the_shortcuts_still_refuse_what_they_must():
    """Examples of each kind, so a shortcut that let everything through would fail here too."""
    for value in ("a\x00b", "a\u202eb", "\ue000", "a\nb"):
        assert refuses(registration_forms._reject_control_characters, value)
    assert not refuses(registration_forms._reject_control_characters, "a\nb\tc", multiline=True)
    assert not refuses(registration_forms._reject_control_characters, "Åsa\u00a0Öberg-Li\u200d")
    for value in ("a,b@x.se", "a;b@x.se", "<a@x.se>", '"a"@x.se', "a\\b@x.se", "a@x.se\r\n", "a\u2028@x.se"):
        assert registration_forms._unsendable(value), value
    assert not registration_forms._unsendable("åsa.öberg@exämple.se")


class DjangosCleaning(RegistrationForm):
    """The registration form cleaned by Django's own loop, with a bound field per field."""

    _clean_fields = forms.BaseForm._clean_fields


FIELDS = [
    "first_name", "last_name", "email", "workplace", "job_title", "membership", "diet_other",
    "other_needs", "wants_future_invitations", "website", "colleague1_first_name",
    "colleague1_last_name", "colleague1_email",
]  # fmt: skip
value_of = (
    st.sampled_from(["", "Anna", "Svensson", "anna@example.se", "ANNA@Example.se", "member", "on"])
    | awkward_text
)


def errors(form) -> dict[str, list[tuple[str, str]]]:
    return {
        name: [(str(e.message % (e.params or {})), e.code) for e in errors]
        for name, errors in form.errors.as_data().items()
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(st.sampled_from(FIELDS), value_of),
    diets=st.lists(st.sampled_from(["gluten", "milk", "vegan", "meat", ""]), max_size=3),
)
def test_the_form_cleans_and_refuses_as_djangos_loop_does(event, data, diets):
    """Every example is cleaned by both; the event (one colleague allowed) is only read."""
    body = QueryDict(mutable=True)
    body.update(data)
    body.setlist("diets", diets)

    ours, djangos = RegistrationForm(body, event=event), DjangosCleaning(body, event=event)

    assert ours.is_valid() == djangos.is_valid()
    assert ours.cleaned_data == djangos.cleaned_data
    assert errors(ours) == errors(djangos)


def test_a_valid_form_and_a_refused_one_are_both_compared(event):
    """The comparison above sees both outcomes: a form that cleans, and one with errors."""
    valid = QueryDict(mutable=True)
    valid.update(
        {"first_name": "Anna", "last_name": "Svensson", "email": "Anna@Example.se", "membership": "member"}
    )
    form = RegistrationForm(valid, event=event)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "anna@example.se"
    refused = valid.copy()
    refused.update({"website": "x", "colleague1_first_name": "Bo"})
    form = RegistrationForm(refused, event=event)
    assert not form.is_valid()
    assert set(form.errors) == {"website", "colleague1_last_name", "colleague1_email"}

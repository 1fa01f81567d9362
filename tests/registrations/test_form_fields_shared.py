"""The public forms share their configured fields per process (registrations/forms.py,
_PREPARED_FIELDS): each form must still show its own event's and organisation's words in its
own language, and nothing one person typed or got wrong may reach the next form."""

from __future__ import annotations

import pytest
from django.utils import translation

from frukost.events.models import Organisation
from frukost.registrations.forms import AnswersForm, RegistrationForm

pytestmark = pytest.mark.django_db


def labels(form) -> dict[str, str]:
    return {name: str(form[name].label) for name in form.fields}


def test_each_event_gets_its_own_questions_and_colleague_fields(event_factory):
    other = Organisation.objects.create(
        name="Vision", slug="vision", membership_question="Är du medlem i Vision?"
    )
    plain = event_factory(max_colleagues=1)
    asking = event_factory(organisation=other, custom_question="Vad vill du fråga Hanna?", max_colleagues=3)
    alone = event_factory(max_colleagues=0)

    for _ in range(2):  # the second round comes from the prepared fields
        first, second, third = (RegistrationForm(event=e) for e in (plain, asking, alone))

        assert first["membership"].label == "Är du medlem i Akademikerförbundet SSR?"
        assert "answer" not in first.fields
        assert first["colleague1_email"].label == "Kollegans e-post"
        assert "colleague2_email" not in first.fields
        assert second["membership"].label == "Är du medlem i Vision?"
        assert second["answer"].label == "Vad vill du fråga Hanna?"
        assert second["colleague3_email"].label == "Kollega 3: e-post"
        assert "från Vision" in second["wants_future_invitations"].label
        assert not [name for name in third.fields if name.startswith("colleague")]
        assert third.colleague_prefixes == []


def test_each_language_gets_its_own_words(event_factory):
    # The organisation's own question reads the same in both languages: only the language differs.
    organisation = Organisation.objects.create(name="Vision", slug="vision", membership_question="Medlem?")
    event = event_factory(organisation=organisation, max_colleagues=2)
    with translation.override("en"):
        english = labels(RegistrationForm(event=event))
    swedish = labels(RegistrationForm(event=event))
    with translation.override("en"):
        english_again = labels(RegistrationForm(event=event))

    assert english == english_again
    assert english["first_name"] == "First name"
    assert english["colleague2_email"] == "Colleague 2: e-mail"
    assert swedish["first_name"] == "Förnamn"
    assert swedish["colleague2_email"] == "Kollega 2: e-post"
    assert swedish["membership"] == english["membership"] == "Medlem?"


def test_a_renamed_organisation_or_a_new_question_shows_in_the_next_form(event):
    RegistrationForm(event=event)

    event.organisation.name = "Akademikerförbundet SSR Norr"
    event.custom_question = "Något du vill fråga?"
    form = RegistrationForm(event=event)

    assert form["membership"].label == "Är du medlem i Akademikerförbundet SSR Norr?"
    assert form["answer"].label == "Något du vill fråga?"
    assert "från Akademikerförbundet SSR Norr" in form["wants_future_invitations"].label


def test_what_one_person_sent_never_reaches_the_next_form(event):
    data = {"first_name": "Zakarias", "email": "inte-en-adress", "colleague1_email": "bo@example.se"}
    sent = RegistrationForm(data, event=event)
    assert not sent.is_valid()
    sent_html = sent.as_div()

    fresh = RegistrationForm(event=event)
    fresh_html = fresh.as_div()
    answers = AnswersForm(event=event, initial={"workplace": "Sundsvalls kommun"})

    assert "Zakarias" in sent_html
    assert "Zakarias" not in fresh_html
    assert "inte-en-adress" not in fresh_html
    assert "bo@example.se" not in fresh_html
    assert not fresh.is_bound
    assert fresh.errors == {}
    assert 'aria-invalid="true"' not in fresh_html
    assert answers["workplace"].value() == "Sundsvalls kommun"
    assert RegistrationForm(event=event)["workplace"].value() is None


def test_forms_of_one_configuration_validate_apart(event):
    valid = RegistrationForm(
        {
            "first_name": "Anna",
            "last_name": "Svensson",
            "email": "anna@example.se",
            "membership": "member",
        },
        event=event,
    )
    invalid = RegistrationForm({"first_name": "Bo", "email": "bo@"}, event=event)

    assert invalid.is_valid() is False
    assert valid.is_valid() is True
    assert valid.cleaned_data["email"] == "anna@example.se"
    assert set(invalid.errors) == {"last_name", "email", "membership"}


def _snapshot(form) -> dict[str, tuple]:
    return {
        name: (
            dict(field.widget.attrs),
            field.required,
            field.initial,
            str(field.label),
            str(field.help_text),
            [tuple(map(str, choice)) for choice in getattr(field, "choices", [])],
        )
        for name, field in form.fields.items()
    }


def test_rendering_a_form_with_errors_leaves_the_shared_fields_as_they_were(event_factory):
    event = event_factory(max_colleagues=2, custom_question="Vad vill du fråga Hanna?")
    before = RegistrationForm(event=event)
    snapshot = _snapshot(before)

    sent = RegistrationForm(
        {"first_name": "Zakarias", "email": "inte-en-adress", "colleague1_email": "bo@", "diets": ["nope"]},
        event=event,
    )
    assert not sent.is_valid()
    sent.as_div()  # every widget rendered with its errors, aria-invalid and the values sent
    for name in sent.fields:
        str(sent[name])

    after = RegistrationForm(event=event)
    # The same field objects (so the test means something), unchanged by the form with errors.
    assert any(after.fields[name] is before.fields[name] for name in after.fields)
    assert _snapshot(after) == snapshot

"""Names that are only names, addresses that are only addresses, and lengths that hold after
normalisation: in the forms (every form that takes a name) and in the e-mails."""

import unicodedata

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from frukost.registrations.enums import Status
from frukost.registrations.forms import (
    CleanCharField,
    ColleagueForm,
    NameField,
    OrganiserRegistrationForm,
    RegistrationForm,
    StrictEmailField,
)
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services import ColleagueData, register
from tests.conftest import outbox_for

PHISHING = "Ditt konto är spärrat. Logga in på www.evil.example/bankid"
NAME_MESSAGE = "Skriv bara namnet här, utan webbadresser, e-postadresser eller annan text"


def codes(raised) -> list[str]:
    return [error.code for error in raised.value.error_list]


def valid_registration(**changes):
    return {
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": "anna@example.se",
        "membership": "member",
    } | (changes)


@pytest.mark.parametrize(
    "name",
    [
        PHISHING,
        "www.evil.example",
        "evil.example",
        "Anna https://evil.example",
        "anna@example.se",
        "Logga in på bank-id.se",
        "Ring oss! Kontot är låst",
        "Klicka här för att logga in på ditt konto nu",
    ],
)
def test_name_field_refuses_addresses_and_sentences(name):
    with pytest.raises(Exception) as raised:
        NameField().clean(name)
    assert codes(raised) == ["name"]


@pytest.mark.parametrize(
    "name",
    ["Anna-Karin O'Neill", "Åsa Öberg-Ström", "Anna M. Svensson", "José María", "Ægir Ødegård", "Nguyễn"],
)
def test_name_field_accepts_ordinary_names(name):
    assert NameField().clean(name) == unicodedata.normalize("NFC", name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["first_name", "last_name", "colleague1_first_name", "colleague1_last_name"]
)
def test_registration_form_refuses_a_phishing_line_in_any_name(event, field):
    data = valid_registration(
        colleague1_first_name="Bo", colleague1_last_name="Ek", colleague1_email="bo@example.se"
    )
    data[field] = PHISHING

    response = Client().post(event.get_absolute_url(), data)

    assert response.status_code == 400
    assert NAME_MESSAGE in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_every_form_that_takes_a_name_refuses_it(event):
    colleague = ColleagueForm({"first_name": PHISHING, "last_name": "Ek", "email": "bo@example.se"})
    organiser = OrganiserRegistrationForm(
        {"first_name": "Anna", "last_name": PHISHING, "email": "anna@example.se", "language": "sv"},
        event=event,
        special_category=False,
        adding=True,
    )

    assert not colleague.is_valid() and [e.code for e in colleague.errors.as_data()["first_name"]] == ["name"]
    assert not organiser.is_valid() and [e.code for e in organiser.errors.as_data()["last_name"]] == ["name"]


@pytest.mark.django_db
def test_a_stored_name_that_is_more_than_a_name_stays_out_of_the_invitation(event, person):
    """Names given before the check (or through a path without a form) must not reach the
    subject or greeting of an e-mail sent from the organisation's address."""
    register(
        event=event,
        person=person("anna@example.se", first_name="Logga in på", last_name="www.evil.example/bankid"),
        colleagues=[ColleagueData(first_name=PHISHING, last_name="Ek", email="bo@example.se")],
    )

    [invitation] = outbox_for("bo@example.se")

    assert invitation.subject == "En kollega har anmält dig till Chefsfrukost: Leda med tillit"
    assert invitation.body_text.startswith("Hej!\n\nEn kollega har anmält dig till")
    assert "evil" not in invitation.body_text + invitation.body_html + invitation.subject


def test_normalisation_runs_before_the_length_check():
    """U+1D160 is one code point that NFC makes three: 99 of them were stored as 297."""
    with pytest.raises(Exception) as raised:
        NameField().clean("\U0001d160" * 99)
    assert codes(raised) == ["max_length"]


@pytest.mark.django_db
def test_a_name_that_grows_past_the_limit_is_a_form_error_not_a_500(event):
    response = Client().post(event.get_absolute_url(), valid_registration(first_name="\U0001d160" * 99))

    assert response.status_code == 400
    assert not Registration.objects.exists()


@given(st.text(max_size=120))
def test_no_input_makes_a_name_longer_than_the_field(text):
    try:
        value = NameField().clean(text)
    except Exception:  # noqa: BLE001 - refused is fine; what is accepted must fit
        return
    assert len(value) <= 100
    assert value == unicodedata.normalize("NFC", value)


@given(st.text(max_size=260))
def test_no_input_makes_a_text_longer_than_the_field(text):
    field = CleanCharField(max_length=200, required=False)
    try:
        value = field.clean(text)
    except Exception:  # noqa: BLE001
        return
    assert len(value) <= 200


@given(st.one_of(st.emails(), st.text(max_size=260)))
def test_no_input_makes_a_stored_address_longer_than_the_field(text):
    try:
        value = StrictEmailField().clean(text)
    except Exception:  # noqa: BLE001
        return
    assert len(value) <= 254
    assert value == normalise_email(value)
    assert value.rpartition("@")[2].isascii()  # the domain in its one (IDNA) form


@pytest.mark.parametrize(
    "address",
    [
        '"a\x1bb"@example.se',
        '"anna svensson"@example.se',
        "anna\u200b@example.se",
        "root@localhost",
        "a@[127.0.0.1]",
        "a@127.0.0.1",
        "anna@example",
        "anna@exa mple.se",
    ],
)
def test_email_field_refuses_quoted_local_parts_controls_local_and_ip_domains(address):
    with pytest.raises(Exception) as raised:
        StrictEmailField().clean(address)
    assert "invalid" in codes(raised)


def test_email_field_stores_the_domain_in_one_form():
    assert StrictEmailField().clean("Alice@Exämple.org") == "alice@xn--exmple-cua.org"
    assert StrictEmailField().clean("alice@xn--exmple-cua.org") == "alice@xn--exmple-cua.org"
    assert normalise_email("alice@EXÄMPLE.org") == "alice@xn--exmple-cua.org"


@pytest.mark.django_db
def test_an_address_in_unicode_and_in_punycode_is_one_person(event, person):
    register(event=event, person=person("alice@exämple.org"))
    register(event=event, person=person("alice@xn--exmple-cua.org"))

    assert list(Registration.objects.values_list("email", "status")) == [
        ("alice@xn--exmple-cua.org", Status.REGISTERED)
    ]


@pytest.mark.django_db
def test_control_character_in_an_address_never_reaches_a_header(event):
    response = Client().post(event.get_absolute_url(), valid_registration(email='"a\x1bb"@example.se'))

    assert response.status_code == 400
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_registration_form_keeps_the_colleague_address_rules_with_idna(event_factory):
    event = event_factory(max_colleagues=1)
    form = RegistrationForm(
        valid_registration(
            email="alice@exämple.org",
            colleague1_first_name="Bo",
            colleague1_last_name="Ek",
            colleague1_email="ALICE@xn--exmple-cua.org",
        ),
        event=event,
    )

    assert not form.is_valid()
    assert "colleague1_email" in form.errors

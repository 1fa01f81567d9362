"""A consent to future invitations: recorded with its time and the words shown, withdrawn by unticking,
and kept when the registration it came with is anonymised."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frukost.contacts.models import Contact
from frukost.contacts.services import record_consent, withdraw_consent
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.privacy.erasure import anonymise
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    Answers,
    confirm_colleague,
    register,
    update_answers,
    withdraw_future_invitations,
)
from tests.conftest import make_person
from tests.public.test_personal_link import link_in_last_mail
from tests.public.test_registration_form import post

pytestmark = pytest.mark.django_db

SWEDISH_TEXT = (
    "Ja, skicka mig inbjudningar till kommande evenemang från Akademikerförbundet SSR. "
    "Då sparar vi ditt namn, din e-postadress, arbetsplats och befattning för att kunna bjuda in dig, "
    "tills du ber oss sluta. Kryssa ur rutan på din personliga sida eller skriv till oss."
)
ENGLISH_TEXT = (
    "Yes, send me invitations to future events from Akademikerförbundet SSR. We then keep your name, "
    "e-mail address, workplace and job title to be able to invite you, until you ask us to stop. "
    "Untick the box on your personal page or write to us."
)


def contacts():
    return list(
        Contact.objects.values_list(
            "email", "first_name", "last_name", "workplace", "language", "consent_text"
        )
    )


def test_ticking_the_box_on_the_form_records_the_consent_with_its_words_and_time(client, event, frozen):
    when = frozen("2029-04-02 10:15")

    post(client, event, wants_future_invitations="on", email="Anna@Example.se")

    contact = Contact.objects.get()
    assert contacts() == [("anna@example.se", "Anna", "Svensson", "Sundsvalls kommun", "sv", SWEDISH_TEXT)]
    assert (contact.consented_at, contact.source_event, contact.organisation) == (
        when,
        event,
        event.organisation,
    )
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Då sparar vi ditt namn, din e-postadress" in page


def test_the_consent_is_recorded_in_the_language_of_the_page(event):
    english = Client()
    english.cookies["frukost_language"] = "en"

    post(english, event, wants_future_invitations="on")

    assert [(c[0], c[4], c[5]) for c in contacts()] == [("anna@example.se", "en", ENGLISH_TEXT)]


def test_no_tick_no_contact(client, event):
    post(client, event)

    assert contacts() == []
    assert not AuditLog.objects.filter(action__startswith="contact.").exists()


def test_a_repeat_consent_refreshes_time_and_text_and_keeps_one_contact(event_factory, frozen, organisation):
    first, second = event_factory(), event_factory()
    frozen("2029-03-01 09:00")
    register(
        event=first, person=make_person("anna@example.se", wants_future_invitations=True, consent_text="Old")
    )
    later = frozen("2029-04-01 09:00")

    register(
        event=second,
        person=make_person(
            "anna@example.se", workplace="Region", wants_future_invitations=True, consent_text="New"
        ),
    )

    contact = Contact.objects.get()
    assert (contact.consent_text, contact.consented_at, contact.workplace, contact.source_event) == (
        "New",
        later,
        "Region",
        second,
    )
    assert list(
        AuditLog.objects.filter(action="contact.consented")
        .order_by("id")
        .values_list("data__repeated", flat=True)
    ) == [
        False,
        True,
    ]


def test_unticking_on_the_personal_page_withdraws_and_leaves_no_personal_data(client, event):
    post(client, event, wants_future_invitations="on")
    contact_id = Contact.objects.get().pk
    link = link_in_last_mail("anna@example.se")
    page = client.get(link).content.decode()
    assert re.search(r'name="wants_future_invitations" id="[^"]+" checked', page)

    response = client.post(
        link, {"action": "answers", "membership": "member", "workplace": "Sundsvalls kommun"}
    )

    assert response.status_code == 302
    assert contacts() == []
    assert Registration.objects.get().wants_future_invitations is False
    withdrawn = AuditLog.objects.get(action="contact.withdrawn")
    assert withdrawn.data == {"contact_id": contact_id, "organisation_id": event.organisation_id}


def test_ticking_on_the_personal_page_records_the_consent(client, event):
    post(client, event)
    link = link_in_last_mail("anna@example.se")

    client.post(link, {"action": "answers", "membership": "member", "wants_future_invitations": "on"})

    assert [(c[0], c[5]) for c in contacts()] == [("anna@example.se", SWEDISH_TEXT)]


def test_saving_the_personal_page_with_the_box_still_ticked_keeps_the_first_consent(event, frozen):
    when = frozen("2029-04-01 09:00")
    anna = register(
        event=event,
        person=make_person("anna@example.se", wants_future_invitations=True, consent_text="Först"),
    ).registration
    frozen("2029-04-05 09:00")

    update_answers(
        registration=anna,
        answers=Answers(membership="member", wants_future_invitations=True, consent_text="Sedan"),
    )

    assert list(Contact.objects.values_list("consent_text", "consented_at")) == [("Först", when)]


def test_a_colleague_consents_for_themselves_when_confirming(event, colleague):
    register(event=event, person=make_person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    bo = Registration.objects.get(email="bo@example.se")
    assert contacts() == []  # the registrant cannot consent for them

    confirm_colleague(
        registration=bo,
        answers=Answers(membership="member", wants_future_invitations=True, consent_text="Bo såg detta"),
        language="en",
    )

    assert contacts() == [("bo@example.se", "Bo", "Ek", "", "en", "Bo såg detta")]


def test_the_consent_survives_the_anonymisation_of_the_registration(event):
    anna = register(
        event=event,
        person=make_person("anna@example.se", workplace="Sundsvalls kommun", wants_future_invitations=True),
    ).registration

    with transaction.atomic():
        anonymise([anna.pk], now=anna.created_at)

    anna.refresh_from_db()
    assert (anna.email, anna.first_name, anna.wants_future_invitations) == ("", "", False)
    assert [c[:4] for c in contacts()] == [("anna@example.se", "Anna", "Svensson", "Sundsvalls kommun")]


def test_a_consent_without_text_falls_back_to_the_words_of_the_form_in_the_persons_language(event):
    register(event=event, person=make_person("anna@example.se", language="en", wants_future_invitations=True))

    assert [c[5] for c in contacts()] == [ENGLISH_TEXT]


def test_withdrawing_unticks_every_registration_with_the_organisation(
    event_factory, staff_factory, organisation
):
    first, second = event_factory(), event_factory()
    for e in (first, second):
        register(event=e, person=make_person("anna@example.se", wants_future_invitations=True))
    owner = staff_factory("owner")

    assert (
        withdraw_future_invitations(organisation=organisation, email="ANNA@example.se", actor=owner) is True
    )

    assert contacts() == []
    assert list(Registration.objects.values_list("wants_future_invitations", flat=True)) == [False, False]
    assert AuditLog.objects.get(action="contact.withdrawn").actor == owner


def test_contacts_belong_to_one_organisation(organisation):
    other = Organisation.objects.create(name="Vision", slug="vision")
    for org in (organisation, other):
        record_consent(
            organisation=org, email="anna@example.se", first_name="Anna", last_name="S", text="Ja", event=None
        )

    assert withdraw_consent(organisation=other, email="anna@example.se") is True
    assert withdraw_consent(organisation=other, email="anna@example.se") is False
    assert list(Contact.objects.values_list("organisation__slug", flat=True)) == [organisation.slug]


def test_the_persons_own_data_shows_the_consent_alone_and_in_a_list(event):
    from django.utils import translation

    from frukost.privacy.selfservice import personal_data, personal_data_of, with_personal_data

    register(
        event=event, person=make_person("anna@example.se", wants_future_invitations=True, consent_text="Ja!")
    )
    register(event=event, person=make_person("bo@example.se"))

    with translation.override("sv"):
        alone = personal_data(Registration.objects.get(email="anna@example.se"))["sections"]["invitations"]
        listed = personal_data_of(with_personal_data(Registration.objects.order_by("email")))["registrations"]

    assert [(f["key"], f["value"]) for f in alone["fields"]][1:] == [("consent_text", "Ja!")]
    assert alone["title"] == "Inbjudningar till kommande evenemang"
    assert [[f["value"] for f in r["invitations"]["fields"]][1:] for r in listed] == [["Ja!"], []]


def test_erasing_ones_registration_withdraws_the_consent_too(event):
    from frukost.privacy.selfservice import erase_registration

    anna = register(
        event=event, person=make_person("anna@example.se", wants_future_invitations=True)
    ).registration

    erase_registration(registration=anna)

    assert contacts() == []
    assert AuditLog.objects.filter(action="contact.withdrawn").count() == 1


def test_a_repeat_consent_returns_the_contact_as_stored_and_keeps_its_creation_time(organisation, frozen):
    """On PostgreSQL one INSERT … ON CONFLICT DO UPDATE stands for `update_or_create`: the same
    row, the same contact returned, the same "repeated" in the audit."""
    first_time = frozen("2029-03-01 09:00")
    first = record_consent(organisation=organisation, email="Anna@Example.se", first_name="Anna",
                           last_name="Svensson", text="Old")  # fmt: skip
    later = frozen("2029-04-01 09:00")
    second = record_consent(organisation=organisation, email="anna@example.se", first_name="Anna",
                            last_name="Berg", workplace="Region", language="en", text="New")  # fmt: skip

    stored = Contact.objects.get()
    fields = [field.attname for field in Contact._meta.concrete_fields]
    for returned in (second,):
        assert {name: getattr(returned, name) for name in fields} == {
            name: getattr(stored, name) for name in fields
        }
    assert (first.pk, first.created_at, first.consented_at, first.last_name) == (
        stored.pk,
        first_time,
        first_time,
        "Svensson",
    )
    assert (stored.created_at, stored.updated_at, stored.consented_at) == (first_time, later, later)
    assert (stored.last_name, stored.workplace, stored.language, stored.consent_text) == (
        "Berg",
        "Region",
        "en",
        "New",
    )
    assert stored.source_event_id is None
    assert not second._state.adding and second._state.db == "default"
    assert list(
        AuditLog.objects.filter(action="contact.consented")
        .order_by("id")
        .values_list("data__repeated", flat=True)
    ) == [False, True]


@pytest.mark.parametrize("repeat", [False, True])
def test_a_consent_on_the_form_takes_no_savepoint_and_one_statement_on_postgresql(client, event, repeat):
    """Issue 10: the consent ran three savepoints (its own, update_or_create's and get_or_create's),
    a SELECT … FOR UPDATE and the INSERT: eight round trips. On PostgreSQL now one upsert; SQLite
    keeps the ORM's way (its savepoints cost no round trip)."""
    if repeat:
        record_consent(organisation=event.organisation, email="anna@example.se", first_name="A",
                       last_name="S", text="Old")  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        post(client, event, wants_future_invitations="on", email="anna@example.se")

    # The registration's own transaction is a savepoint too here, inside the test's transaction.
    statements = [q["sql"] for q in queries.captured_queries]
    savepoints = [sql for sql in statements if sql.startswith("SAVEPOINT")]
    contacts_sql = [sql for sql in statements if "contacts_contact" in sql]
    if connection.vendor == "postgresql":
        assert (len(savepoints), len(contacts_sql)) == (1, 1), statements
        assert contacts_sql[0].startswith('INSERT INTO "contacts_contact"')
    else:
        # record_consent's, update_or_create's, and get_or_create's for a new contact
        assert len(savepoints) == 1 + 2 + (not repeat), statements
    contact = Contact.objects.get()
    assert (contact.first_name, contact.consent_text == SWEDISH_TEXT) == ("Anna", True)
    assert AuditLog.objects.filter(action="contact.consented").latest("id").data["repeated"] is repeat


@pytest.mark.django_db(transaction=True)
def test_two_consents_for_one_new_address_at_once_make_one_contact(organisation):
    """The second waits for the first's insert and then updates that row, as update_or_create's
    retry after the IntegrityError does: one contact, one "repeated" (a real race, both databases;
    on SQLite the second simply waits for the write lock)."""
    import threading

    from django.db import connections

    inserted, done = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                done.append(record_consent(organisation=organisation, email="anna@example.se",
                                           first_name="Anna", last_name="Old", text="First"))  # fmt: skip
                inserted.set()
                threading.Event().wait(0.5)  # the second is waiting for this transaction now
        finally:
            inserted.set()
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(10)
    second = record_consent(organisation=organisation, email="anna@example.se", first_name="Anna",
                            last_name="New", text="Second")  # fmt: skip
    thread.join(10)

    stored = Contact.objects.get()
    assert (done[0].pk, second.pk, stored.last_name, stored.consent_text) == (
        stored.pk,
        stored.pk,
        "New",
        "Second",
    )
    assert list(
        AuditLog.objects.filter(action="contact.consented")
        .order_by("id")
        .values_list("data__repeated", flat=True)
    ) == [False, True]

"""Registrations that ticked the box before consents had their own table become contacts."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("contacts", "0001_contact"),
    ("registrations", "0003_registration_anonymised"),
    ("events", "0009_organisation_retention"),
]
AFTER = [("contacts", "0002_contacts_from_registrations")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_ticked_registrations_become_contacts_once_per_organisation_and_address():
    old = _migrate(BEFORE)
    Organisation = old.get_model("events", "Organisation")  # noqa: N806
    Event = old.get_model("events", "Event")  # noqa: N806
    Registration = old.get_model("registrations", "Registration")  # noqa: N806
    ssr = Organisation.objects.create(name="SSR", slug="ssr")
    start = dt.datetime(2029, 5, 16, 8, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=1)
    events = [
        Event.objects.create(
            organisation=ssr, slug=f"e{n}", title="Frukost", starts_at=start, ends_at=end, capacity=10,
            ical_uid=f"uid-{n}",
        )
        for n in (1, 2)
    ]  # fmt: skip

    def registration(event, email, ticked=True, **fields):
        return Registration.objects.create(
            event=event, email=email, first_name="Anna", last_name="S", wants_future_invitations=ticked,
            status="registered", **fields,
        )  # fmt: skip

    registration(events[0], "anna@example.se", language="en")
    registration(events[1], "anna@example.se", workplace="Region")
    registration(events[0], "bo@example.se", ticked=False)
    registration(events[0], "", anonymised_at=start)

    new = _migrate(AFTER)

    Contact = new.get_model("contacts", "Contact")  # noqa: N806
    contacts = list(Contact.objects.values_list("email", "workplace", "language", "source_event__slug"))
    assert contacts == [("anna@example.se", "Region", "sv", "e2")]
    assert Contact.objects.get().consent_text.startswith(
        "Ja, jag vill få inbjudningar till kommande evenemang (överfört från anmälan "
    )
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_contacts_with_unicode_domains_are_converted_and_can_be_withdrawn():
    # Every app as it was, but registrations before their addresses went IDNA and contacts at 0002:
    # the tables then match the historical models (later NOT NULL columns included).
    before = [
        *(node for node in _leaves() if node[0] not in ("registrations", "contacts")),
        ("registrations", "0004_colleague_names_given"),
        ("registrations", "0005_merge_0004_event_tally_0004_personal_link_purpose"),
        ("contacts", "0002_contacts_from_registrations"),
    ]
    try:
        old = _migrate(before)
        Organisation = old.get_model("events", "Organisation")  # noqa: N806
        Contact = old.get_model("contacts", "Contact")  # noqa: N806
        ssr = Organisation.objects.create(name="SSR", slug="ssr")
        other = Organisation.objects.create(name="Vision", slug="vision")

        def contact(organisation, email, day):
            return Contact.objects.create(
                organisation=organisation, email=email, first_name=email.split("@")[0],
                consented_at=dt.datetime(2029, 1, day, tzinfo=dt.UTC), consent_text="Ja",
            )  # fmt: skip

        contact(ssr, "anna@exämple.se", 1)
        contact(ssr, "bo@exämple.se", 3)  # newer than its ASCII twin: this one stays
        contact(ssr, "bo@xn--exmple-cua.se", 2)
        contact(ssr, "cia@exämple.se", 2)
        contact(ssr, "cia@xn--exmple-cua.se", 3)  # newer: this one stays
        contact(other, "anna@exämple.se", 1)  # another organisation: its own contact

        new = _migrate([("contacts", "0003_contact_email_domains_idna")])

        Contact = new.get_model("contacts", "Contact")  # noqa: N806
        rows = Contact.objects.order_by("organisation__slug", "email")
        assert [(c.organisation.slug, c.email, c.consented_at.day) for c in rows] == [
            ("ssr", "anna@xn--exmple-cua.se", 1),
            ("ssr", "bo@xn--exmple-cua.se", 3),
            ("ssr", "cia@xn--exmple-cua.se", 3),
            ("vision", "anna@xn--exmple-cua.se", 1),
        ]
    finally:
        _migrate(_leaves())

    from frukost.contacts.services import withdraw_consent
    from frukost.events.models import Organisation as Current

    assert withdraw_consent(organisation=Current.objects.get(slug="ssr"), email="anna@exämple.se") is True


@pytest.mark.django_db(transaction=True)
def test_contacts_made_before_they_had_a_creation_time_get_their_consent_time():
    before = [
        *(node for node in _leaves() if node[0] != "contacts"),
        ("contacts", "0003_contact_email_domains_idna"),
    ]
    try:
        old = _migrate(before)
        Organisation = old.get_model("events", "Organisation")  # noqa: N806
        Contact = old.get_model("contacts", "Contact")  # noqa: N806
        ssr = Organisation.objects.create(name="SSR", slug="ssr")
        consented = dt.datetime(2029, 1, 2, 9, 14, 7, 123456, tzinfo=dt.UTC)
        Contact.objects.create(
            organisation=ssr, email="anna@example.se", consented_at=consented, consent_text="Ja"
        )

        new = _migrate([("contacts", "0005_contact_created_at_from_consent")])

        assert new.get_model("contacts", "Contact").objects.get().created_at == consented
    finally:
        _migrate(_leaves())

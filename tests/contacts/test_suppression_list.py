"""The do-not-mail list as organisers and people change it: an organiser adds and removes entries
(never an unsubscribe), a new consent from the address's owner lifts an unsubscribe, an
unsubscribe withdraws the consent, and the consenting contacts an invitation list is made of
leave out every address on the list."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.exceptions import AlreadySuppressed, InvalidSuppression, UnsubscribeIsThePersons
from frukost.contacts.exports import export_suppressions
from frukost.contacts.models import Contact, Suppression
from frukost.contacts.queries import contacts_for, invitable_contacts, suppressions_for
from frukost.contacts.services import record_consent
from frukost.contacts.suppression import add_address, remove_address, suppress
from frukost.core import erasure_journal
from frukost.core.models import AuditLog
from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _consent(organisation, email, **kwargs):
    return record_consent(
        organisation=organisation, email=email, first_name="Anna", last_name="Svensson", text="Ja", **kwargs
    )


def _actions() -> list[str]:
    return list(AuditLog.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.parametrize(
    "address, message",
    [
        ("", "Write the e-mail address to add."),
        ("anna", "Write the e-mail address like this: namn@exempel.se"),
        ("anna@localhost", "Write the e-mail address like this: namn@exempel.se"),
        ("anna@10.0.0.1", "Write the e-mail address like this: namn@exempel.se"),
    ],
)
def test_add_address_refuses_what_is_not_an_address_and_saves_nothing(organisation, address, message):
    with pytest.raises(InvalidSuppression) as refused:
        add_address(organisation=organisation, email=address, detail="Ringde")

    assert str(refused.value) == message
    assert Suppression.objects.count() == 0


def test_add_address_refuses_a_note_longer_than_the_field(organisation):
    with pytest.raises(InvalidSuppression) as refused:
        add_address(organisation=organisation, email="anna@example.se", detail="x" * 301)

    assert str(refused.value) == "The note can be at most 300 characters; shorten it and try again."
    assert Suppression.objects.count() == 0


def test_add_address_stores_it_normalised_with_the_note_and_audits_the_reason_only(
    organisation, staff_factory
):
    olle = staff_factory("organiser", "olle@example.se")

    row = add_address(
        organisation=organisation, email="  Anna@Example.SE ", detail="Ringde  och bad\noss sluta", actor=olle
    )

    assert (row.email, row.reason, row.detail) == ("anna@example.se", "added", "Ringde och bad oss sluta")
    entry = AuditLog.objects.get(action="suppression.added")
    assert (entry.actor, entry.data) == (olle, {"organisation_id": organisation.pk, "reason": "added"})


def test_add_address_says_so_when_the_address_is_on_the_list_already(organisation):
    suppress(organisation=organisation, email="anna@example.se", reason="bounced", detail="550 no such user")

    with pytest.raises(AlreadySuppressed) as refused:
        add_address(organisation=organisation, email="ANNA@example.se", detail="Ringde")

    assert refused.value.reason == "bounced"
    assert list(Suppression.objects.values_list("reason", "detail")) == [("bounced", "550 no such user")]


@pytest.mark.parametrize("reason", [SuppressionReason.BOUNCED, SuppressionReason.ADDED])
def test_remove_address_takes_a_bounce_or_an_organisers_entry_off_the_list(organisation, reason):
    row = suppress(organisation=organisation, email="anna@example.se", reason=reason)

    remove_address(suppression=row)

    assert Suppression.objects.count() == 0
    assert _actions()[-1] == "suppression.removed"
    assert AuditLog.objects.get(action="suppression.removed").data["reason"] == reason.value


def test_remove_address_never_removes_an_unsubscribe(organisation):
    row = suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")

    with pytest.raises(UnsubscribeIsThePersons):
        remove_address(suppression=row)

    assert list(Suppression.objects.values_list("email", "reason")) == [("anna@example.se", "unsubscribed")]
    assert "suppression.removed" not in _actions()


def test_a_new_consent_lifts_an_unsubscribe_and_says_so_in_the_log(organisation, event):
    suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")

    contact = _consent(organisation, "Anna@example.se", event=event, address_proven=True)

    assert Suppression.objects.count() == 0
    entry = AuditLog.objects.get(action="suppression.lifted")
    assert (entry.event_id, entry.data["contact_id"]) == (event.pk, contact.pk)


@pytest.mark.parametrize("reason", ["bounced", "added"])
def test_a_new_consent_leaves_a_bounce_or_an_organisers_entry(organisation, reason):
    suppress(organisation=organisation, email="anna@example.se", reason=reason)

    _consent(organisation, "anna@example.se", address_proven=True)

    assert list(Suppression.objects.values_list("reason", flat=True)) == [reason]
    assert "suppression.lifted" not in _actions()


def test_a_consent_lifts_only_its_own_organisations_unsubscribe(organisation):
    vision = Organisation.objects.create(name="Vision", slug="vision")
    suppress(organisation=vision, email="anna@example.se", reason="unsubscribed")

    _consent(organisation, "anna@example.se", address_proven=True)

    assert list(Suppression.objects.values_list("organisation__slug", flat=True)) == ["vision"]


def test_unsubscribing_withdraws_the_consent_to_future_invitations_and_journals_it(organisation):
    contact = _consent(organisation, "anna@example.se")
    vision = Organisation.objects.create(name="Vision", slug="vision")
    _consent(vision, "anna@example.se")

    suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")

    assert list(Contact.objects.values_list("organisation__slug", flat=True)) == ["vision"]
    assert _actions()[-2:] == ["contact.withdrawn", "suppression.added"]
    [line] = list(erasure_journal.entries())
    assert [(row.id, row.created) for row in line.contacts] == [(contact.pk, contact.created_at)]


@pytest.mark.parametrize("reason", ["bounced", "added"])
def test_a_bounce_or_an_organisers_entry_keeps_the_consent(organisation, reason):
    _consent(organisation, "anna@example.se")

    suppress(organisation=organisation, email="anna@example.se", reason=reason)

    assert Contact.objects.count() == 1


def test_the_contacts_list_marks_and_the_invitable_contacts_leave_out_suppressed_addresses(organisation):
    _consent(organisation, "anna@example.se")
    _consent(organisation, "bo@example.se")
    _consent(organisation, "cia@example.se")
    suppress(organisation=organisation, email="bo@example.se", reason="bounced")
    suppress(organisation=organisation, email="cia@example.se", reason="added")
    vision = Organisation.objects.create(name="Vision", slug="vision")
    suppress(organisation=vision, email="anna@example.se", reason="added")

    marked = {c.email: c.suppression_reason for c in contacts_for(organisation)}

    assert marked == {"anna@example.se": None, "bo@example.se": "bounced", "cia@example.se": "added"}
    assert [c.email for c in invitable_contacts(organisation)] == ["anna@example.se"]


def test_suppressions_for_searches_by_address_and_reason(organisation):
    suppress(organisation=organisation, email="anna@sundsvall.se", reason="unsubscribed")
    suppress(organisation=organisation, email="bo@harnosand.se", reason="bounced")
    suppress(
        organisation=Organisation.objects.create(name="Vision", slug="vision"),
        email="anna@vision.se",
        reason="added",
    )

    assert [r.email for r in suppressions_for(organisation, search="ANNA")] == ["anna@sundsvall.se"]
    assert [r.email for r in suppressions_for(organisation, reason="bounced")] == ["bo@harnosand.se"]
    assert sorted(r.email for r in suppressions_for(organisation)) == ["anna@sundsvall.se", "bo@harnosand.se"]


def test_the_export_is_neutralised_csv_and_audited_with_the_count_only(organisation, staff_factory):
    olle = staff_factory("organiser", "olle@example.se")
    suppress(organisation=organisation, email="anna@example.se", reason="added", detail='=HYPERLINK("x")')
    suppress(organisation=organisation, email="bo@example.se", reason="bounced", detail="550 5.1.1")

    export = export_suppressions(organisation=organisation, actor=olle)

    text = b"".join(export.chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["E-mail", "Reason", "Added", "Detail"]
    assert sorted((r[0], r[1], r[3]) for r in rows[1:]) == [
        ("anna@example.se", "Added by an organiser", '\'=HYPERLINK("x")'),
        ("bo@example.se", "Undeliverable (hard bounce)", "550 5.1.1"),
    ]
    assert export.filename.startswith("sparrlista-akademikerforbundet-ssr-")
    entry = AuditLog.objects.get(action="suppressions.exported")
    assert (entry.actor, entry.data["rows"]) == (olle, 2)
    assert "anna@example.se" not in str(entry.data)


def test_the_export_refuses_an_unknown_reason(organisation):
    with pytest.raises(InvalidSuppression):
        export_suppressions(organisation=organisation, actor=None, reason="spam")

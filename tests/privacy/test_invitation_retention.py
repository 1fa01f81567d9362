"""Retention of invitation lists: membership values soon after the event, the invitees (with their
links) on the day the event's registrations are anonymised, the funnel's figures kept as counts,
and the do-not-mail list left alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppress
from frukost.core.models import AuditLog
from frukost.events.services import create_series
from frukost.invitations.models import InvitationLink, InvitationList, Invitee
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.privacy.retention import run_retention
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


def make_list(organisation, *, event=None, series=None, name="Chefer i Sundsvall") -> InvitationList:
    return InvitationList.objects.create(organisation=organisation, event=event, series=series, name=name)


def invitee(invitation_list, email, **values) -> Invitee:
    defaults = {"first_name": "Anna", "last_name": "Svensson", "workplace": "Sundsvalls kommun"}
    return Invitee.objects.create(invitation_list=invitation_list, email=email, **(defaults | values))


@pytest.fixture
def funnel(event):
    """A list of five for the event: invited all, two opened, one registered, one declined, one
    unsubscribed, one a member (membership from the register), each with an invitation link."""
    when = stockholm(2029, 4, 20, 9)
    invitation_list = make_list(event.organisation, event=event)
    registration = register(event=event, person=make_person("anna@example.se")).registration
    rows = [
        invitee(invitation_list, "anna@example.se", membership="member", opened_at=when,
                registration=registration, registered_at=when),
        invitee(invitation_list, "bo@example.se", opened_at=when, declined_at=when),
        invitee(invitation_list, "cia@example.se", unsubscribed_at=when, reminded_at=when),
        invitee(invitation_list, "dan@example.se", reminded_at=when),
        invitee(invitation_list, "eva@example.se"),
    ]  # fmt: skip
    Invitee.objects.filter(invitation_list=invitation_list).update(invited_at=when)
    for number, row in enumerate(rows):
        InvitationLink.objects.create(invitee=row, purpose="invite", token_hash=f"{number:064d}")
        OutboxMessage.objects.create(
            kind=MailKind.INVITATION,
            to=row.email,
            subject="Inbjudan",
            status=MessageStatus.SENT,
            ref_id=row.pk,
        )
    suppress(organisation=event.organisation, email="cia@example.se", reason="unsubscribed")
    return invitation_list


def test_membership_values_go_on_the_membership_day_and_nothing_else(funnel):
    run_retention(today=dt.date(2029, 6, 14))
    assert Invitee.objects.exclude(membership="").count() == 1

    report = run_retention(today=dt.date(2029, 6, 15))

    assert Invitee.objects.exclude(membership="").count() == 0
    assert Invitee.objects.count() == 5
    assert report.invitations == {funnel.organisation_id: {"invitee_membership": 1}}
    funnel.refresh_from_db()
    assert funnel.membership_erased_at is not None and funnel.invitees_erased_at is None


def test_invitees_and_their_links_go_with_the_registrations_and_the_funnel_stays(funnel, event):
    run_retention(today=dt.date(2030, 5, 15))
    assert Invitee.objects.count() == 5

    report = run_retention(today=dt.date(2030, 5, 16))

    assert (Invitee.objects.count(), InvitationLink.objects.count()) == (0, 0)
    assert report.invitations == {funnel.organisation_id: {"invitees": 5}}
    funnel.refresh_from_db()
    figures = (
        funnel.erased_invitees, funnel.erased_invited, funnel.erased_opened, funnel.erased_registered,
        funnel.erased_waitlisted, funnel.erased_declined, funnel.erased_reminded, funnel.erased_unsubscribed,
    )  # fmt: skip
    assert figures == (5, 5, 2, 1, 0, 1, 2, 1)
    assert funnel.invitees_erased_at is not None
    # The invitation mails about them name nobody any more.
    assert set(OutboxMessage.objects.filter(kind=MailKind.INVITATION).values_list("to", "subject")) == {
        ("", "")
    }
    # The objection outlives everything else: address and reason only.
    assert list(Suppression.objects.values_list("email", "reason")) == [("cia@example.se", "unsubscribed")]
    entry = AuditLog.objects.filter(action="retention.ran", organisation_id=funnel.organisation_id).latest(
        "id"
    )
    assert entry.data["invitees"] == 5


def test_a_second_run_changes_nothing_and_a_dry_run_only_counts(funnel):
    dry = run_retention(today=dt.date(2030, 5, 16), dry_run=True)
    assert dry.invitations == {funnel.organisation_id: {"invitee_membership": 1, "invitees": 5}}
    assert Invitee.objects.count() == 5

    run_retention(today=dt.date(2030, 5, 16))
    again = run_retention(today=dt.date(2030, 5, 17))

    assert again.invitations == {}
    funnel.refresh_from_db()
    assert funnel.erased_invitees == 5


def test_the_organisations_periods_count(funnel, organisation):
    organisation.retain_identity_months = 1
    organisation.retain_membership_days = 90
    organisation.save()

    report = run_retention(today=dt.date(2029, 6, 16))

    assert report.invitations == {organisation.pk: {"invitee_membership": 1, "invitees": 5}}


def test_a_series_list_is_kept_until_a_year_after_its_last_event(organisation, event_factory):
    series = create_series(organisation=organisation, name="Chefsfrukost i Norrland")
    event_factory(series=series)  # 16 May 2029
    later = event_factory(
        series=series, starts_at=stockholm(2029, 9, 12, 8), ends_at=stockholm(2029, 9, 12, 9, 30)
    )
    invitation_list = make_list(organisation, series=series)
    invitee(invitation_list, "anna@example.se")

    assert run_retention(today=dt.date(2030, 5, 16)).invitations == {}
    report = run_retention(today=later.ends_at.date().replace(year=2030))

    assert report.invitations == {organisation.pk: {"invitees": 1}}
    assert Invitee.objects.count() == 0


def test_a_series_list_keeps_its_membership_values_while_an_event_is_still_to_come(
    organisation, event_factory
):
    series = create_series(organisation=organisation, name="Chefsfrukost i Norrland")
    event_factory(series=series)  # 16 May 2029: its membership day is 15 June
    event_factory(series=series, starts_at=stockholm(2029, 9, 12, 8), ends_at=stockholm(2029, 9, 12, 9, 30))
    invitee(make_list(organisation, series=series), "anna@example.se", membership="member")

    assert run_retention(today=dt.date(2029, 6, 15)).invitations == {}
    assert run_retention(today=dt.date(2029, 10, 12)).invitations == {
        organisation.pk: {"invitee_membership": 1}
    }
    assert Invitee.objects.filter(membership="").count() == 1


def test_after_the_identity_date_the_database_holds_nothing_of_the_invitees_but_the_objection(event):
    from tests.privacy.test_retention_markers import dump_database

    invitation_list = make_list(event.organisation, event=event, name="Lista")
    fields = ("first_name", "last_name", "workplace", "job_title", "region")
    for person in ("anna", "bo"):
        row = invitee(
            invitation_list,
            f"zq{person}mailxq@example.se",
            **{name: f"zq{person}{name.replace('_', '')}xq" for name in fields},
            membership="member",
            unsubscribed_at=stockholm(2029, 4, 20, 9) if person == "bo" else None,
        )
        InvitationLink.objects.create(
            invitee=row, purpose="invite", token_hash=f"zq{person}tokenxq".ljust(64, "x")
        )
        OutboxMessage.objects.create(
            kind=MailKind.INVITATION,
            to=row.email,
            subject=f"zq{person}subjectxq",
            status=MessageStatus.SENT,
            ref_id=row.pk,
        )
    suppress(organisation=event.organisation, email="zqbomailxq@example.se", reason="unsubscribed")
    # Six fields of each person, their invitation mails' subjects and their links' hashes.
    assert len(set(re.findall(r"zq\w+?xq", dump_database()))) == 16

    run_retention(today=dt.date(2030, 5, 16))

    left = set(re.findall(r"zq\w+?xq", dump_database()))
    assert left == {"zqbomailxq"}  # the address on the do-not-mail list, with its reason: nothing else

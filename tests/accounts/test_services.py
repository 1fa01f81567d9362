"""Members and invitations: the rules live in accounts.services."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from frukost.accounts import services
from frukost.accounts.enums import Role
from frukost.accounts.exceptions import (
    AccountExists,
    AlreadyMember,
    InvalidInput,
    InvitationInvalid,
    LastOwner,
    NotAllowed,
)
from frukost.accounts.models import MemberInvitation, OrganisationMember
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "ett-annat-langt-losenord"


def _token(sent) -> str:
    return sent.link.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def owner(staff_factory):
    return staff_factory("owner", "agare@example.se")


def _member(user, organisation) -> OrganisationMember:
    return OrganisationMember.objects.get(user=user, organisation=organisation)


# --- invite_member ----------------------------------------------------------------------------


def test_invite_member_stores_only_the_hash_and_expires_after_the_setting(
    organisation, owner, frozen, settings
):
    settings.FRUKOST_MEMBER_INVITATION_DAYS = 7
    now = frozen("2029-04-02 10:00")

    sent = services.invite_member(
        organisation=organisation, email=" Ny@Example.se ", role=Role.ORGANISER, actor=owner
    )

    invitation = MemberInvitation.objects.get()
    token = _token(sent)
    assert (invitation.email, invitation.role, invitation.invited_by) == ("ny@example.se", "organiser", owner)
    assert invitation.expires_at == now + dt.timedelta(days=7)
    assert token not in invitation.token_hash
    assert len(token) == 32  # 192 bits, base64url


def test_invite_member_mails_the_link_with_the_facts_and_nothing_else(organisation, owner, frozen):
    frozen("2029-04-02 10:00")

    with translation.override("sv"):
        sent = services.invite_member(
            organisation=organisation, email="ny@example.se", role="door", actor=owner
        )

    message = OutboxMessage.objects.get()
    assert (message.kind, message.to) == (MailKind.MEMBER_INVITATION, "ny@example.se")
    assert message.subject == "Inbjudan till Akademikerförbundet SSR:s arrangörsverktyg"
    for expected in [
        "agare@example.se",
        "Akademikerförbundet SSR",
        "entrévärd",
        "måndag 9 april 2029",
        sent.link,
    ]:
        assert expected in message.body_text
        assert expected in message.body_html
    assert message.rendered_at is not None  # composed when queued


def test_invite_member_composes_in_the_inviters_language(organisation, owner, frozen):
    frozen("2029-04-02 10:00")

    with translation.override("en"):
        services.invite_member(
            organisation=organisation, email="ny@example.se", role="organiser", actor=owner
        )

    message = OutboxMessage.objects.get()
    assert message.subject == "Invitation to Akademikerförbundet SSR's back office"
    assert "Monday 9 April 2029" in message.body_text
    assert "organiser (events, registrations, messages and exports)" in message.body_text


def test_invite_member_again_replaces_the_pending_link(organisation, owner):
    first = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    second = services.invite_member(
        organisation=organisation, email="ny@example.se", role="owner", actor=owner
    )

    with pytest.raises(InvitationInvalid) as refused:
        services.find_invitation(_token(first))
    assert refused.value.reason == "withdrawn"
    assert services.find_invitation(_token(second)).role == "owner"
    assert list(services.pending_invitations(organisation)) == [second.invitation]


def test_invite_member_refuses_an_existing_member(organisation, owner, staff_factory):
    staff_factory("organiser", "finns@example.se")

    with pytest.raises(AlreadyMember) as refused:
        services.invite_member(organisation=organisation, email="FINNS@example.se", role="door", actor=owner)

    assert str(refused.value) == "finns@example.se är redan medlem i Akademikerförbundet SSR."
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("inte-en-adress", "organiser", "email"), ("ny@example.se", "admin", "role")],
)
def test_invite_member_validates_its_input(organisation, owner, email, role, field):
    with pytest.raises(InvalidInput) as refused:
        services.invite_member(organisation=organisation, email=email, role=role, actor=owner)

    assert list(refused.value.errors) == [field]


def test_invite_member_refuses_another_organisations_events(organisation, owner):
    other = Organisation.objects.create(name="Vision", slug="vision")
    from tests.conftest import stockholm

    theirs = other.events.create(
        slug="x", title="X", starts_at=stockholm(2029, 5, 1, 8), ends_at=stockholm(2029, 5, 1, 9), capacity=5
    )

    with pytest.raises(InvalidInput) as refused:
        services.invite_member(
            organisation=organisation, email="ny@example.se", role="door", actor=owner, events=[theirs]
        )

    assert list(refused.value.errors) == ["events"]


def test_invite_member_is_for_owners_only(organisation, staff_factory):
    organiser = staff_factory("organiser")

    with pytest.raises(NotAllowed):
        services.invite_member(
            organisation=organisation, email="ny@example.se", role="owner", actor=organiser
        )


def test_invite_member_is_audited_without_the_address(organisation, owner):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    entry = AuditLog.objects.get(action="member.invited")
    assert (entry.actor, entry.data["invitation_id"], entry.data["role"]) == (
        owner,
        sent.invitation.pk,
        "organiser",
    )
    assert "ny@example.se" not in str(entry.data)


# --- accept_invitation ------------------------------------------------------------------------


def test_accept_invitation_makes_a_new_person_a_member_with_the_role(organisation, owner, event):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="door", actor=owner, events=[event]
    )

    member = services.accept_invitation(token=_token(sent), password=PASSWORD)

    assert (member.user.email, member.role, list(member.events.all())) == ("ny@example.se", "door", [event])
    assert member.user.check_password(PASSWORD)
    assert member.user.password.startswith("argon2")
    sent.invitation.refresh_from_db()
    assert sent.invitation.accepted_at is not None


def test_accept_invitation_checks_the_password_with_djangos_validators(organisation, owner):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    with pytest.raises(InvalidInput) as refused:
        services.accept_invitation(token=_token(sent), password="kort")

    assert list(refused.value.errors) == ["password"]
    assert get_user_model().objects.filter(email="ny@example.se").count() == 0


def test_accept_invitation_asks_a_person_with_an_account_to_sign_in(organisation, owner, staff_factory):
    other = Organisation.objects.create(name="Vision", slug="vision")
    user = staff_factory("organiser", "finns@example.se", of=other)
    sent = services.invite_member(
        organisation=organisation, email="finns@example.se", role="door", actor=owner
    )

    with pytest.raises(AccountExists):
        services.accept_invitation(token=_token(sent), password=PASSWORD)
    member = services.accept_invitation(token=_token(sent), user=user)

    assert (member.organisation, member.role) == (organisation, "door")
    assert sorted(m.organisation.slug for m in user.memberships.all()) == [
        "akademikerforbundet-ssr",
        "vision",
    ]


def test_accept_invitation_refuses_a_signed_in_person_with_another_address(
    organisation, owner, staff_factory
):
    stranger = staff_factory(
        "organiser", "annan@example.se", of=Organisation.objects.create(name="V", slug="v")
    )
    sent = services.invite_member(organisation=organisation, email="ny@example.se", role="owner", actor=owner)

    with pytest.raises(InvitationInvalid) as refused:
        services.accept_invitation(token=_token(sent), user=stranger)

    assert refused.value.reason == "other_account"
    assert not OrganisationMember.objects.filter(user=stranger, organisation=organisation).exists()


@pytest.mark.parametrize("reason", ["expired", "withdrawn", "used", "unknown"])
def test_accept_invitation_refuses_a_link_that_no_longer_works(organisation, owner, time_machine, reason):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )
    token = _token(sent)
    if reason == "expired":
        time_machine.move_to(timezone.now() + dt.timedelta(days=7, seconds=1))
    elif reason == "withdrawn":
        services.withdraw_invitation(invitation=sent.invitation, actor=owner)
    elif reason == "used":
        services.accept_invitation(token=token, password=PASSWORD)
    else:
        token = "not-a-token"

    with pytest.raises(InvitationInvalid) as refused:
        services.accept_invitation(token=token, password=PASSWORD + "2")

    assert refused.value.reason == reason


def test_withdraw_invitation_is_audited(organisation, owner):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    services.withdraw_invitation(invitation=sent.invitation, actor=owner)

    assert list(
        AuditLog.objects.filter(action="member.invitation_withdrawn").values_list("actor", flat=True)
    ) == [owner.pk]


# --- roles, door events, removal --------------------------------------------------------------


def test_change_role_refuses_to_demote_the_last_owner(organisation, owner):
    with pytest.raises(LastOwner) as refused:
        services.change_role(member=_member(owner, organisation), role="organiser", actor=owner)

    assert (
        str(refused.value)
        == "Akademikerförbundet SSR behöver minst en ägare. Gör någon annan till ägare först."
    )
    assert _member(owner, organisation).role == "owner"


def test_change_role_demotes_an_owner_when_another_remains(organisation, owner, staff_factory):
    second = staff_factory("owner")

    member = services.change_role(member=_member(second, organisation), role="organiser", actor=owner)

    assert member.role == "organiser"
    assert (
        AuditLog.objects.filter(action="member.role_changed", actor=owner).last().data["previous_role"]
        == "owner"
    )


def test_change_role_from_door_clears_the_door_events(organisation, owner, staff_factory, event):
    door = _member(staff_factory("door", events=[event]), organisation)

    services.change_role(member=door, role="organiser", actor=owner)

    assert list(door.events.all()) == []


def test_set_door_events_replaces_the_events(organisation, owner, staff_factory, event_factory):
    first, second = event_factory(), event_factory()
    door = _member(staff_factory("door", events=[first]), organisation)

    services.set_door_events(member=door, events=[second], actor=owner)

    assert list(door.events.all()) == [second]


def test_set_door_events_is_only_for_door_staff(organisation, owner, staff_factory, event):
    organiser = _member(staff_factory("organiser"), organisation)

    with pytest.raises(InvalidInput):
        services.set_door_events(member=organiser, events=[event], actor=owner)


def test_remove_member_refuses_the_last_owner(organisation, owner):
    with pytest.raises(LastOwner):
        services.remove_member(member=_member(owner, organisation), actor=owner)

    assert OrganisationMember.objects.filter(user=owner).count() == 1


def test_remove_member_keeps_the_account_and_audits(organisation, owner, staff_factory):
    organiser = staff_factory("organiser")

    services.remove_member(member=_member(organiser, organisation), actor=owner)

    assert list(OrganisationMember.objects.filter(user=organiser)) == []
    assert get_user_model().objects.filter(pk=organiser.pk).exists()
    assert AuditLog.objects.filter(action="member.removed", actor=owner).count() == 1


def test_changes_to_members_are_for_owners_only(organisation, staff_factory):
    organiser = staff_factory("organiser")
    door = _member(staff_factory("door"), organisation)

    with pytest.raises(NotAllowed):
        services.change_role(member=door, role="owner", actor=organiser)
    with pytest.raises(NotAllowed):
        services.remove_member(member=door, actor=organiser)


def _demote_each_other_at_once(organisation, first, second, monkeypatch):
    """Two owners demote each other at the same moment; a pause widens the race window."""
    import time

    from django.db import connection

    original = services._refuse_if_last_owner

    def slow_check(member):
        original(member)
        time.sleep(0.3)  # between the check and the write

    monkeypatch.setattr(services, "_refuse_if_last_owner", slow_check)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(actor, target, name):
        try:
            barrier.wait(timeout=10)
            services.change_role(member=_member(target, organisation), role="organiser", actor=actor)
            outcomes[name] = "demoted"
        except LastOwner:
            outcomes[name] = "last owner"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second, "first")),
        threading.Thread(target=demote, args=(second, first, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(organisation, staff_factory, monkeypatch):
    first, second = staff_factory("owner"), staff_factory("owner")

    outcomes = _demote_each_other_at_once(organisation, first, second, monkeypatch)

    assert sorted(outcomes.values()) == ["demoted", "last owner"]
    assert OrganisationMember.objects.filter(organisation=organisation, role="owner").count() == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_both_demotions_win(organisation, staff_factory, monkeypatch):
    """Proves the test above can fail: without select_for_update both owners are demoted.

    Only on PostgreSQL: SQLite's IMMEDIATE transactions serialise writers on their own.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE; the lock cannot be removed there")
    first, second = staff_factory("owner"), staff_factory("owner")

    def unlocked(member):
        memberships = list(OrganisationMember.objects.filter(organisation_id=member.organisation_id))
        fresh = next(m for m in memberships if m.pk == member.pk)
        fresh.organisation, fresh._locked_memberships = member.organisation, memberships
        return fresh

    monkeypatch.setattr(services, "_locked", unlocked)

    outcomes = _demote_each_other_at_once(organisation, first, second, monkeypatch)

    assert outcomes == {"first": "demoted", "second": "demoted"}
    assert OrganisationMember.objects.filter(organisation=organisation, role="owner").count() == 0


# --- update_organisation ----------------------------------------------------------------------


def test_update_organisation_saves_the_settings_and_audits_the_fields(organisation, owner):
    services.update_organisation(
        organisation=organisation,
        actor=owner,
        name="Akademikerförbundet SSR Norr",
        colour="#1A5E63",
        website="https://akademssr.se/",
        membership_question="Är du medlem i SSR?",
        privacy_contact="Dataskydd@akademssr.se",
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.colour, organisation.privacy_contact) == (
        "Akademikerförbundet SSR Norr",
        "#1a5e63",
        "dataskydd@akademssr.se",
    )
    assert AuditLog.objects.get(action="organisation.updated").data["fields"] == [
        "colour",
        "membership_question",
        "name",
        "privacy_contact",
        "website",
    ]


def test_update_organisation_validates_every_field(organisation, owner):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.update_organisation(
            organisation=organisation,
            actor=owner,
            name=" ",
            colour="red",
            website="akademssr",
            membership_question="x" * 201,
            privacy_contact="inte en adress",
        )

    assert sorted(refused.value.errors) == [
        "colour",
        "membership_question",
        "name",
        "privacy_contact",
        "website",
    ]
    assert refused.value.errors["colour"] == ["Give the colour as #rrggbb, for example #6a1b4d."]


def test_update_organisation_is_for_owners_only(organisation, staff_factory):
    organiser = staff_factory("organiser")

    with pytest.raises(NotAllowed):
        services.update_organisation(
            organisation=organisation, actor=organiser, name="Annat", colour="#000000"
        )


def test_invitation_link_has_the_token_in_the_path(organisation, owner):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    assert re.fullmatch(r"http://testserver/backoffice/inbjudan/[A-Za-z0-9_-]{32}/", sent.link)

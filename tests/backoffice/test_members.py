"""The owner's member pages, the settings page and the invitation link's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frukost.accounts import services
from frukost.accounts.models import MemberInvitation, OrganisationMember
from frukost.events.models import Organisation
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "ett-annat-langt-losenord"


@pytest.fixture
def owner(staff_factory):
    return staff_factory("owner", "agare@example.se")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _url(name, organisation, *args):
    return reverse(f"backoffice:{name}", args=[organisation.slug, *args])


def _member(user, organisation):
    return OrganisationMember.objects.get(user=user, organisation=organisation)


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _token(sent) -> str:
    return sent.link.rstrip("/").rsplit("/", 1)[-1]


# --- the member list ------------------------------------------------------------------------


def test_member_list_shows_role_two_factor_since_and_door_events(
    owner_client, organisation, staff_factory, event
):
    staff_factory("door", "dorr@example.se", events=[event])
    staff_factory(
        "organiser", "annan@example.se", of=Organisation.objects.create(name="Vision", slug="vision")
    )

    response = owner_client.get(_url("members", organisation))

    text = _text(response)
    assert response.status_code == 200
    assert [m.user.email for m in response.context["members"]] == ["agare@example.se", "dorr@example.se"]
    assert "agare@example.se (du) Ägare På" in text
    assert "dorr@example.se Entrévärd Av" in text
    assert "Chefsfrukost: Leda med tillit" in text
    assert "annan@example.se" not in text


def test_member_list_shows_pending_invitations_with_their_expiry(client, organisation, owner, frozen):
    frozen("2029-04-02 10:00")
    client.force_login(owner)
    services.invite_member(organisation=organisation, email="ny@example.se", role="organiser", actor=owner)
    withdrawn = services.invite_member(
        organisation=organisation, email="borta@example.se", role="door", actor=owner
    )
    services.withdraw_invitation(invitation=withdrawn.invitation, actor=owner)

    response = client.get(_url("members", organisation))

    assert [i.email for i in response.context["invitations"]] == ["ny@example.se"]
    assert "ny@example.se Arrangör agare@example.se måndag 9 april 2029" in _text(response)


@pytest.mark.parametrize("count", [1, 3])
def test_member_list_query_count_stays_flat(owner_client, organisation, owner, staff_factory, event, count):
    for number in range(count):
        staff_factory("door", f"dorr{number}@example.se", events=[event])
        services.invite_member(
            organisation=organisation, email=f"ny{number}@example.se", role="door", actor=owner
        )

    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(_url("members", organisation))

    assert response.status_code == 200
    assert len(queries) == 10


def test_member_pages_are_for_owners_only(client, organisation, staff_factory):
    client.force_login(staff_factory("organiser"))

    assert client.get(_url("members", organisation)).status_code == 403
    assert client.get(_url("member-invite", organisation)).status_code == 403
    assert client.get(_url("organisation-settings", organisation)).status_code == 403


# --- inviting -------------------------------------------------------------------------------


def test_an_owner_invites_a_local_representative_and_changes_someones_role_to_it(
    owner_client, organisation, staff_factory, event
):
    form = _text(owner_client.get(_url("member-invite", organisation)))
    assert "Lokalombud: bara de som bett att bli kontaktade" in form

    owner_client.post(
        _url("member-invite", organisation), {"email": "ombud@example.se", "role": "representative"}
    )
    organiser = _member(staff_factory("organiser"), organisation)
    owner_client.post(_url("member-edit", organisation, organiser.pk), {"role": "representative"})

    invitation = MemberInvitation.objects.get()
    assert (invitation.role, list(invitation.events.all())) == ("representative", [])
    assert (
        "lokalombud (de som efter ett evenemang bett att bli kontaktade)"
        in OutboxMessage.objects.get().body_text
    )
    organiser.refresh_from_db()
    assert organiser.role == "representative"
    assert "Lokalombud" in _text(owner_client.get(_url("members", organisation)))


def test_invite_sends_the_invitation_and_returns_to_the_list(owner_client, organisation, event):
    response = owner_client.post(
        _url("member-invite", organisation), {"email": "ny@example.se", "role": "door", "events": [event.pk]}
    )

    invitation = MemberInvitation.objects.get()
    assert response["Location"] == _url("members", organisation)
    assert (invitation.email, invitation.role, list(invitation.events.all())) == (
        "ny@example.se",
        "door",
        [event],
    )
    assert list(OutboxMessage.objects.values_list("kind", "to")) == [
        (MailKind.MEMBER_INVITATION, "ny@example.se")
    ]
    assert "Inbjudan är på väg till ny@example.se." in _text(owner_client.get(response["Location"]))


def test_invite_refuses_an_existing_member_with_a_clear_message(owner_client, organisation):
    response = owner_client.post(
        _url("member-invite", organisation), {"email": "agare@example.se", "role": "owner"}
    )

    assert response.status_code == 400
    assert "agare@example.se är redan medlem i Akademikerförbundet SSR." in _text(response)
    assert OutboxMessage.objects.count() == 0


def test_invite_form_errors_are_in_swedish(owner_client, organisation):
    response = owner_client.post(
        _url("member-invite", organisation), {"email": "inte-en-adress", "role": "x"}
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["email", "role"]


def test_invite_never_offers_another_organisations_events(owner_client, organisation, event):
    other = Organisation.objects.create(name="Vision", slug="vision")
    theirs = other.events.create(
        slug="x", title="Visions frukost", starts_at=event.starts_at, ends_at=event.ends_at, capacity=5
    )

    page = owner_client.get(_url("member-invite", organisation))
    posted = owner_client.post(
        _url("member-invite", organisation), {"email": "ny@example.se", "role": "door", "events": [theirs.pk]}
    )

    assert list(page.context["form"].fields["events"].queryset) == [event]
    assert posted.status_code == 400
    assert MemberInvitation.objects.count() == 0


# --- changing and removing ------------------------------------------------------------------


def test_member_edit_changes_the_role_and_door_events(owner_client, organisation, staff_factory, event):
    organiser = _member(staff_factory("organiser"), organisation)

    response = owner_client.post(
        _url("member-edit", organisation, organiser.pk), {"role": "door", "events": [event.pk]}
    )

    organiser.refresh_from_db()
    assert response["Location"] == _url("members", organisation)
    assert (organiser.role, list(organiser.events.all())) == ("door", [event])


def test_member_edit_refuses_to_demote_the_last_owner(owner_client, organisation, owner):
    response = owner_client.post(
        _url("member-edit", organisation, _member(owner, organisation).pk), {"role": "door"}
    )

    assert response.status_code == 400
    assert "Akademikerförbundet SSR behöver minst en ägare." in _text(response)
    assert _member(owner, organisation).role == "owner"


def test_owner_who_demotes_themself_goes_home(owner_client, organisation, owner, staff_factory):
    staff_factory("owner")

    response = owner_client.post(
        _url("member-edit", organisation, _member(owner, organisation).pk), {"role": "organiser"}
    )

    assert response["Location"] == reverse("backoffice:home")


def test_member_remove_asks_first_then_removes(owner_client, organisation, staff_factory):
    door = _member(staff_factory("door", "dorr@example.se"), organisation)
    url = _url("member-remove", organisation, door.pk)

    page = owner_client.get(url)
    removed = owner_client.post(url, {"confirm": "yes"})

    assert page.status_code == 200
    assert "Ta bort dorr@example.se?" in _text(page)
    assert OrganisationMember.objects.filter(pk=door.pk).exists() is False
    assert removed["Location"] == _url("members", organisation)


def test_member_remove_refuses_the_last_owner(owner_client, organisation, owner):
    response = owner_client.post(_url("member-remove", organisation, _member(owner, organisation).pk))

    assert response["Location"] == _url("members", organisation)
    assert "behöver minst en ägare" in _text(owner_client.get(response["Location"]))
    assert _member(owner, organisation).role == "owner"


def test_invitation_withdraw_asks_first_then_withdraws(owner_client, organisation, owner):
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )
    url = _url("invitation-withdraw", organisation, sent.invitation.pk)

    page = owner_client.get(url)
    withdrawn = owner_client.post(url)

    sent.invitation.refresh_from_db()
    assert page.status_code == 200
    assert withdrawn["Location"] == _url("members", organisation)
    assert sent.invitation.revoked_at is not None


def test_get_changes_nothing(owner_client, organisation, owner, staff_factory):
    door = _member(staff_factory("door"), organisation)
    sent = services.invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=owner
    )

    owner_client.get(_url("member-remove", organisation, door.pk))
    owner_client.get(_url("invitation-withdraw", organisation, sent.invitation.pk))

    assert OrganisationMember.objects.filter(pk=door.pk).exists()
    assert services.find_invitation(_token(sent)) == sent.invitation


# --- the organisation's settings ------------------------------------------------------------


def test_organisation_settings_saves(owner_client, organisation):
    response = owner_client.post(
        _url("organisation-settings", organisation),
        {
            "name": "Akademikerförbundet SSR",
            "colour": "#1a5e63",
            "website": "https://akademssr.se/",
            "membership_question": "",
            "privacy_contact": "dataskydd@akademssr.se",
        },
    )

    organisation.refresh_from_db()
    assert response["Location"] == _url("organisation-settings", organisation)
    assert (organisation.colour, organisation.privacy_contact) == ("#1a5e63", "dataskydd@akademssr.se")


def test_organisation_settings_explains_bad_input(owner_client, organisation):
    response = owner_client.post(
        _url("organisation-settings", organisation), {"name": "SSR", "colour": "röd", "website": "akademssr"}
    )

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["colour", "website"]
    assert "Ange färgen som #rrggbb, till exempel #6a1b4d." in _text(response)


# --- accepting an invitation ----------------------------------------------------------------


@pytest.fixture
def invite(organisation, owner):
    def make(email="ny@example.se", role="organiser", **kwargs):
        sent = services.invite_member(
            organisation=organisation, email=email, role=role, actor=owner, **kwargs
        )
        return reverse("backoffice:invitation-accept", args=[_token(sent)])

    return make


def test_invitation_page_shows_the_invitation_and_a_password_form(client, invite):
    response = client.get(invite())

    text = _text(response)
    assert response.status_code == 200
    assert "Gå med i Akademikerförbundet SSR" in text
    assert "agare@example.se har bjudit in dig" in text
    assert "ny@example.se" in text
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "no-referrer"
    assert MemberInvitation.objects.get().accepted_at is None  # opening the link accepts nothing


def test_accepting_as_a_new_organiser_signs_in_and_goes_to_two_factor(client, invite, organisation):
    url = invite(role="organiser")

    response = client.post(url, {"password": PASSWORD, "password_again": PASSWORD})

    member = OrganisationMember.objects.get(user__email="ny@example.se")
    assert response["Location"] == reverse("mfa_activate_totp")
    assert (member.organisation, member.role) == (organisation, "organiser")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200  # no second password prompt


def test_accepting_as_new_door_staff_lands_on_the_events(client, invite, organisation, event):
    response = client.post(
        invite(role="door", events=[event]), {"password": PASSWORD, "password_again": PASSWORD}
    )

    assert response["Location"] == _url("events", organisation)
    assert client.get(response["Location"]).status_code == 200


def test_accepting_checks_the_password(client, invite):
    url = invite()

    mismatch = client.post(url, {"password": PASSWORD, "password_again": PASSWORD + "x"})
    weak = client.post(url, {"password": "password", "password_again": "password"})

    assert (mismatch.status_code, weak.status_code) == (400, 400)
    assert "De två lösenorden skiljer sig åt." in _text(mismatch)
    assert list(weak.context["form"].errors) == ["password"]
    assert OrganisationMember.objects.filter(user__email="ny@example.se").exists() is False


def test_a_person_with_an_account_signs_in_first_then_accepts(client, invite, staff_factory, organisation):
    other = Organisation.objects.create(name="Vision", slug="vision")
    user = staff_factory("organiser", "finns@example.se", of=other)
    url = invite(email="finns@example.se", role="door")

    anonymous = client.get(url)
    client.force_login(user)
    signed_in = client.get(url)
    accepted = client.post(url)

    assert "Logga in för att tacka ja" in _text(anonymous)
    assert anonymous.context["login_url"] == reverse("account_login") + "?next=" + url.replace("/", "%2F")
    assert signed_in.context["form"] is None
    assert accepted["Location"] == _url("events", organisation)
    assert _member(user, organisation).role == "door"


def test_a_person_signed_in_with_another_address_cannot_accept(client, invite, staff_factory, organisation):
    stranger = staff_factory(
        "organiser", "annan@example.se", of=Organisation.objects.create(name="V", slug="v")
    )
    url = invite(email="ny@example.se")
    client.force_login(stranger)

    response = client.post(url)

    assert response.status_code == 400
    assert "Du är inloggad som annan@example.se" in _text(response)
    assert OrganisationMember.objects.filter(organisation=organisation, user=stranger).exists() is False


def test_an_unknown_invitation_link_is_not_found(client):
    response = client.get(reverse("backoffice:invitation-accept", args=["inte-en-riktig-lank"]))

    assert response.status_code == 404
    assert "Inbjudningslänken fungerar inte" in _text(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_expired_invitation_link_is_gone(client, invite, time_machine):
    url = invite()
    time_machine.move_to(timezone.now() + dt.timedelta(days=8))

    response = client.get(url)

    assert response.status_code == 410
    assert "Inbjudan har gått ut." in _text(response)


def test_a_used_invitation_link_is_gone(client, invite):
    url = invite()
    client.post(url, {"password": PASSWORD, "password_again": PASSWORD})
    client.logout()

    response = client.get(url)

    assert response.status_code == 410


def test_an_empty_invitation_form_explains_what_is_missing(owner_client, organisation):
    response = owner_client.post(_url("member-invite", organisation))

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["email", "role"]


def test_member_edit_with_another_organisations_event_changes_nothing(
    owner_client, organisation, staff_factory
):
    other = Organisation.objects.create(name="Vision", slug="vision")
    from tests.conftest import stockholm

    theirs = other.events.create(
        slug="x", title="X", starts_at=stockholm(2029, 5, 1, 8), ends_at=stockholm(2029, 5, 1, 9), capacity=5
    )
    organiser = _member(staff_factory("organiser"), organisation)

    response = owner_client.post(
        _url("member-edit", organisation, organiser.pk), {"role": "door", "events": [theirs.pk]}
    )

    organiser.refresh_from_db()
    assert response.status_code == 400
    assert (organiser.role, list(organiser.events.all())) == ("organiser", [])


def test_invitation_page_reads_well_in_english(client, invite, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = _text(client.get(invite(role="door")))

    assert "Join Akademikerförbundet SSR" in text
    assert "agare@example.se has invited you to Akademikerförbundet SSR's back office." in text
    assert "Door staff (the check-in list of the events you are given)" in text
    assert "Accept and create my account" in text

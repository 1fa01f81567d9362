"""`frukost invite-owner`: an operator gives a new organisation its first owner."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from frukost.accounts.models import MemberInvitation
from frukost.accounts.services import accept_invitation
from frukost.events.models import Organisation
from frukost.mail.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_invite_owner_creates_the_organisation_and_mails_a_working_link():
    output = StringIO()

    call_command("invite_owner", "vision", "Agnes@Example.se", "--name", "Vision", stdout=output)

    organisation = Organisation.objects.get(slug="vision")
    invitation = MemberInvitation.objects.get()
    link = re.search(r"https?://\S+/backoffice/inbjudan/(\S+)/", output.getvalue())
    assert (organisation.name, invitation.email, invitation.role) == ("Vision", "agnes@example.se", "owner")
    assert list(OutboxMessage.objects.values_list("kind", "to")) == [
        ("member_invitation", "agnes@example.se")
    ]
    member = accept_invitation(token=link.group(1), password="ett-eget-langt-losenord")
    assert (member.organisation, member.role) == (organisation, "owner")


def test_invite_owner_of_an_organisation_that_does_not_exist_needs_its_name():
    with pytest.raises(CommandError, match="give --name"):
        call_command("invite_owner", "vision", "agnes@example.se")

    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("slug", "email", "message"),
    [("admin", "agnes@example.se", "used by the site itself"), ("vision", "not-an-address", "e-mail")],
)
def test_invite_owner_refuses_bad_input_with_one_line_and_saves_nothing(slug, email, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match=message):
        call_command("invite_owner", slug, email, "--name", "Vision", "--language", "en")

    assert (Organisation.objects.count(), MemberInvitation.objects.count()) == (0, 0)

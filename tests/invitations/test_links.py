"""An invitation's links: random, stored only as hashes in a domain of their own per purpose,
minted as the mail is handed over, discarded with a message that is never delivered."""

from __future__ import annotations

import pytest
from django.db import transaction

from frukost.core.tokens import hash_token
from frukost.invitations.enums import LinkPurpose
from frukost.invitations.links import invitee_for_token, link_for_message, link_hash, mint_link
from frukost.invitations.models import InvitationLink, Invitee
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.mail.renderers import NothingToRender
from frukost.mail.worker import send_due
from frukost.registrations import links as registration_links
from frukost.registrations.enums import LinkPurpose as RegistrationPurpose
from tests.invitations.factories import invitee, make_list, send

pytestmark = pytest.mark.django_db


def test_each_purpose_hashes_in_its_own_domain_apart_from_registrations_links():
    token = "A" * 32
    hashes = {link_hash(token, purpose) for purpose in LinkPurpose}
    hashes |= {registration_links.link_hash(token, purpose) for purpose in RegistrationPurpose}

    assert len(hashes) == len(LinkPurpose) + len(RegistrationPurpose)
    assert hash_token(token) not in {link_hash(token, purpose) for purpose in LinkPurpose}


def test_a_link_opens_only_its_own_purpose(event):
    person = invitee(make_list(event=event, people=["anna@example.se"]), "anna@example.se")
    token = mint_link(person, LinkPurpose.INVITE).split("/i/")[1].split("/")[0]

    assert invitee_for_token(token, LinkPurpose.INVITE) == person
    assert invitee_for_token(token, LinkPurpose.UNSUBSCRIBE) is None
    assert invitee_for_token(token[:-1] + ":", LinkPurpose.INVITE) is None
    [row] = InvitationLink.objects.all()
    assert token not in row.token_hash and row.token_hash == link_hash(token, LinkPurpose.INVITE)


def test_the_hook_needs_the_invitee(event):
    with transaction.atomic():
        message = enqueue(kind=MailKind.INVITATION, to="x@example.se", ref_id=999_999, list_unsubscribe=True)

    with pytest.raises(NothingToRender):
        link_for_message(message, "invite")


def test_a_message_that_fails_takes_its_links_with_it(event, frozen, monkeypatch):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    send(invitation_list)
    from frukost.mail import worker

    def refuse(message, connection):
        worker.personalise_with_images(message)  # the links are minted, then the server refuses
        raise worker.PermanentFailure("554 refused")

    monkeypatch.setattr(worker, "_send", refuse)

    send_due()

    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    assert InvitationLink.objects.count() == 0


def test_a_deleted_invitee_fails_the_message_without_sending(event, frozen, mailoutbox):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    send(invitation_list)
    Invitee.objects.all().delete()

    send_due()

    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    assert mailoutbox == []

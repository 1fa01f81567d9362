"""The follow-up mails: only those who came get the thank-you, only no-shows the "sorry", each
person once per kind, the preview is what is sent, walk-ins without an address are counted."""

from __future__ import annotations

import pytest

from frukost.checkin import attendance
from frukost.core.models import AuditLog
from frukost.followup.enums import FollowUpKind
from frukost.followup.exceptions import AttendanceOpen, NoRecipients, NotSendableNow
from frukost.followup.models import FollowUp, FollowUpRecipient
from frukost.followup.services import audience, default_text, preview_followup, send_followup
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration
from tests.conftest import rendered
from tests.followup.conftest import arrive, seat

pytestmark = pytest.mark.django_db
FOLLOW_UPS = (MailKind.FOLLOWUP_THANKS, MailKind.FOLLOWUP_SORRY)


def outbox_for(address: str):
    return rendered(OutboxMessage.objects.filter(to=address, kind__in=FOLLOW_UPS).order_by("id"))


def _thanks(event, **kwargs):
    return send_followup(event=event, kind=FollowUpKind.THANKS, text=default_text(event, "thanks"), **kwargs)


def test_the_thank_you_goes_only_to_those_who_came(breakfast):
    follow_up = _thanks(breakfast)

    assert follow_up.recipient_count == 2
    assert sorted(
        OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_THANKS).values_list("to", flat=True)
    ) == [
        "anna@example.se",
        "bo@example.se",
    ]
    assert outbox_for("cecilia@example.se") == []
    assert AuditLog.objects.filter(action="followup.sent").count() == 1


def test_the_sorry_goes_only_to_no_shows_and_carries_the_material(breakfast):
    text = default_text(breakfast, "sorry")
    text = type(text)(**{**text.__dict__, "material": "Bilderna: https://example.se/bilder.pdf"})

    send_followup(event=breakfast, kind=FollowUpKind.SORRY, text=text)

    (message,) = outbox_for("cecilia@example.se")
    assert message.subject == "Vi saknade dig: Chefsfrukost: Leda med tillit"
    assert "Material från frukosten:\nBilderna: https://example.se/bilder.pdf" in message.body_text
    assert '<a href="https://example.se/bilder.pdf"' in message.body_html
    assert "/aterkoppling/" not in message.body_text  # no feedback link for those who did not come
    assert "boken" not in message.body_text  # nor "every attendee receives the book"
    assert outbox_for("anna@example.se") == []


def test_no_sorry_before_attendance_is_closed(event_factory, frozen):
    event = event_factory()
    seat(event, "anna@example.se")
    frozen("2029-05-17 10:00")  # the day after, attendance still open

    with pytest.raises(AttendanceOpen):
        audience(event=event, kind=FollowUpKind.SORRY)
    with pytest.raises(AttendanceOpen):
        send_followup(event=event, kind=FollowUpKind.SORRY, text=default_text(event, "sorry"))
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_SORRY).count() == 0


def test_nothing_is_sent_before_the_event_is_over_nor_a_thank_you_with_dead_links(breakfast, frozen):
    text = default_text(breakfast, "thanks")
    for moment in ("2029-05-16 09:00", "2029-06-14 10:00"):  # during the event; links die 30 days after
        frozen(moment)
        with pytest.raises(NotSendableNow):
            preview_followup(event=breakfast, kind="thanks", text=text)
        with pytest.raises(NotSendableNow):
            send_followup(event=breakfast, kind="thanks", text=text)
    frozen("2029-06-14 10:00")
    send_followup(event=breakfast, kind="sorry", text=default_text(breakfast, "sorry"))  # no link in it
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_THANKS).count() == 0
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_SORRY).count() == 1


def test_a_second_send_goes_only_to_those_who_did_not_get_it(breakfast):
    _thanks(breakfast)
    # Attendance reopened for a late correction: Cecilia came after all.
    attendance.reopen_attendance(breakfast, actor=None)
    arrive(breakfast.people["cecilia"])

    assert len(audience(event=breakfast, kind="thanks").recipients) == 1
    second = _thanks(breakfast)

    assert second.recipient_count == 1
    assert [
        m.to for m in OutboxMessage.objects.filter(batch_id=second.pk, kind=MailKind.FOLLOWUP_THANKS)
    ] == ["cecilia@example.se"]
    with pytest.raises(NoRecipients):
        _thanks(breakfast)
    assert FollowUpRecipient.objects.filter(kind="thanks").count() == 3


def test_the_same_send_key_sends_once(breakfast):
    first = _thanks(breakfast, send_key="k" * 32)
    again = _thanks(breakfast, send_key="k" * 32)

    assert again.pk == first.pk
    assert FollowUp.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_THANKS).count() == 2


def test_walk_ins_without_an_address_are_counted_not_mailed(breakfast, frozen):
    frozen("2029-04-20 10:00")
    walk_in = seat(breakfast, "walkin@example.se", first_name="Dan")
    arrive(walk_in)
    frozen("2029-05-17 10:00")
    # A walk-in registered at the door without an address (the door may leave it empty).
    Registration.objects.filter(pk=walk_in.pk).update(email="")

    who = audience(event=breakfast, kind="thanks")
    follow_up = _thanks(breakfast)

    assert (len(who.recipients), who.without_address) == (2, 1)
    assert (follow_up.recipient_count, follow_up.without_address) == (2, 1)


def test_the_preview_is_what_each_language_gets(breakfast):
    text = default_text(breakfast, "thanks")
    preview = preview_followup(event=breakfast, kind="thanks", text=text)
    _thanks(breakfast)

    (anna,) = outbox_for("anna@example.se")
    (bo,) = outbox_for("bo@example.se")
    assert preview.recipient_count == 2
    assert anna.subject == preview.swedish.subject == "Tack för att du kom: Chefsfrukost: Leda med tillit"
    assert bo.subject == preview.english.subject == "Thank you for coming: Chefsfrukost: Leda med tillit"

    def same(preview_text: str, sent: str, name: str, link: str) -> str:
        return (
            preview_text.replace("[förnamn]", name)
            .replace("[first name]", name)
            .replace("(mottagarens egen länk till återkopplingen)", link)
            .replace("(the recipient’s own feedback link)", link)
        )

    anna_link = next(line for line in anna.body_text.splitlines() if "/aterkoppling/" in line)
    bo_link = next(line for line in bo.body_text.splitlines() if "/aterkoppling/" in line)
    assert same(preview.swedish.body_text, anna.body_text, "Anna", anna_link) == anna.body_text
    assert same(preview.english.body_text, bo.body_text, "Bo", bo_link) == bo.body_text
    assert "Tell us what you thought" in bo.body_text
    assert "Berätta vad du tyckte" in anna.body_text


def test_the_outbox_holds_no_feedback_token(breakfast):
    _thanks(breakfast)
    (stored,) = OutboxMessage.objects.filter(to="anna@example.se", kind=MailKind.FOLLOWUP_THANKS)
    rendered([stored])
    stored.refresh_from_db()

    assert "[[frukost-personal-link:feedback]]" in stored.body_text
    assert "/aterkoppling/" not in stored.body_text

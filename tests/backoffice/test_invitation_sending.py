"""The back office's invitation mail: write → preview in both languages → send once; the reminder's
day and text, previewed; the list page's progress and funnel."""

from __future__ import annotations

import pytest

from frukost.invitations.models import InvitationList
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from tests.invitations.factories import make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client, staff_factory, frozen):
    frozen("2029-04-20 10:00")
    client.force_login(staff_factory("organiser", "olle@example.se"))
    return client


def url(invitation_list, page) -> str:
    return f"/backoffice/{invitation_list.organisation.slug}/inbjudningslistor/{invitation_list.pk}/{page}/"


TEXT = {
    "subject": "Välkommen på chefsfrukost",
    "body": "Vi bjuder in dig till frukost.",
    "subject_en": "Welcome to breakfast",
    "body_en": "We invite you to breakfast.",
}


def test_write_preview_send_once(organiser, event):
    invitation_list = make_list(event=event, people=3)

    write = organiser.get(url(invitation_list, "skicka"))
    assert write.status_code == 200
    assert "Inbjudan: Chefsfrukost: Leda med tillit" in write.content.decode()  # the default subject

    preview = organiser.post(url(invitation_list, "skicka"), {**TEXT, "step": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Inbjudan går till 3 personer." in page
    assert "Hej [förnamn]!" in page and "Hello [first name]," in page
    assert "Onsdag 16 maj 2029, kl. 08.00–09.30" in page
    assert OutboxMessage.objects.count() == 0
    key = preview.context["send_key"]

    sent = organiser.post(url(invitation_list, "skicka"), {**TEXT, "step": "send", "send_key": key})
    again = organiser.post(url(invitation_list, "skicka"), {**TEXT, "step": "send", "send_key": key})

    assert sent.status_code == 302 and again.status_code == 302
    assert OutboxMessage.objects.filter(kind=MailKind.INVITATION).count() == 3
    invitation_list.refresh_from_db()
    assert invitation_list.sent_by.email == "olle@example.se"


def test_an_invalid_text_is_a_400_and_sends_nothing(organiser, event):
    invitation_list = make_list(event=event, people=1)

    response = organiser.post(url(invitation_list, "skicka"), {**TEXT, "subject": "", "step": "send"})

    assert response.status_code == 400
    assert "Skriv en ämnesrad." in response.content.decode()
    assert OutboxMessage.objects.count() == 0
    assert InvitationList.objects.get().sent_at is None


def test_the_reminder_is_set_and_previewed_in_both_languages(organiser, event):
    invitation_list = make_list(event=event, people=2)

    form = organiser.get(url(invitation_list, "paminnelse"))
    assert 'value="3"' in form.content.decode()  # the default, 3 days before the deadline

    data = {
        "days": "5",
        "subject": "Påminnelse",
        "body": "Hinner du?",
        "subject_en": "Reminder",
        "body_en": "Can you make it?",
    }
    preview = organiser.post(url(invitation_list, "paminnelse"), {**data, "step": "preview"})
    page = preview.content.decode()
    assert "Den går torsdag 26 april 2029 kl. 09.00." in page or "26 april 2029 kl. 09.00" in page
    assert "Hinner du?" in page and "Can you make it?" in page
    assert InvitationList.objects.get().reminder_days_before_deadline == 3  # nothing saved yet

    organiser.post(url(invitation_list, "paminnelse"), {**data, "step": "save"})

    saved = InvitationList.objects.get()
    assert (saved.reminder_days_before_deadline, saved.reminder_subject_en) == (5, "Reminder")


def test_reminder_days_out_of_range_are_a_400(organiser, event):
    invitation_list = make_list(event=event, people=1)

    response = organiser.post(url(invitation_list, "paminnelse"), {**TEXT, "days": "-1", "step": "save"})

    assert response.status_code == 400
    assert "Ange ett antal dagar från 0 till 30" in response.content.decode()
    assert InvitationList.objects.get().reminder_days_before_deadline == 3


def test_door_staff_cannot_send(client, staff_factory, event):
    invitation_list = make_list(event=event, people=1)
    client.force_login(staff_factory("door", events=[event]))

    assert client.get(url(invitation_list, "skicka")).status_code == 403
    assert OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count() == 0


def test_the_progress_endpoint_counts_the_outbox(organiser, event):
    from tests.invitations.factories import send

    invitation_list = make_list(event=event, people=3)
    send(invitation_list)
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.order_by("id").first().pk).update(
        status=MessageStatus.SENT
    )

    response = organiser.get(
        f"/backoffice/{invitation_list.organisation.slug}/inbjudningslistor/{invitation_list.pk}/skickat.json"
    )

    assert response.json() == {"text": "1 av 3 skickade", "sent": 1, "total": 3, "done": False}
    assert "no-store" in response["Cache-Control"]


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_list_page_and_overview_take_as_many_queries_for_3_as_for_30(organiser, event, event_factory):
    from frukost.registrations.services import register
    from tests.conftest import make_person
    from tests.invitations.factories import send

    organiser.get(
        f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/inbjudningar/"
    )  # warm the session
    counts = []
    for size in (3, 30):
        target = event_factory()
        invitation_list = make_list(event=target, people=[f"p{size}-{n}@example.se" for n in range(size)])
        send(invitation_list)
        register(event=target, person=make_person(f"p{size}-0@example.se"))
        slug = invitation_list.organisation.slug
        counts.append(
            (
                _queries(organiser, f"/backoffice/{slug}/inbjudningslistor/{invitation_list.pk}/"),
                _queries(organiser, f"/backoffice/{slug}/evenemang/{target.pk}/inbjudningar/"),
            )
        )

    assert counts[0] == counts[1]


def test_the_funnel_chart_names_every_step_the_table_does():
    from django.utils import translation

    from frukost.backoffice.views.invitation_sending import funnel_context
    from frukost.invitations.funnel import Funnel

    figures = Funnel(invited=10, opened=6, seat=3, waiting_list=1, declined=2, unsubscribed=1, no_answer=3)

    with translation.override("sv"):
        chart = str(funnel_context(figures, after_event=False)["funnel_chart"])

    # registered 4 + declined 2 + unsubscribed 1 + no answer 3 = the 10 invited
    for step in ("Anmälda: 4", "Tackade nej: 2", "Avregistrerade: 1", "Inget svar: 3"):
        assert step in chart

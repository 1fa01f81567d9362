"""What is erased is gone from the database, not hidden (issue 7's acceptance test).

People register through the public form with a unique marker in every field; the worker sends
everything (as .eml files), the venue gets its catering list; then, with a frozen clock, retention
runs on each retention date and the WHOLE database (every table, every column as text) is searched
for the markers: none that should be gone by that date may be found anywhere, those that should
stay must still be there, and the counts must still be right.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from frukost.catering.services import catering_figures, send_catering_list, update_catering_plan
from frukost.mail.worker import send_due
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.statistics import diet_counts, event_statistics
from tests.conftest import read_eml_files

pytestmark = pytest.mark.django_db(transaction=False)

IDENTITY = ("first", "last", "email", "workplace", "title", "answer")
NEEDS = ("dietnote", "needs")
VENUE = "kok@scandic.example"


def marker(person: str, field: str) -> str:
    # Letters only (names refuse digits and signs) and lower case (addresses are stored so).
    return f"zq{person}{field}xq"


def identity_markers(*people: str) -> set[str]:
    return {marker(person, field) for person in people for field in IDENTITY}


def needs_markers(*people: str) -> set[str]:
    return {marker(person, field) for person in people for field in NEEDS}


ALL_PEOPLE = ("anna", "colin", "berit")


def dump_database() -> str:
    """Every row of every table, every column as text, lower-cased (JSON columns included)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names from the database itself, quoted: not user input.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    chunks.append(str(value))
    return "\n".join(chunks).lower()


def found(markers: set[str]) -> set[str]:
    text = dump_database()
    return {m for m in markers if m in text}


def link_in(message) -> str:
    return re.search(r"http://testserver(/r/[\w-]+/)", message.get_body(("plain",)).get_content()).group(1)


def text_of(message) -> str:
    """Headers and every text part, decoded (bodies are quoted-printable or base64 on disk)."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    parts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    return "\n".join(parts).lower()


def deliver(mail_dir) -> None:
    """The worker sends everything due, each message written as an .eml file."""
    while send_due():
        pass


@pytest.fixture
def eml_backend(settings, mail_dir):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    return mail_dir


def register_through_the_form(client, event, person: str, *, membership, diets, colleague: str | None = None):
    data = {
        "first_name": marker(person, "first").capitalize(),
        "last_name": marker(person, "last").capitalize(),
        "email": f"{marker(person, 'email')}@example.se",
        "workplace": marker(person, "workplace"),
        "job_title": marker(person, "title"),
        "membership": membership,
        "diets": diets,
        "diet_other": f"{marker(person, 'dietnote')} inga rakor",
        "other_needs": f"{marker(person, 'needs')} teleslinga",
        "answer": marker(person, "answer"),
    }
    if colleague:
        data |= {
            "colleague1_first_name": marker(colleague, "first").capitalize(),
            "colleague1_last_name": marker(colleague, "last").capitalize(),
            "colleague1_email": f"{marker(colleague, 'email')}@example.se",
        }
    response = client.post(event.get_absolute_url(), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def mails_to(mail_dir, person: str):
    address = f"{marker(person, 'email')}@example.se"
    return [m for m in read_eml_files(mail_dir) if address in str(m["To"])]


def test_retention_erases_every_marker_on_its_date_and_keeps_the_counts(
    event_factory, eml_backend, frozen, caplog
):
    # Every logger at DEBUG (some have their own level), so a debug line with a diet would show.
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    mail_dir = eml_backend
    event = event_factory(custom_question="Vad vill du fråga Hanna?", max_colleagues=1)
    update_catering_plan(
        event=event, venue_contact_name="Köket", venue_email=VENUE, language="sv", book_margin=0
    )
    client = Client()

    # Anna registers herself and her colleague Colin; Berit registers and cancels later.
    frozen("2029-04-20 10:00")
    register_through_the_form(
        client, event, "anna", membership="member", diets=["vegan", "gluten"], colleague="colin"
    )
    register_through_the_form(client, event, "berit", membership="member", diets=["milk"])
    deliver(mail_dir)

    # Colin answers for himself through the link in his e-mail.
    frozen("2029-04-21 09:00")
    (invitation,) = mails_to(mail_dir, "colin")
    colin_link = link_in(invitation)
    response = client.post(
        colin_link,
        {
            "action": "answers",
            "workplace": marker("colin", "workplace"),
            "job_title": marker("colin", "title"),
            "membership": "not_member",
            "diets": ["gluten"],
            "diet_other": f"{marker('colin', 'dietnote')} laktosfritt",
            "other_needs": f"{marker('colin', 'needs')} rullstol",
            "answer": marker("colin", "answer"),
        },
    )
    assert response.status_code == 302
    # Berit cancels through her link.
    frozen("2029-04-22 09:00")
    berit_link = link_in(mails_to(mail_dir, "berit")[0])
    assert client.post(berit_link + "avanmal/").status_code == 302
    deliver(mail_dir)

    # The venue gets its list (counts and notes without names).
    frozen("2029-05-02 08:00")
    send_catering_list(event=event)
    deliver(mail_dir)

    everyone = identity_markers(*ALL_PEOPLE) | needs_markers(*ALL_PEOPLE)
    assert found(everyone) == everyone  # the test can fail: every marker is stored at first
    colin = Registration.objects.get(email=f"{marker('colin', 'email')}@example.se")
    assert colin.confirmed_at is not None
    assert PersonalLink.objects.count() > 0

    def figures():
        statistics = event_statistics(event).figures
        return {
            "seats": statistics.seats_taken,
            "cancelled": statistics.cancelled,
            "members": statistics.members,
            "not_members": statistics.not_members,
            "diets": diet_counts(event),
            "catering": catering_figures(event).diets,
        }

    expected = {
        "seats": 2,
        "cancelled": 1,
        "members": 1,
        "not_members": 1,
        "diets": {"vegan": 1, "gluten": 2},
        "catering": {"vegan": 1, "gluten": 2},
    }
    assert figures() == expected

    def retention_on(day: str) -> None:
        frozen(f"{day} 03:00")
        call_command("retention", stdout=io.StringIO())

    # The day after the event: diets and needs go (from the registrations and the catering list),
    # in the worker's first round of the day.
    frozen("2029-05-17 00:01")
    call_command("worker", once=True, stdout=io.StringIO())
    assert found(needs_markers(*ALL_PEOPLE)) == set()
    assert found(identity_markers(*ALL_PEOPLE)) == identity_markers(*ALL_PEOPLE)
    assert figures() == expected
    assert set(Registration.objects.values_list("membership", flat=True)) == {"member", "not_member"}

    # A week after: Berit (cancelled) is anonymised; the others stay.
    retention_on("2029-05-23")
    assert found(identity_markers("berit")) == set()
    assert found(identity_markers("anna", "colin")) == identity_markers("anna", "colin")
    assert figures() == expected

    # A month after: membership answers and personal links go; the counts stay.
    retention_on("2029-06-15")
    assert set(Registration.objects.values_list("membership", flat=True)) == {""}
    assert PersonalLink.objects.count() == 0
    assert client.get(colin_link).status_code == 404
    assert found(identity_markers("anna", "colin")) == identity_markers("anna", "colin")
    assert figures() == expected

    # Twelve months after: nobody is left to identify; the counts are still right.
    retention_on("2030-05-16")
    assert found(everyone) == set()
    assert Registration.objects.filter(anonymised_at__isnull=True).count() == 0
    assert figures() == expected

    # A second run the same day changes nothing (and the counts do not double).
    call_command("retention", stdout=io.StringIO())
    assert figures() == expected

    # Mail and logs never held a diet or a need, except the venue's list: notes without names.
    assert {path.suffix for path in mail_dir.rglob("*") if path.is_file()} == {".eml"}
    emails = read_eml_files(mail_dir)
    venue_mails = [m for m in emails if VENUE in str(m["To"])]
    assert len(venue_mails) == 1
    venue_text = text_of(venue_mails[0])
    assert {m for m in identity_markers(*ALL_PEOPLE) if m in venue_text} == set()
    assert {marker("anna", "dietnote"), marker("colin", "dietnote")} <= {
        m for m in needs_markers(*ALL_PEOPLE) if m in venue_text
    }
    others = "\n".join(text_of(m) for m in emails if VENUE not in str(m["To"]))
    assert len(emails) > 4 and marker("colin", "first") in others  # decoded: the search can find a marker
    assert {m for m in needs_markers(*ALL_PEOPLE) if m in others} == set()
    logged = "\n".join([caplog.text, *(record.getMessage() for record in caplog.records)]).lower()
    assert caplog.records  # the capture works (the worker's rounds log, a dead link logs its 404)
    assert {m for m in needs_markers(*ALL_PEOPLE) if m in logged} == set()


def test_feedback_texts_outlive_the_name_and_the_contact_answer_goes_with_it(
    event_factory, eml_backend, frozen
):
    """A feedback's rating and texts stay as the event's feedback (docs/privacy.md); what tied them
    to the person goes when the registration is anonymised: the name (shown only with show_name),
    and the answer to the contact question with its wording and time."""
    import uuid

    from frukost.checkin.attendance import close_attendance
    from frukost.checkin.services import check_in
    from frukost.followup.models import Feedback
    from frukost.followup.results import event_results
    from frukost.followup.services import default_text, send_followup

    mail_dir = eml_backend
    event = event_factory()
    client = Client()
    frozen("2029-04-20 10:00")
    register_through_the_form(client, event, "dora", membership="not_member", diets=[])
    deliver(mail_dir)
    frozen("2029-05-16 08:05")
    check_in(registration=Registration.objects.get(), actor=None, client_id=uuid.uuid4())
    frozen("2029-05-16 13:00")
    close_attendance(event)
    send_followup(event=event, kind="thanks", text=default_text(event, "thanks"))
    deliver(mail_dir)
    (thanks,) = [m for m in mails_to(mail_dir, "dora") if "Tack för att du kom" in str(m["Subject"])]
    link = re.search(r"http://testserver(/r/[\w-]+/aterkoppling/)", thanks.get_body(("plain",)).get_content())
    response = client.post(
        link.group(1),
        {
            "rating": "4",
            "most_useful": "zqdorausefulxq",
            "comment": "zqdoracommentxq",
            "show_name": "on",
            "contact": "on",
        },
    )
    assert response.status_code == 302
    texts = {"zqdorausefulxq", "zqdoracommentxq"}
    assert found(texts) == texts
    assert [c.name for c in event_results(event).comments] == ["Zqdorafirstxq Zqdoralastxq"]

    def retention_on(day: str) -> None:
        frozen(f"{day} 03:00")
        call_command("retention", stdout=io.StringIO())

    # A month after: membership and links go; the feedback and its answer stay for the follow-up.
    retention_on("2029-06-15")
    assert Feedback.objects.get().contact_consent is True
    assert client.get(link.group(1)).status_code == 404

    # Twelve months after: nobody left to name; the texts stay, the contact answer is gone.
    retention_on("2030-05-16")
    assert found(identity_markers("dora")) == set()
    assert found(texts) == texts
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.show_name, feedback.contact_consent) == (4, False, None)
    assert (feedback.contact_consent_text, feedback.contact_answered_at) == ("", None)
    assert [(c.name, c.comment) for c in event_results(event).comments] == [("", "zqdoracommentxq")]

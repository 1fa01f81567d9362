"""The leads page: who said yes to being contacted, marked contacted by the representative, exported."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frukost.contacts.models import Lead
from frukost.contacts.services import mark_contacted, record_lead
from frukost.core import formats
from frukost.core.models import AuditLog
from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db

ORG = "akademikerforbundet-ssr"
LIST = f"/backoffice/{ORG}/intresserade/"
PASSWORD = "ett-langt-losenord"


def lead(event, email="anna@example.se", first_name="Anna", kind="not_member", **overrides):
    values = {
        "organisation": event.organisation,
        "event": event,
        "registration_id": None,
        "first_name": first_name,
        "last_name": "Svensson",
        "email": email,
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "language": "sv",
        "kind": kind,
        "answers": {"rating": 4, "most_useful": "Samtalet om tillit", "comment": ""},
        "consent_text": "Ja, ombudet får kontakta mig.",
    }
    return record_lead(**(values | overrides))


@pytest.fixture
def representative(client, staff_factory):
    user = staff_factory("representative", "ombud@example.se")
    client.force_login(user)
    # A fresh password, as right after signing in (the export asks for one within 5 minutes).
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return user


def names(response) -> list[str]:
    return [row.first_name for row in response.context["page"].object_list]


def test_the_list_shows_name_workplace_title_mailto_event_kind_answers_and_consent(
    client, representative, event
):
    lead(event)
    other = Organisation.objects.create(name="Vision", slug="vision")
    from tests.conftest import stockholm

    theirs = event.__class__.objects.create(
        organisation=other, slug="deras", title="Visions frukost", starts_at=stockholm(2029, 5, 1, 8),
        ends_at=stockholm(2029, 5, 1, 9), capacity=10,
    )  # fmt: skip
    lead(theirs, email="eva@example.se", first_name="Eva")

    response = client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert names(response) == ["Anna"]
    for text in (
        "Anna Svensson",
        "Sundsvalls kommun",
        "Enhetschef",
        'href="mailto:anna@example.se"',
        event.title,
        "Deltagare",
        "Betyg 4 av 5",
        "Samtalet om tillit",
        "Ja, ombudet får kontakta mig.",
        "Markera som kontaktad",
    ):
        assert text in page, text
    assert "eva@example.se" not in page


def test_filter_by_event_and_by_contacted(client, representative, event, event_factory, staff_factory):
    second = event_factory(title="Chefsfrukost: Att leda på distans")
    lead(event, email="anna@example.se", first_name="Anna")
    bo = lead(event, email="bo@example.se", first_name="Bo", kind="colleague")
    lead(second, email="cilla@example.se", first_name="Cilla")
    mark_contacted(bo, actor=representative)

    assert names(client.get(LIST, {"event": second.pk})) == ["Cilla"]
    assert sorted(names(client.get(LIST, {"contacted": "no"}))) == ["Anna", "Cilla"]
    assert names(client.get(LIST, {"contacted": "yes", "event": event.pk})) == ["Bo"]
    assert sorted(names(client.get(reverse("backoffice:event-leads", args=[ORG, event.pk])))) == [
        "Anna",
        "Bo",
    ]


def test_an_unknown_filter_value_is_a_message_not_an_error(client, representative, event):
    lead(event)

    response = client.get(LIST, {"event": "999999", "contacted": "kanske"})

    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert names(response) == ["Anna"]


def test_the_representative_marks_contacted_with_a_note_and_undoes_it(client, representative, event):
    row = lead(event)
    url = reverse("backoffice:lead-contacted", args=[ORG, row.pk])

    response = client.post(
        url, {"action": "mark", "note": "Ringde, vill veta mer", "next": LIST + "?contacted=no"}
    )

    assert response.status_code == 302
    assert response["Location"] == LIST + "?contacted=no"
    row.refresh_from_db()
    assert (row.contacted_by, row.note) == (representative, "Ringde, vill veta mer")
    page = client.get(LIST).content.decode()
    assert "Ringde, vill veta mer" in page and "Ångra" in page

    client.post(url, {"action": "undo", "next": "https://evil.example/"})

    row.refresh_from_db()
    assert (row.contacted_at, row.note) == (None, "")
    assert [
        a for a in AuditLog.objects.order_by("id").values_list("action", flat=True) if a.startswith("lead.")
    ] == [
        "lead.recorded",
        "lead.contacted",
        "lead.contact_undone",
    ]


def test_marking_contacted_is_a_post_and_a_too_long_note_is_refused(client, representative, event):
    row = lead(event)
    url = reverse("backoffice:lead-contacted", args=[ORG, row.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"note": "x" * 501}, follow=True)

    assert "Anteckningen får vara högst 500 tecken" in response.content.decode()
    row.refresh_from_db()
    assert row.contacted_at is None


@pytest.mark.parametrize("role", ["owner", "organiser", "representative"])
def test_roles_that_see_leads(client, staff_factory, event, role):
    lead(event)
    client.force_login(staff_factory(role))

    assert client.get(LIST).status_code == 200


def test_door_staff_see_no_leads(client, staff_factory, event):
    row = lead(event)
    client.force_login(staff_factory("door", events=[event]))

    assert client.get(LIST).status_code == 403
    assert client.post(reverse("backoffice:lead-contacted", args=[ORG, row.pk])).status_code == 403
    assert client.post(reverse("backoffice:leads-export", args=[ORG]), {"format": "csv"}).status_code == 403


def test_a_representative_lands_on_the_leads_and_sees_only_that_menu_entry(client, representative, event):
    assert client.get("/backoffice/")["Location"] == LIST

    page = client.get(LIST).content.decode()

    assert f'class="bo-header__name" href="{LIST}"' in page
    assert "Intresserade" in page
    for other in ("Evenemang</a>", "Anmälningar", "Vill ha inbjudningar", "Spärrlista", "Händelselogg"):
        assert other not in page, other
    assert client.get(f"/backoffice/{ORG}/").status_code == 403
    assert client.get(reverse("backoffice:event-registrations", args=[ORG, event.pk])).status_code == 403


def test_a_representative_needs_two_factor(client, staff_factory):
    client.force_login(staff_factory("representative", two_factor=False))

    assert client.get(LIST)["Location"] == reverse("backoffice:two-factor-required")


def download(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_export_csv_with_swedish_headers_filters_and_neutralised_formulas(client, representative, event):
    lead(event, workplace='=HYPERLINK("http://x")', answers={"rating": 5, "comment": "+46 70 123 45 67"})
    lead(event, email="bo@example.se", first_name="Bo", kind="colleague")
    mark_contacted(Lead.objects.get(email="bo@example.se"), actor=representative, note="@bo")

    response = client.post(
        reverse("backoffice:leads-export", args=[ORG]), {"format": "csv", "event": event.pk, "contacted": ""}
    )

    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="intresserade-{ORG}-{today}.csv"'
    rows = download(response)
    assert rows[0] == [
        "Förnamn", "Efternamn", "E-post", "Arbetsplats", "Befattning", "Evenemang", "Evenemangets datum",
        "Typ", "Betyg (1–5)", "Mest givande", "Kommentar", "Sa ja", "Kontaktad", "Kontaktad av", "Anteckning",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna"][3] == '\'=HYPERLINK("http://x")'
    assert by_name["Anna"][7:11] == ["Deltagare", "5", "", "'+46 70 123 45 67"]
    assert by_name["Bo"][7] == "Kollega som följde med"
    contacted = formats.local(Lead.objects.get(email="bo@example.se").contacted_at).strftime("%Y-%m-%d %H:%M")
    assert by_name["Bo"][11:] == [by_name["Bo"][11], contacted, "ombud@example.se", "'@bo"]
    assert by_name["Bo"][11][:4] == today[:4]
    entry = AuditLog.objects.get(action="leads.exported")
    assert (entry.actor, entry.event_id, entry.data["format"], entry.data["rows"]) == (
        representative,
        event.pk,
        "csv",
        2,
    )


def test_export_xlsx_writes_strings_never_formulas(client, representative, event):
    import openpyxl

    lead(event, workplace="=1+1")
    lead(event, email="bo@example.se", first_name="Bo")
    mark_contacted(Lead.objects.get(email="bo@example.se"), actor=representative)

    response = client.post(
        reverse("backoffice:leads-export", args=[ORG]), {"format": "xlsx", "contacted": "no"}
    )

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "Intresserade"
    assert rows[0][:3] == ["Förnamn", "Efternamn", "E-post"]
    assert [row[0] for row in rows[1:]] == ["Anna"]
    assert sheet["D2"].data_type == "s" and sheet["D2"].value == "=1+1"


def test_export_with_an_unknown_format_says_so(client, representative, event):
    lead(event)

    response = client.post(reverse("backoffice:leads-export", args=[ORG]), {"format": "pdf"}, follow=True)

    assert "Exporten kunde inte skapas" in response.content.decode()
    assert not AuditLog.objects.filter(action="leads.exported").exists()


def test_export_asks_for_the_password_again_when_the_sign_in_is_old(client, representative, event, settings):
    lead(event)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    asked = client.post(reverse("backoffice:leads-export", args=[ORG]), {"format": "csv"})
    assert asked.status_code == 302 and "reauthenticate" in asked["Location"]
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

    response = client.post(asked["Location"], {"password": PASSWORD})

    assert response.status_code == 200
    assert download(response)[1][0] == "Anna"


@pytest.mark.parametrize("view", ["list", "export"])
def test_the_list_and_the_export_take_as_many_queries_for_50_leads_as_for_5(
    client, representative, event, view
):
    def count(n: int) -> int:
        Lead.objects.all().delete()
        for number in range(n):
            row = lead(event, email=f"person{number}@example.se", first_name=f"P{number}")
            if number % 2:
                mark_contacted(row, actor=representative, note="ok")
        with CaptureQueriesContext(connection) as queries:
            if view == "list":
                assert client.get(LIST).status_code == 200
            else:
                response = client.post(reverse("backoffice:leads-export", args=[ORG]), {"format": "csv"})
                assert len(download(response)) == n + 1
        return len(queries)

    assert count(5) == count(50)


def test_removing_a_lead_on_the_persons_word_asks_first_then_withdraws_it(client, representative, event):
    row = lead(event)
    keep = lead(event, email="bo@example.se", first_name="Bo")
    url = reverse("backoffice:lead-remove", args=[ORG, row.pk])

    asked = client.get(url)
    assert "Ta bort Anna Svensson från de intresserade?" in asked.content.decode()
    assert Lead.objects.count() == 2

    response = client.post(url)

    assert response["Location"] == LIST
    assert list(Lead.objects.values_list("pk", flat=True)) == [keep.pk]
    assert AuditLog.objects.get(action="lead.withdrawn").actor == representative

"""The export page: columns to choose, the password asked again, the file downloaded."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db

PASSWORD = "ett-langt-losenord"


def url(event, organisation=None):
    return reverse("backoffice:event-export", args=[(organisation or event.organisation).slug, event.pk])


@pytest.fixture
def organiser(staff_factory):
    return staff_factory("organiser")


def add(event, number=1, **fields):
    values = {"first_name": f"Åsa{number}", "last_name": "Öberg", "email": f"asa{number}@example.se"}
    return Registration.objects.create(event=event, **(values | fields))


def reauthenticate(client, next_url=""):
    return client.post(
        reverse("account_reauthenticate") + (f"?next={next_url}" if next_url else ""), {"password": PASSWORD}
    )


def download(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_event_export_form_lists_columns_special_ones_never_ticked(client, organiser, event):
    client.force_login(organiser)

    response = client.get(url(event))

    form = response.context["form"]
    assert response.status_code == 200
    assert form["columns"].initial == ["first_name", "last_name", "email", "workplace", "job_title", "status"]
    assert [key for key, _label in form.fields["special_columns"].choices] == [
        "membership",
        "diets",
        "diet_other",
        "other_needs",
    ]
    assert not form["special_columns"].initial
    page = response.content.decode()
    assert 'value="membership"' in page and 'value="membership" checked' not in page


def test_event_export_form_has_no_special_columns_without_permission(client, organiser, event, monkeypatch):
    monkeypatch.setitem(
        access.PERMISSIONS,
        Role.ORGANISER,
        access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY},
    )
    client.force_login(organiser)
    reauthenticate(client)

    page = client.get(url(event))
    refused = client.post(
        url(event), {"format": "csv", "statuses": ["registered"], "columns": ["membership"]}
    )

    assert "special_columns" not in page.context["form"].fields
    assert 'value="membership"' not in page.content.decode()
    assert refused.status_code == 400
    assert not AuditLog.objects.filter(action="registrations.exported").exists()


def test_event_export_asks_for_the_password_again(client, organiser, event):
    add(event)
    client.force_login(organiser)

    response = client.post(
        url(event), {"format": "csv", "statuses": ["registered"], "columns": ["first_name"]}
    )

    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('account_reauthenticate')}?next={url(event).replace('/', '%2F')}"
    )
    assert not AuditLog.objects.filter(action="registrations.exported").exists()


def test_event_export_downloads_after_reauthenticating(client, organiser, event):
    add(event, workplace="Ängelholm")
    client.force_login(organiser)
    asked = client.post(
        url(event), {"format": "csv", "statuses": ["registered"], "columns": ["first_name", "workplace"]}
    )

    response = client.post(asked["Location"], {"password": PASSWORD})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="anmalningar-{event.slug}-')
    assert download(response) == [["Förnamn", "Arbetsplats"], ["Åsa1", "Ängelholm"]]
    entry = AuditLog.objects.get(action="registrations.exported")
    assert (entry.actor, entry.data["columns"], entry.data["rows"]) == (
        organiser,
        ["first_name", "workplace"],
        1,
    )


def test_event_export_xlsx_with_special_columns_after_reauthenticating(client, organiser, event):
    import openpyxl

    add(event, membership="member", diets=["vegan"])
    client.force_login(organiser)
    reauthenticate(client)

    response = client.post(
        url(event),
        {
            "format": "xlsx",
            "statuses": ["registered"],
            "columns": ["first_name"],
            "special_columns": ["diets"],
        },
    )

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Förnamn", "Specialkost"],
        ["Åsa1", "Vegansk"],
    ]


def test_event_export_without_columns_answers_400(client, organiser, event):
    client.force_login(organiser)
    reauthenticate(client)

    response = client.post(url(event), {"format": "csv", "statuses": ["registered"]})

    assert response.status_code == 400
    assert "Välj minst en kolumn." in response.content.decode()


def test_event_export_query_count_is_flat(client, organiser, event):
    client.force_login(organiser)
    reauthenticate(client)
    data = {"format": "csv", "statuses": ["registered"], "columns": ["first_name", "status"]}

    def queries(count: int) -> int:
        for number in range(count):
            add(event, f"{count}-{number}")
        with CaptureQueriesContext(connection) as context:
            response = client.post(url(event), data)
            rows = download(response)
        assert len(rows) == 1 + Registration.objects.count()
        return len(context.captured_queries)

    assert queries(1) == queries(3)


def test_event_export_refuses_door_staff_and_other_organisations(client, staff_factory, event):
    other = Organisation.objects.create(name="Vision", slug="vision")
    door = staff_factory("door", events=[event])
    stranger = staff_factory("owner", of=other)

    client.force_login(door)
    door_status = client.get(url(event)).status_code
    door_post = client.post(url(event), {"format": "csv", "columns": ["first_name"]}).status_code
    client.force_login(stranger)
    stranger_status = client.get(url(event)).status_code
    other_event_status = client.get(url(event, organisation=other)).status_code

    assert (door_status, door_post, stranger_status, other_event_status) == (403, 403, 404, 404)

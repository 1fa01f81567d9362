"""The back office's invitation lists: upload, preview, confirm; who may; how fast."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.contacts.services import record_consent
from frukost.contacts.suppression import suppress
from frukost.events.services import create_series
from frukost.invitations.models import InvitationList, Invitee
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations import files

pytestmark = pytest.mark.django_db

ORG = "/backoffice/akademikerforbundet-ssr"


@pytest.fixture(autouse=True)
def _private_uploads(tmp_path, settings):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def organiser(client, staff_factory):
    user = staff_factory("organiser", "olle@example.se")
    client.force_login(user)
    return user


def _upload(client, event, data, name="medlemmar.csv"):
    return client.post(
        f"{ORG}/evenemang/{event.pk}/inbjudningar/importera/", {"file": SimpleUploadedFile(name, data)}
    )


def _text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _confirm_data(response) -> dict:
    """The confirmation form's fields as the page has them."""
    form = response.content.decode().split('method="post"')[-1].split("</form>")[0]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    data["name"] = re.search(r'name="name" id="id_list_name" maxlength="200" value="([^"]*)"', form).group(1)
    return data


def test_upload_preview_confirm_imports_the_new_people(client, organiser, event, organisation):
    register(event=event, person=make_person(files.member_rows()[0][3]))  # line 2 is registered
    suppress(organisation=organisation, email=files.member_rows()[1][3], reason="unsubscribed")  # line 3

    uploaded = _upload(client, event, files.member_register_csv())
    assert uploaded.status_code == 302
    preview = client.get(uploaded["Location"])
    text = _text(preview)

    assert preview.status_code == 200
    assert (
        "medlemmar.csv : 50 personer · läst som UTF-8 med BOM, kolumner avgränsade med semikolon (;)" in text
    )
    assert "Ny 45" in text and "Redan anmäld 1" in text and "På spärrlistan 1" in text
    assert "Adressen fungerar inte 2" in text and "Två gånger i filen 1" in text
    assert "8 anna.lindqvist.sundsvall.se" in text and "@ saknas" in text
    assert "34 " in text and "först på rad 5" in text
    assert "avregistrerad" in text
    assert InvitationList.objects.count() == 0  # nothing written before the confirmation

    confirmed = client.post(uploaded["Location"], _confirm_data(preview))

    invitation_list = InvitationList.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{ORG}/inbjudningslistor/{invitation_list.pk}/"
    assert (invitation_list.name, invitation_list.event, invitation_list.invitees.count()) == (
        "medlemmar",
        event,
        45,
    )
    page = _text(client.get(confirmed["Location"]))
    assert "45 personer är med på listan ”medlemmar”. Inget har skickats ännu." in page
    assert "Inte skickad än" in page


def test_a_double_submitted_confirmation_imports_once(client, organiser, event):
    uploaded = _upload(client, event, files.member_register_csv())
    data = _confirm_data(client.get(uploaded["Location"]))

    first = client.post(uploaded["Location"], data)
    second = client.post(uploaded["Location"], data)

    assert first["Location"] == second["Location"]
    assert (InvitationList.objects.count(), Invitee.objects.count()) == (1, 47)
    assert client.get(uploaded["Location"])["Location"] == first["Location"]  # back to the preview


def test_the_organiser_can_change_the_columns_and_the_delimiter(client, organiser, event):
    data = "Vem;Adress;Ort\nÅsa Öberg;asa@example.se;Sundsvall\n".encode("cp1252")
    uploaded = _upload(client, event, data)

    guessed = client.get(uploaded["Location"])
    as_comma = client.get(uploaded["Location"], {"delimiter": ","})
    chosen = client.get(
        uploaded["Location"],
        {
            "read_as": "csv|;|",
            "column_email": "1",
            "column_name": "0",
            "column_region": "2",
            "delimiter": ";",
        },
    )

    assert "Windows-1252" in _text(guessed) and "Ny 1" in _text(guessed)  # found by its values
    assert "kolumner avgränsade med komma" in _text(as_comma)
    assert "Åsa Öberg" in _text(chosen) and "Sundsvall" in _text(chosen)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (b"%PDF-1.7\x00\x01\x02\x03\x04\x05\x06\x07", "Det här ser inte ut som en CSV- eller Excelfil."),
        (b"PK\x03\x04broken", "Excelfilen går inte att öppna."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(client, organiser, event, data, message):
    response = _upload(client, event, data)

    assert response.status_code == 400
    assert message in _text(response), _text(response)[-900:]


def test_a_file_without_an_address_column_says_so(client, organiser, event):
    uploaded = _upload(client, event, b"Namn;Ort\nAnna;Sundsvall\n")
    preview = client.get(uploaded["Location"])

    assert preview.status_code == 200
    assert "Välj kolumnen med e-postadresserna." in _text(preview)
    assert "Importera" not in _text(preview).split("Kontrollera listan")[-1].split("Välj kolumnen")[-1]


def test_membership_is_shown_and_imported_for_a_role_that_may_see_it(client, organiser, event):
    uploaded = _upload(client, event, files.member_register_csv())
    preview = client.get(uploaded["Location"])

    assert 'name="column_membership"' in preview.content.decode()
    client.post(uploaded["Location"], _confirm_data(preview))
    assert Invitee.objects.filter(membership="member").count() == 31


def test_membership_cannot_be_chosen_seen_or_imported_without_the_right(
    client, organiser, event, monkeypatch
):
    limited = access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY}
    monkeypatch.setitem(access.PERMISSIONS, Role.ORGANISER, limited)
    uploaded = _upload(client, event, files.member_register_csv())

    preview = client.get(uploaded["Location"])
    forced = _confirm_data(preview) | {"column_membership": "6"}
    client.post(uploaded["Location"], forced)

    assert 'name="column_membership"' not in preview.content.decode()
    assert "Medlemskap importeras inte" in _text(preview)
    assert Invitee.objects.count() == 47
    assert Invitee.objects.exclude(membership="").count() == 0


def test_the_preview_filters_by_kind_and_pages_the_rows(client, organiser, event):
    uploaded = _upload(client, event, files.csv_bytes(files.member_rows(250)))

    first = client.get(uploaded["Location"])
    third = client.get(uploaded["Location"], {"page": "3"})
    invalid = client.get(uploaded["Location"], {"kind": "invalid"})

    assert first.content.decode().count('class="bo-import-row ') == 100
    assert third.content.decode().count('class="bo-import-row ') == 50
    assert "Sida 1 av 3" in _text(first)
    assert re.findall(r'bo-import-row--(\w+)"', invalid.content.decode()) == ["invalid", "invalid"]


def _preview_queries(client, event, rows):
    uploaded = _upload(client, event, files.csv_bytes(files.member_rows(rows)))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(uploaded["Location"]).status_code == 200
    return len(queries)


def test_the_preview_takes_as_many_queries_for_2000_rows_as_for_100(client, organiser, event):
    assert _preview_queries(client, event, 100) == _preview_queries(client, event, 2000)


def test_the_event_lists_and_the_list_page(client, organiser, event, django_assert_max_num_queries):
    data = _confirm_data(
        client.get((uploaded := _upload(client, event, files.member_register_csv()))["Location"])
    )
    client.post(uploaded["Location"], data | {"name": "Chefer i Sundsvall"})

    with django_assert_max_num_queries(12):
        lists = client.get(f"{ORG}/evenemang/{event.pk}/inbjudningar/")
    invitation_list = InvitationList.objects.get()
    # The list page also shows the mail's progress (2), the reminder's time (1), "came?" (1) and the
    # funnel (1): a fixed number whatever the size (tests/backoffice/test_invitation_sending.py).
    with django_assert_max_num_queries(17):
        detail = client.get(f"{ORG}/inbjudningslistor/{invitation_list.pk}/", {"page": "1"})

    assert "Chefer i Sundsvall Importerad fil (CSV eller Excel) 47" in _text(lists)
    assert 'aria-current="page">Inbjudningar</a>' in lists.content.decode()
    assert detail.content.decode().count("<tr>") == 48  # the header and the 47 people
    assert "Inte skickad än" in _text(detail)


def test_a_series_list_is_imported_from_the_series_page(client, organiser, event_factory, organisation):
    series = create_series(organisation=organisation, name="Chefsfrukost i Norrland")
    harnosand = event_factory(series=series, city="Härnösand")
    register(event=harnosand, person=make_person(files.member_rows()[0][3]))

    uploaded = client.post(
        f"{ORG}/serier/{series.pk}/inbjudningar/importera/",
        {"file": SimpleUploadedFile("norrland.csv", files.member_register_csv())},
    )
    preview = client.get(uploaded["Location"])
    client.post(uploaded["Location"], _confirm_data(preview))

    invitation_list = InvitationList.objects.get()
    assert (invitation_list.series, invitation_list.event, invitation_list.invitees.count()) == (
        series,
        None,
        46,
    )
    assert "norrland" in _text(client.get(f"{ORG}/evenemang/{harnosand.pk}/inbjudningar/"))


def test_a_list_from_the_contacts(client, organiser, event, organisation):
    record_consent(
        organisation=organisation, email="anna@example.se", first_name="Anna", last_name="L", text="Ja"
    )
    record_consent(
        organisation=organisation, email="bo@example.se", first_name="Bo", last_name="E", text="Ja"
    )
    register(event=event, person=make_person("bo@example.se"))

    started = client.post(f"{ORG}/evenemang/{event.pk}/inbjudningar/fran-kontakter/")
    preview = client.get(started["Location"])
    client.post(started["Location"], _confirm_data(preview))

    assert "Ny 1" in _text(preview) and "Redan anmäld 1" in _text(preview)
    assert list(Invitee.objects.values_list("email", flat=True)) == ["anna@example.se"]


def test_door_staff_and_representatives_cannot_see_lists(client, staff_factory, event):
    for role in ("door", "representative"):
        client.force_login(staff_factory(role, events=[event] if role == "door" else ()))
        assert client.get(f"{ORG}/evenemang/{event.pk}/inbjudningar/").status_code in (403, 404)
        assert _upload(client, event, files.member_register_csv()).status_code in (403, 404)


def test_another_organisers_upload_is_not_found(client, organiser, staff_factory, event):
    uploaded = _upload(client, event, files.member_register_csv())
    client.force_login(staff_factory("organiser"))

    assert client.get(uploaded["Location"]).status_code == 404
    refused = client.post(uploaded["Location"], {"column_email": "3"})
    assert refused.status_code == 404
    assert "Den uppladdade filen finns inte kvar" in _text(refused)
    assert InvitationList.objects.count() == 0


def _lists_page_queries(client, event, organisation, count):
    from frukost.invitations.importing import Person
    from frukost.invitations.services import create_list

    for n in range(InvitationList.objects.count(), count):
        create_list(
            organisation=organisation,
            target=event,
            name=f"Lista {n}",
            people=[Person(line=2, email=f"p{n}-{i}@example.se") for i in range(3)],
            source="file",
        )
    client.get(f"{ORG}/evenemang/{event.pk}/inbjudningar/")  # the session's first request costs more
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{ORG}/evenemang/{event.pk}/inbjudningar/").status_code == 200
    return len(queries)


def test_the_event_lists_take_as_many_queries_for_3_lists_as_for_1(client, organiser, event, organisation):
    assert _lists_page_queries(client, event, organisation, 1) == _lists_page_queries(
        client, event, organisation, 3
    )


def test_an_excel_file_with_two_sheets_lets_the_organiser_pick_one(client, organiser, event):
    data = files.xlsx_bytes(
        files.member_rows(3), sheets={"Härnösand": [["E-post", "Förnamn"], ["asa@example.se", "Åsa"]]}
    )
    uploaded = _upload(client, event, data, name="medlemmar.xlsx")

    first = client.get(uploaded["Location"])
    other = client.get(uploaded["Location"], {"sheet": "Härnösand"})
    client.post(uploaded["Location"], _confirm_data(other))

    assert "Excel, bladet ”Medlemmar”" in _text(first) and "Ny 3" in _text(first)
    assert "Excel, bladet ”Härnösand”" in _text(other) and "Ny 1" in _text(other)
    assert list(Invitee.objects.values_list("email", "first_name")) == [("asa@example.se", "Åsa")]


def test_a_sheet_that_cannot_be_read_keeps_the_upload_and_says_why(client, organiser, event):
    data = files.xlsx_bytes(files.member_rows(3), sheets={"Tomt": []})
    uploaded = _upload(client, event, data, name="medlemmar.xlsx")

    empty = client.get(uploaded["Location"], {"sheet": "Tomt"})

    assert empty.status_code == 200  # the preview, not back to the upload page
    assert "Filen har inga rader." in _text(empty)  # why the chosen sheet did not work
    assert "Ny 3" in _text(empty)  # the file as first read, with the first sheet
    again = client.get(uploaded["Location"])
    assert again.status_code == 200 and "Ny 3" in _text(again)  # the upload is still there


def test_the_list_pages_links_keep_the_search(client, organiser, event):
    from tests.invitations.factories import add_invitee, make_list

    invitation_list = make_list(event=event, people=0)
    for n in range(60):
        add_invitee(invitation_list, f"anna{n}@sundsvall.se")
        add_invitee(invitation_list, f"bo{n}@harnosand.se")

    first = client.get(f"{ORG}/inbjudningslistor/{invitation_list.pk}/", {"q": "harnosand"})
    [next_link] = re.findall(r'href="\?([^"]*)" rel="next"', first.content.decode())
    second = client.get(f"{ORG}/inbjudningslistor/{invitation_list.pk}/?{next_link.replace('&amp;', '&')}")

    emails = [invitee.email for invitee in second.context["page"].object_list]
    assert len(emails) == 10
    assert all(email.endswith("@harnosand.se") for email in emails)

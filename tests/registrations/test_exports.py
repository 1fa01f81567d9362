"""Exports of an event's registrations: columns, formula neutralising, å ä ö, audit, queries."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from defusedcsv import csv as defusedcsv
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.accounts.exceptions import NotAllowed
from frukost.accounts.models import OrganisationMember
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import SpecialCategoryNotAllowed, UnknownColumn, UnknownFormat
from frukost.registrations.exports import export_registrations
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db

INJECTIONS = ["=1+1", "+46 70 123 45 67", "-5", "-2+3", "@SUM(A1)", "\t=1+1", "\rcmd", '=HYPERLINK("x")']


@pytest.fixture
def member(staff_factory):
    user = staff_factory("organiser")
    return OrganisationMember.objects.select_related("organisation", "user").get(user=user)


@pytest.fixture
def without_special_category(monkeypatch):
    """Organisers who may export but not see membership, diets or needs (a stricter installation)."""
    monkeypatch.setitem(
        access.PERMISSIONS,
        Role.ORGANISER,
        access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY},
    )


def add(event, number=1, **fields) -> Registration:
    values = {
        "first_name": f"Anna{number}",
        "last_name": "Svensson",
        "email": f"anna{number}@example.se",
        "status": Status.REGISTERED,
    }
    values.update(fields)
    return Registration.objects.create(event=event, **values)


def run(event, member, columns, format="csv", **options):
    export = export_registrations(
        event=event, columns=columns, format=format, actor=member.user, member=member, **options
    )
    return export, b"".join(export.chunks)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_export_registrations_csv_has_the_picked_columns_in_order(event, member):
    add(event, workplace="Socialtjänsten", job_title="Enhetschef")

    export, content = run(event, member, ["last_name", "first_name", "workplace"])

    assert read_csv(content) == [
        ["Efternamn", "Förnamn", "Arbetsplats"],
        ["Svensson", "Anna1", "Socialtjänsten"],
    ]
    assert export.filename.startswith(f"anmalningar-{event.slug}-")
    assert export.content_type == "text/csv; charset=utf-8"


def test_export_registrations_csv_is_utf8_with_bom_and_semicolons(event, member):
    add(event, first_name="Åsa", last_name="Öberg", workplace="Ängelholms kommun; HR")

    _export, content = run(event, member, ["first_name", "last_name", "workplace"])

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[1] == 'Åsa;Öberg;"Ängelholms kommun; HR"'
    assert read_csv(content)[1] == ["Åsa", "Öberg", "Ängelholms kommun; HR"]


def test_export_registrations_csv_neutralises_formulas_and_keeps_the_value(event, member):
    for number, value in enumerate(INJECTIONS):
        add(event, number, job_title=value)

    _export, content = run(event, member, ["job_title"])

    cells = [row[0] for row in read_csv(content)[1:]]
    assert cells == [
        "'=1+1",
        "'+46 70 123 45 67",
        "-5",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1+1",
        "'\rcmd",
        '\'=HYPERLINK("x")',
    ]
    # What a spreadsheet shows: the marker is not part of the value, which is otherwise untouched.
    assert [cell[1:] if cell.startswith("'") else cell for cell in cells] == INJECTIONS


def test_export_registrations_xlsx_writes_every_value_as_a_string_cell(event, member):
    for number, value in enumerate(INJECTIONS):
        add(event, number, job_title=value)
    add(event, 99, first_name="Åsa", last_name="Öberg", job_title="Ärendehandläggare")

    export, content = run(event, member, ["job_title", "first_name"], format="xlsx")

    sheet = read_xlsx(content)
    column = [row[0] for row in sheet.iter_rows(min_row=2)]
    # OOXML stores a CR as "_x000D_" (Excel shows the CR); openpyxl hands the escape back as it is.
    assert [cell.value.replace("_x000D_", "\r") for cell in column] == [*INJECTIONS, "Ärendehandläggare"]
    assert {cell.data_type for cell in column} == {"s"}
    assert [c.value for c in sheet[1]] == ["Befattning", "Förnamn"]
    assert sheet.cell(row=len(INJECTIONS) + 2, column=2).value == "Åsa"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert export.filename.endswith(".xlsx")


def test_export_registrations_phone_number_stays_itself_in_xlsx(event, member):
    add(event, answer="+46 70 123 45 67")

    _export, content = run(event, member, ["answer"], format="xlsx")

    cell = read_xlsx(content)["A2"]
    assert (cell.value, cell.data_type) == ("+46 70 123 45 67", "s")


def test_export_registrations_statuses_choose_the_rows(event, member):
    add(event, 1)
    add(event, 2, status=Status.WAITLISTED)
    add(event, 3, status=Status.CANCELLED)

    _export, content = run(
        event, member, ["first_name", "status"], statuses=[Status.CANCELLED, Status.REGISTERED]
    )

    assert read_csv(content)[1:] == [["Anna1", "Har plats"], ["Anna3", "Avanmäld"]]


def test_export_registrations_special_category_columns_when_asked(event, member):
    add(
        event,
        membership="member",
        diets=["vegan", "gluten"],
        diet_other="Inga nötter",
        other_needs="Teleslinga",
    )

    _export, content = run(event, member, ["first_name", "membership", "diets", "diet_other", "other_needs"])

    assert read_csv(content)[1] == [
        "Anna1",
        "Ja, jag är medlem",
        "Vegansk, Gluten",
        "Inga nötter",
        "Teleslinga",
    ]


def test_export_registrations_refuses_special_category_without_permission(
    event, member, without_special_category
):
    add(event, membership="member")

    with pytest.raises(SpecialCategoryNotAllowed):
        run(event, member, ["first_name", "membership"])

    assert AuditLog.objects.filter(action="registrations.exported").count() == 0


def test_export_registrations_refuses_door_staff_and_other_organisations(event, staff_factory, member):
    door = OrganisationMember.objects.get(user=staff_factory("door", events=[event]))
    other = Organisation.objects.create(name="Vision", slug="vision")
    stranger = OrganisationMember.objects.get(user=staff_factory("owner", of=other))

    for someone in (door, stranger):
        with pytest.raises(NotAllowed):
            run(event, someone, ["first_name"])


def test_export_registrations_refuses_unknown_columns_and_formats(event, member):
    with pytest.raises(UnknownColumn):
        run(event, member, ["first_name", "password"])
    with pytest.raises(UnknownColumn):
        run(event, member, [])
    with pytest.raises(UnknownFormat):
        run(event, member, ["first_name"], format="ods")


def test_export_registrations_audits_columns_and_row_count_without_values(event, member):
    add(event, 1, first_name="Hemliga")
    add(event, 2)

    run(event, member, ["first_name", "email"], format="xlsx")

    entry = AuditLog.objects.get(action="registrations.exported")
    assert (entry.actor, entry.event_id) == (member.user, event.pk)
    assert entry.data == {
        "columns": ["first_name", "email"],
        "statuses": ["registered", "waitlisted"],
        "format": "xlsx",
        "rows": 2,
    }


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_registrations_query_count_is_flat(event, member, format):
    columns = ["first_name", "registered_by", "status", "diets", "registered_at"]

    def queries(count: int) -> int:
        Registration.objects.filter(event=event).delete()
        inviter = add(event, 1000)
        for number in range(count - 1):
            add(event, number, invited_by=inviter)
        with CaptureQueriesContext(connection) as context:
            _export, content = run(event, member, columns, format=format)
        assert (
            len(read_csv(content) if format == "csv" else list(read_xlsx(content).iter_rows())) == count + 1
        )
        return len(context.captured_queries)

    assert queries(1) == queries(3)


def test_export_registrations_registered_by_names_the_inviter(event, member):
    inviter = add(event, 1, first_name="Anna", last_name="Ek")
    add(event, 2, first_name="Bo", invited_by=inviter)

    _export, content = run(event, member, ["first_name", "registered_by"])

    assert read_csv(content)[1:] == [["Anna", ""], ["Bo", "Anna Ek"]]


def test_export_registrations_confirmed_says_yes_or_no(event, member):
    add(event, 1, confirmed_at=event.starts_at)
    add(event, 2)

    _export, content = run(event, member, ["first_name", "confirmed"])

    assert read_csv(content)[1:] == [["Anna1", "Ja"], ["Anna2", "Nej"]]


def test_export_registrations_csv_is_what_defusedcsv_writes(event, member):
    values = ["Enhetschef", "=1+1", 'Säger "hej"; ja', "+46 70 123 45 67", "", "Rad\nbrytning", "-5", "@x"]
    for number, value in enumerate(values):
        add(event, number, job_title=value)
    reference = io.StringIO()
    writer = defusedcsv.writer(reference, delimiter=";")
    writer.writerows([["Förnamn", "Befattning"], *[[f"Anna{n}", value] for n, value in enumerate(values)]])

    _export, content = run(event, member, ["first_name", "job_title"])

    assert content.decode("utf-8-sig") == reference.getvalue()

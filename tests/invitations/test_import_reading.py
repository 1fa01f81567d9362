"""Reading member-register files: encodings, delimiters, quoting, Excel, limits and refusals."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frukost.invitations import importing
from frukost.invitations.exceptions import InvitationError, NoEmailColumn, UnreadableFile
from tests.invitations import files

ROWS = [["1", "Åsa", "Öberg", "asa.oberg@example.se", "Härnösands kommun", "Enhetschef", "Ja", "Härnösand"]]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_read_table_decodes_each_encoding_and_says_which(encoding, expected):
    table = importing.read_table(files.csv_bytes(ROWS, encoding=encoding))

    assert table.encoding == expected
    assert table.headers[1] == "Förnamn"  # the BOM is not part of the first header either
    assert table.headers[0] == "Medlemsnr"
    assert table.rows == [(2, ROWS[0])]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_read_table_sniffs_the_delimiter(delimiter):
    table = importing.read_table(files.csv_bytes(ROWS, delimiter=delimiter))

    assert table.delimiter == delimiter
    assert table.rows[0][1][3] == "asa.oberg@example.se"


def test_read_table_lets_the_organiser_override_the_delimiter():
    data = "Namn;E-post\nÅsa Öberg, Härnösand;asa@example.se\n".encode()

    assert importing.read_table(data).rows == [(2, ["Åsa Öberg, Härnösand", "asa@example.se"])]
    assert importing.read_table(data, delimiter=",").headers == ["Namn;E-post"]


def test_read_table_keeps_the_files_line_numbers_across_quoted_newlines_and_blank_lines():
    data = (
        "Förnamn;Efternamn;E-post;;\r\n"
        '"Anna";"Lind\r\nqvist";anna@example.se;;\r\n'
        "\r\n"
        ";;;;\r\n"
        "Bo;Ek;bo@example.se;;\r\n"
    ).encode()

    table = importing.read_table(data)

    assert table.headers == ["Förnamn", "Efternamn", "E-post"]  # trailing empty columns dropped
    assert table.rows == [
        (2, ["Anna", "Lind\r\nqvist", "anna@example.se"]),
        (6, ["Bo", "Ek", "bo@example.se"]),
    ]


def test_read_table_pads_short_rows_and_cuts_long_ones():
    table = importing.read_table(b"Namn;E-post\nAnna\nBo;bo@example.se;extra\n")

    assert table.rows == [(2, ["Anna", ""]), (3, ["Bo", "bo@example.se"])]


def test_read_table_reads_the_first_sheet_of_a_workbook_with_dates_and_numbers_as_text():
    data = files.xlsx_bytes(
        [[10001, "Åsa", "Öberg", "asa@example.se", "Kommunen", "Chef", "Ja", dt.date(2029, 5, 16)]],
        sheets={"Andra": [["E-post"], ["bo@example.se"]]},
    )

    table = importing.read_table(data)

    assert (table.kind, table.sheet, table.sheets) == ("xlsx", "Medlemmar", ("Medlemmar", "Andra"))
    assert table.rows == [
        (2, ["10001", "Åsa", "Öberg", "asa@example.se", "Kommunen", "Chef", "Ja", "2029-05-16"])
    ]
    assert importing.read_table(data, sheet="Andra").rows == [(2, ["bo@example.se"])]


def test_read_table_reads_a_formula_cell_as_its_value(tmp_path):
    """A workbook saved by Excel holds each formula's last value; that is what is imported."""
    import zipfile

    data = files.xlsx_bytes([["1", "Åsa", "Öberg", "PLACEHOLDER"]])
    source = zipfile.ZipFile(__import__("io").BytesIO(data))
    out = __import__("io").BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<c r="D2" t="inlineStr"><is><t>PLACEHOLDER</t></is></c>',
                    b'<c r="D2" t="str"><f>LOWER("ASA@EXAMPLE.SE")</f><v>asa@example.se</v></c>',
                )
                assert b"<f>" in content
            target.writestr(item, content)

    assert importing.read_table(out.getvalue()).rows[0][1][3] == "asa@example.se"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n ", "The file is empty."),
        (b"E-post\n", "The file has a header but no people."),
        (b"%PDF-1.4\x00\x01\x02\x03\x04\x05\x06binary", "This does not look like a CSV or Excel file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "This is an old Excel file (.xls)."),
        (b"PK\x03\x04not really a zip", "The Excel file cannot be opened."),
    ],
)
def test_read_table_refuses_what_it_cannot_read_with_a_reason(data, message):
    with pytest.raises(UnreadableFile) as caught:
        importing.read_table(data)

    assert str(caught.value.message).startswith(message)


def test_a_csv_line_that_cannot_be_parsed_is_named_in_the_organisers_words():
    from django.utils import translation

    huge = b"E-post;Namn\nanna@example.se;" + b"x" * 200_000 + b"\n"
    with translation.override("sv"), pytest.raises(UnreadableFile) as caught:
        importing.read_table(huge)

    message = str(caught.value.message)
    assert message == "Rad 2 i filen har en cell som är för lång för att vara ett namn eller en adress."
    assert "field" not in message


def test_read_table_refuses_too_many_rows_and_too_large_files(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    with pytest.raises(UnreadableFile, match="more than 3 rows"):
        importing.read_table(files.csv_bytes(files.member_rows(4)))
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    with pytest.raises(UnreadableFile, match="larger than"):
        importing.read_table(b"E-post\n" + b"a@example.se\n" * 20)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_read_table_raises_nothing_but_its_own_error_for_any_bytes(data):
    try:
        table = importing.read_table(data)
        importing.people_from(
            table, importing.initial_mapping(table, include_membership=True), include_membership=True
        )
    except InvitationError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_read_table_raises_nothing_but_its_own_error_for_a_damaged_workbook(tail):
    data = files.xlsx_bytes(files.member_rows(3))
    damaged = data[: len(data) // 2] + tail
    with contextlib.suppress(InvitationError):
        importing.read_table(damaged)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            files.HEADERS,
            {
                "first_name": 1,
                "last_name": 2,
                "email": 3,
                "workplace": 4,
                "job_title": 5,
                "membership": 6,
                "region": 7,
            },
        ),
        (
            ["First name", "Last name", "E-mail", "Employer", "Title", "Membership status", "City"],
            {
                "first_name": 0,
                "last_name": 1,
                "email": 2,
                "workplace": 3,
                "job_title": 4,
                "membership": 5,
                "region": 6,
            },
        ),
        (
            ["Namn", "Mail", "Arbetsgivare", "Titel", "Medlemsstatus", "Ort"],
            {"name": 0, "email": 1, "workplace": 2, "job_title": 3, "membership": 4, "region": 5},
        ),
        (["E-post", "Region", "Avdelning"], {"email": 0, "region": 1}),
    ],
)
def test_guess_mapping_reads_swedish_and_english_headers(headers, expected):
    assert importing.guess_mapping(headers) == expected


def test_guess_mapping_offers_no_membership_column_to_a_role_that_may_not_see_it():
    assert "membership" not in importing.guess_mapping(files.HEADERS, include_membership=False)


def test_initial_mapping_finds_the_address_column_by_its_values():
    table = importing.read_table(b"Vem;Kontakt\nAnna;anna@example.se\nBo;bo@example.se\n")

    assert importing.initial_mapping(table, include_membership=False) == {"email": 1}


def test_people_from_splits_a_full_name_and_reads_membership_only_when_allowed():
    table = importing.read_table(
        b"Namn;E-post;Medlem\nLindqvist, Anna Maria;a@example.se;Ja\nBo Ek;b@example.se;Nej\n"
    )
    mapping = {"name": 0, "email": 1, "membership": 2}

    allowed = importing.people_from(table, mapping, include_membership=True)
    refused = importing.people_from(table, mapping, include_membership=False)

    assert [(p.first_name, p.last_name, p.membership) for p in allowed] == [
        ("Anna Maria", "Lindqvist", "member"),
        ("Bo", "Ek", "not_member"),
    ]
    assert [p.membership for p in refused] == ["", ""]


def test_people_from_without_an_address_column_refuses():
    table = importing.read_table(b"Namn;Ort\nAnna;Sundsvall\n")

    with pytest.raises(NoEmailColumn):
        importing.people_from(
            table, importing.initial_mapping(table, include_membership=False), include_membership=False
        )


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("", "no address"),
        ("anna.lindqvist.sundsvall.se", "@ is missing"),
        ("bo oberg@harnosand.se", "contains a space"),
        ("anna@", "no domain after the @"),
        ("anna@sundsvall", "the domain has no dot (like example.se)"),
        ("a@b@example.se", "more than one @"),
        ("@example.se", "nothing before the @"),
        ("a" * 65 + "@example.se", "too long"),
        ("anna@exa_mple..se", "not a valid e-mail address"),
        (" Anna.Lindqvist@Sundsvall.SE ", ""),
        ("asa@exämple.se", ""),
        ("åsa@example.se", "not a valid e-mail address"),  # as the registration form refuses it
    ],
)
def test_address_problem_says_why_an_address_does_not_work(address, problem):
    assert importing.address_problem(address) == problem


def test_read_table_stops_at_a_sheet_of_empty_rows(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 5)
    data = files.xlsx_bytes([["", "", "", ""]] * 20 + [["1", "Åsa", "Öberg", "asa@example.se"]])

    with pytest.raises(UnreadableFile, match="more than 5 rows"):
        importing.read_table(data)

"""The door list and name badges as PDF: read back with poppler (pdftotext, pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from frukost.core.collation import swedish_sort_key
from frukost.core.models import AuditLog
from frukost.registrations.door_documents import (
    BADGE_HEIGHT,
    BADGE_PADDING,
    BADGE_WIDTH,
    BOLD,
    REGULAR,
    badges_pdf,
    door_list_pdf,
    fit_text,
)
from frukost.registrations.services import register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install poppler-utils"
)
LONG_FIRST, LONG_LAST = "Anna-Karin", "Östergren-Wåhlin Lindqvist"
SENSITIVE = {
    "membership": "member",
    "diets": ["gluten"],
    "diet_other": "Laktosfri",
    "other_needs": "Teleslinga",
}


def _text(pdf: bytes, tmp_path: Path, *args: str) -> str:
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *args, str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pngs(pdf: bytes, tmp_path: Path, name: str) -> list[Path]:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / name)], check=True)
    return sorted(tmp_path.glob(f"{name}-*.png"))


def _ink(png: Path) -> float:
    """The share of pixels that are not white."""
    from PIL import Image

    histogram = Image.open(png).convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


@pytest.fixture
def attendees(event_factory, colleague):
    event = event_factory(capacity=4)
    register(
        event=event,
        person=make_person(
            "asa@example.se", first_name="Åsa", last_name="Öström", workplace="Sundsvalls kommun", **SENSITIVE
        ),
        colleagues=[colleague("bo@example.se", first_name="Bo", last_name="Zetterberg")],
    )
    for address, first, last, workplace in [
        ("a@example.se", LONG_FIRST, LONG_LAST, "Region Västernorrland, Hälso- och sjukvårdsförvaltningen"),
        ("c@example.se", "Cilla", "Ängel", "Timrå kommun"),
        ("d@example.se", "Dan", "Åberg", "Mittuniversitetet"),
        ("e@example.se", "Eva", "Ek", "SCA"),
    ]:
        register(
            event=event, person=make_person(address, first_name=first, last_name=last, workplace=workplace)
        )
    return event  # seats: Öström, Zetterberg, Östergren-Wåhlin Lindqvist, Ängel; waiting: Åberg, Ek


def test_swedish_sort_key_puts_a_ring_a_diaeresis_o_diaeresis_after_z():
    names = ["Öst", "Ängel", "Zorn", "Åberg", "Eklund", "Éclair", "Östergren", "Aalto"]

    assert sorted(names, key=swedish_sort_key) == [
        "Aalto", "Éclair", "Eklund", "Zorn", "Åberg", "Ängel", "Öst", "Östergren"
    ]  # fmt: skip


@needs_poppler
def test_door_list_pdf_is_alphabetical_with_waiting_list_after_and_header(attendees, tmp_path):
    with translation.override("sv"):
        pdf = door_list_pdf(attendees, actor=None)

    text = _text(pdf, tmp_path, "-layout")
    names = re.findall(r"^\s*(Zetterberg|Östergren-Wåhlin Lindqvist|Ängel|Öström|Åberg|Ek),", text, re.M)
    assert names == ["Zetterberg", "Ängel", "Östergren-Wåhlin Lindqvist", "Öström", "Ek", "Åberg"]
    assert (
        text.index("Med plats (4)")
        < text.index("Zetterberg")
        < text.index("Väntelista (2)")
        < text.index("Ek,")
    )
    assert re.search(r"Zetterberg, Bo\s+–\s+Åsa Öström\s+Plats", text)  # Åsa's colleague, with a seat
    assert re.search(r"Åberg, Dan\s+Mittuniversitetet\s+–\s+Väntelista", text)
    assert "Chefsfrukost: Leda med tillit" in text
    assert (
        "onsdag 16 maj 2029 kl. 08.00–09.30 · Scandic Sundsvall City, Trädgårdsgatan 31-33, Sundsvall" in text
    )
    assert "Sundsvalls kommun" in text
    assert "Sida 1 av 1" in text
    for secret in ("medlem", "Laktosfri", "Teleslinga", "gluten", "Gluten", "asa@example.se"):
        assert secret not in text, secret
    printed = AuditLog.objects.filter(action="event.door_list_printed")
    assert list(printed.values_list("event_id", "data")) == [(attendees.pk, {"rows": 6})]


@needs_poppler
def test_door_list_pdf_repeats_header_and_numbers_pages(event_factory, tmp_path):
    event = event_factory(capacity=200)
    for n in range(90):
        register(
            event=event,
            person=make_person(f"p{n}@example.se", first_name="Per", last_name=f"Nilsson {n:02d}"),
        )

    with translation.override("en"):
        text = _text(door_list_pdf(event, actor=None), tmp_path)

    pages = text.split("\f")[:-1]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Workplace" in page and "Colleague of" in page
        assert "Chefsfrukost: Leda med tillit" in page
    assert "Wednesday 16 May 2029" in pages[0]


def test_fit_text_keeps_a_long_name_inside_the_badge():
    width = BADGE_WIDTH - 2 * BADGE_PADDING
    from reportlab.pdfbase.pdfmetrics import stringWidth

    short = fit_text("Bo", font=BOLD, max_size=24, min_size=12, width=width, max_lines=1)
    long = fit_text(LONG_LAST, font=REGULAR, max_size=15, min_size=9, width=width, max_lines=2)
    huge = fit_text("Ö" * 80, font=BOLD, max_size=24, min_size=12, width=width, max_lines=1)

    assert short == type(short)(24, ("Bo",))
    assert " ".join(long.lines) == LONG_LAST or "".join(long.lines) == LONG_LAST
    assert fit_text(
        "Hälso- och sjukvård", font=REGULAR, max_size=9, min_size=9, width=60, max_lines=3
    ).lines == (
        "Hälso- och",
        "sjukvård",
    )
    assert fit_text("Hälso-och", font=REGULAR, max_size=9, min_size=9, width=30, max_lines=3).lines == (
        "Hälso-",
        "och",
    )
    assert len(long.lines) <= 2 and 9 <= long.size <= 15
    for fitted, font in ((long, REGULAR), (huge, BOLD)):
        assert all(stringWidth(line, font, fitted.size) <= width for line in fitted.lines), fitted
    assert huge.size == 12 and huge.lines[0].endswith("…")


@needs_poppler
def test_badges_pdf_only_seated_names_inside_their_badges(attendees, tmp_path):
    with translation.override("sv"):
        pdf = badges_pdf(attendees, actor=None)

    text = _text(pdf, tmp_path)
    for name in (
        "Zetterberg",
        "Ängel",
        "Öström",
        "Åsa",
        "Anna-Karin",
        "Akademikerförbundet SSR",
        "Timrå kommun",
    ):
        assert name in text, name
    assert "Åberg" not in text and "Ek\n" not in text  # the waiting list gets no badges
    # Every word inside its badge (pdftotext -bbox: points from the top-left corner).
    html = _text(pdf, tmp_path, "-bbox")
    words = [tuple(map(float, m[:4])) + (m[4],) for m in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html
    )]  # fmt: skip
    assert {w[4] for w in words} >= {"Anna-Karin", "Östergren-Wåhlin", "Lindqvist"}
    left_edge = (595.2756 - 2 * BADGE_WIDTH) / 2
    top_edge = (841.8898 - 5 * BADGE_HEIGHT) / 2
    for x_min, y_min, x_max, y_max, word in words:
        column = int((x_min - left_edge) // BADGE_WIDTH)
        row = int((y_min - top_edge) // BADGE_HEIGHT)
        assert left_edge + column * BADGE_WIDTH < x_min and x_max < left_edge + (column + 1) * BADGE_WIDTH, (
            word
        )
        assert top_edge + row * BADGE_HEIGHT < y_min and y_max < top_edge + (row + 1) * BADGE_HEIGHT, word
    printed = AuditLog.objects.filter(action="event.badges_printed")
    assert list(printed.values_list("event_id", "data")) == [(attendees.pk, {"rows": 4})]


@needs_poppler
def test_door_list_and_badges_render_as_images_with_ink(attendees, tmp_path):
    door = _pngs(door_list_pdf(attendees, actor=None), tmp_path, "door")
    badges = _pngs(badges_pdf(attendees, actor=None), tmp_path, "badges")

    assert len(door) == 1 and len(badges) == 1
    assert 0.005 < _ink(door[0]) < 0.5
    assert 0.01 < _ink(badges[0]) < 0.5

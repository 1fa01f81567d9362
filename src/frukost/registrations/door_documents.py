"""The door's paper: a door list to tick and name badges, as PDF (ReportLab).

Built from the same rows as the back office's door list (`queries.door_list`): names, workplace,
who brought whom, seat or queue. Membership, diets and needs are never loaded, so no page can
print them. Text follows the active language (the person printing); the fonts are bundled
(DejaVu Sans, see fonts/LICENSE-DejaVu.txt) so å, ä and ö render on any machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from frukost.core import formats
from frukost.core.collation import by_name
from frukost.core.models import audit
from frukost.events.models import Event
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration

FONTS = Path(__file__).parent / "fonts"
REGULAR = "FrukostSans"
BOLD = "FrukostSans-Bold"

# The common badge size (the inserts of most badge holders), 2 × 5 to an A4 sheet.
BADGE_WIDTH = 90 * mm
BADGE_HEIGHT = 55 * mm
BADGE_COLUMNS = 2
BADGE_ROWS = 5
BADGE_PADDING = 5 * mm
BAND_HEIGHT = 10 * mm


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def _by_name(person: Registration) -> tuple[str, str, int]:
    return by_name(person.last_name, person.first_name, person.pk)


def door_people(event: Event) -> tuple[list[Registration], list[Registration]]:
    """Those with a seat and those on the waiting list, each in Swedish alphabetical order."""
    people = sorted(queries.door_list(event), key=_by_name)
    seated = [p for p in people if p.status == Status.REGISTERED]
    waiting = [p for p in people if p.status == Status.WAITLISTED]
    return seated, waiting


def _when_and_where(event: Event) -> str:
    when = f"{formats.long_date(event.starts_at)} {formats.time_range(event.starts_at, event.ends_at)}"
    if event.online:
        where = _("Online")
    else:
        where = ", ".join(part for part in (event.venue_name, event.address_line) if part)
    return " · ".join(part for part in (when, where) if part)


# --- The door list -------------------------------------------------------------------------------


class _TickBox(Flowable):
    """An empty square to tick with a pen."""

    size = 4.5 * mm

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size)


class _NumberedCanvas(canvas.Canvas):
    """Writes "Page 1 of 3" on every page: the total is only known once all pages are laid out."""

    def __init__(self, *args, page_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._page_label = page_label

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(REGULAR, 8)
            self.drawRightString(
                A4[0] - 15 * mm, 10 * mm, self._page_label % {"page": number, "pages": total}
            )
            super().showPage()
        super().save()


def door_list_pdf(event: Event, *, actor) -> bytes:
    """The door list on A4: a box to tick, name, workplace, whose colleague, seat or queue.

    Those with a seat first, then the waiting list in its own section, each alphabetical by last
    name; the event's title, date and place and the column headings on every page. Audited
    (`event.door_list_printed`, with the number of rows): names leave the system on paper.
    """
    _register_fonts()
    seated, waiting = door_people(event)
    audit("event.door_list_printed", event_id=event.pk, actor=actor, rows=len(seated) + len(waiting))
    buffer = io.BytesIO()
    title = event.title
    door_list_label = _("Door list")
    subtitle = _when_and_where(event)

    def header(pdf, document):
        pdf.saveState()
        pdf.setFont(BOLD, 12)
        pdf.drawString(15 * mm, A4[1] - 14 * mm, title[:90])
        pdf.setFont(REGULAR, 9)
        pdf.drawString(15 * mm, A4[1] - 19.5 * mm, subtitle[:130])
        pdf.setFont(REGULAR, 8)
        pdf.drawString(15 * mm, 10 * mm, f"{door_list_label} · {event.organisation.name}"[:100])
        pdf.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=26 * mm,
        bottomMargin=18 * mm,
        title=_("Door list: %(title)s") % {"title": title},
        author=event.organisation.name,
    )
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=9.5, leading=11.5)
    name_style = ParagraphStyle("name", parent=cell, fontName=REGULAR)
    heading = ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14, spaceAfter=3 * mm)
    head_style = ParagraphStyle("head", parent=cell, fontName=BOLD, fontSize=8.5)
    widths = [9 * mm, 55 * mm, 51 * mm, 38 * mm, 27 * mm]

    def table(people: Sequence[Registration], status_label: str) -> Table:
        rows = [
            [
                "",
                Paragraph(escape(_("Name")), head_style),
                Paragraph(escape(_("Workplace")), head_style),
                Paragraph(escape(_("Colleague of")), head_style),
                Paragraph(escape(_("Status")), head_style),
            ]
        ]
        for person in people:
            rows.append(
                [
                    _TickBox(),
                    Paragraph(f"<b>{escape(person.last_name)}</b>, {escape(person.first_name)}", name_style),
                    Paragraph(escape(person.workplace or "–"), cell),
                    Paragraph(escape(person.invited_by.full_name if person.invited_by else "–"), cell),
                    Paragraph(escape(status_label), cell),
                ]
            )
        result = Table(rows, colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f3f3")]),
                ]
            )
        )
        return result

    story: list[Flowable] = [
        Paragraph(escape(_("With a seat (%(count)d)") % {"count": len(seated)}), heading),
    ]
    story.append(table(seated, _("Seat")) if seated else Paragraph(escape(_("Nobody yet.")), cell))
    if waiting:
        story += [
            Spacer(1, 8 * mm),
            Paragraph(escape(_("Waiting list (%(count)d)") % {"count": len(waiting)}), heading),
            table(waiting, _("Waiting list")),
        ]
    page_label = _("Page %(page)d of %(pages)d")
    document.build(
        story,
        onFirstPage=header,
        onLaterPages=header,
        canvasmaker=lambda *args, **kwargs: _NumberedCanvas(*args, page_label=page_label, **kwargs),
    )
    return buffer.getvalue()


# --- Name badges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fitted:
    """A text laid out to fit a box: the font size and the lines at that size."""

    size: float
    lines: tuple[str, ...]


def _break_points(text: str) -> list[str]:
    """The pieces `text` may break after: words (with their space) and hyphenated parts
    ("Östergren-" "Wåhlin " "Lindqvist ")."""
    pieces: list[str] = []
    for word in text.split():
        parts = word.split("-")
        word_pieces = [part + "-" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        word_pieces[-1] += " "
        pieces += word_pieces
    return pieces


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece in _break_points(text):
        candidate = line + piece
        if line and pdfmetrics.stringWidth(candidate.rstrip(), font, size) > width:
            lines.append(line.rstrip())
            line = piece
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    # A single word wider than the box is cut by characters: never drawn past the edge.
    result: list[str] = []
    for line in lines:
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            result.append(line[:cut])
            line = line[cut:]
        result.append(line)
    return result


def fit_text(
    text: str, *, font: str, max_size: float, min_size: float, width: float, max_lines: int
) -> Fitted:
    """The largest size from `max_size` down to `min_size` at which `text` fits `width` in at
    most `max_lines` lines (wrapped at spaces and hyphens); at `min_size` it wraps further rather
    than overflow, and only past `max_lines` even then is the rest left out with an ellipsis."""
    _register_fonts()
    text = " ".join(text.split())
    if not text:
        return Fitted(max_size, ())
    size = max_size
    while size >= min_size:
        lines = _wrap(text, font, size, width)
        if len(lines) <= max_lines:
            return Fitted(size, tuple(lines))
        size -= 0.5
    lines = _wrap(text, font, min_size, width)[:max_lines]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, min_size) > width:
        last = last[:-1]
    return Fitted(min_size, (*lines[:-1], last.rstrip() + "…"))


def _text_colour_on(colour: str) -> colors.Color:
    """Black or white, whichever reads on the organisation's colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return colors.black if luminance > 150 else colors.white


def _draw_lines(pdf, fitted: Fitted, font: str, x: float, top: float, leading: float) -> float:
    """Draw the lines from `top` (their cap height) downwards; return where the next text starts."""
    pdf.setFont(font, fitted.size)
    y = top
    for line in fitted.lines:
        y -= fitted.size
        pdf.drawString(x, y, line)
        y -= fitted.size * (leading - 1)
    return y


def _draw_badge(pdf, person: Registration, organisation_name: str, colour: str, x: float, y: float):
    inner = BADGE_WIDTH - 2 * BADGE_PADDING
    pdf.setStrokeColor(colors.HexColor("#999999"))
    pdf.setLineWidth(0.3)
    pdf.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT)  # thin border: the line to cut along
    band_bottom = y + BADGE_HEIGHT - BAND_HEIGHT
    pdf.setFillColor(colors.HexColor(colour))
    pdf.rect(x, band_bottom, BADGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
    organisation = fit_text(organisation_name, font=BOLD, max_size=10, min_size=6, width=inner, max_lines=1)
    pdf.setFillColor(_text_colour_on(colour))
    pdf.setFont(BOLD, organisation.size)
    if organisation.lines:
        pdf.drawString(
            x + BADGE_PADDING,
            band_bottom + (BAND_HEIGHT - organisation.size * 0.72) / 2,
            organisation.lines[0],
        )
    pdf.setFillColor(colors.black)
    left = x + BADGE_PADDING
    top = band_bottom - 4 * mm
    first = fit_text(person.first_name, font=BOLD, max_size=24, min_size=12, width=inner, max_lines=1)
    top = _draw_lines(pdf, first, BOLD, left, top, 1.2)
    last = fit_text(person.last_name, font=REGULAR, max_size=15, min_size=9, width=inner, max_lines=2)
    _draw_lines(pdf, last, REGULAR, left, top - 1 * mm, 1.15)
    if person.workplace:
        workplace = fit_text(person.workplace, font=REGULAR, max_size=9, min_size=7, width=inner, max_lines=2)
        # From the bottom edge up, so a two-line last name never runs into it.
        bottom_top = y + BADGE_PADDING + workplace.size * 1.2 * len(workplace.lines)
        pdf.setFillColor(colors.HexColor("#444444"))
        _draw_lines(pdf, workplace, REGULAR, left, bottom_top, 1.2)
        pdf.setFillColor(colors.black)


def badges_pdf(event: Event, *, actor) -> bytes:
    """Name badges for everyone with a seat, 90 × 55 mm, ten to an A4 sheet, in door-list order.

    First name large, last name below, workplace at the foot, the organisation's name on a band in
    its colour. Long names shrink and wrap to stay inside the badge (`fit_text`). Audited
    (`event.badges_printed`, with the number of badges).
    """
    _register_fonts()
    seated, _waiting = door_people(event)
    audit("event.badges_printed", event_id=event.pk, actor=actor, rows=len(seated))
    organisation = event.organisation
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Name badges: %(title)s") % {"title": event.title})
    pdf.setAuthor(organisation.name)
    margin_x = (A4[0] - BADGE_COLUMNS * BADGE_WIDTH) / 2
    margin_y = (A4[1] - BADGE_ROWS * BADGE_HEIGHT) / 2
    per_sheet = BADGE_COLUMNS * BADGE_ROWS
    for index, person in enumerate(seated):
        if index and index % per_sheet == 0:
            pdf.showPage()
        place = index % per_sheet
        row, column = divmod(place, BADGE_COLUMNS)
        x = margin_x + column * BADGE_WIDTH
        y = A4[1] - margin_y - (row + 1) * BADGE_HEIGHT
        _draw_badge(pdf, person, organisation.name, organisation.colour, x, y)
    if not seated:
        pdf.setFont(REGULAR, 11)
        pdf.drawString(margin_x, A4[1] - margin_y, _("Nobody has a seat yet."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

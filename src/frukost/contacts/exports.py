"""Exporting an organisation's leads as CSV or XLSX for the local representative, and its
do-not-mail list as CSV (export_suppressions, at the end).

The files are written by frukost.core.spreadsheets (formula neutralisation, a CSV Excel in a
Swedish locale opens, bounded memory). The columns are fixed: what the person agreed the
representative may know (name, workplace, title, address, the event, whether they came as a
non-member or a colleague, what they answered) and the follow-up. No membership answer beyond
the lead's kind, no diets or needs: those are never part of a lead. The caller checks that the
member may see leads (VIEW_LEADS: contacts knows no roles); every export is audited with the
format, the filters and the row count, never a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.contacts.enums import LeadKind, SuppressionReason
from frukost.contacts.exceptions import InvalidLead, InvalidSuppression
from frukost.contacts.queries import leads_for, suppressions_for
from frukost.core import formats
from frukost.core.models import audit
from frukost.core.spreadsheets import CONTENT_TYPES, Export, ExportFormat, table_chunks
from frukost.events.models import Organisation

CHUNK_SIZE = 2000


def _moment(value: dt.datetime | None) -> str:
    return formats.local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _header() -> list[str]:
    return [
        _("First name"),
        _("Last name"),
        _("E-mail"),
        _("Workplace"),
        _("Job title"),
        _("Event"),
        _("Event date"),
        _("Kind"),
        _("Rating (1–5)"),
        _("Most useful"),
        _("Comment"),
        _("Said yes on"),
        _("Contacted on"),
        _("Contacted by"),
        _("Note"),
    ]


def _rows(leads) -> Iterator[list[str]]:
    kinds = {value: str(label) for value, label in LeadKind.choices}
    for lead in leads.iterator(chunk_size=CHUNK_SIZE):
        answers = lead.answers or {}
        rating = answers.get("rating")
        event = lead.source_event
        yield [
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.workplace,
            lead.job_title,
            event.title if event else "",
            formats.local(event.starts_at).strftime("%Y-%m-%d") if event else "",
            kinds.get(lead.kind, lead.kind),
            "" if rating is None else str(rating),
            str(answers.get("most_useful") or ""),
            str(answers.get("comment") or ""),
            _moment(lead.consented_at),
            _moment(lead.contacted_at),
            lead.contacted_by.email if lead.contacted_by else "",
            lead.note,
        ]


def export_leads(
    *,
    organisation: Organisation,
    format: str,
    actor,
    event_id: int | None = None,
    contacted: bool | None = None,
) -> Export:
    """The organisation's leads (for one event, (not) contacted only, if asked) as a CSV or XLSX file.

    Writes a `leads.exported` audit entry (format, filters, row count). Raises InvalidLead for an
    unknown format.
    """
    if format not in ExportFormat.values:
        raise InvalidLead(f"unknown format: {format}")
    leads = leads_for(organisation, event_id=event_id, contacted=contacted)
    with transaction.atomic():
        row_count = leads.count()
        audit(
            "leads.exported",
            organisation_id=organisation.pk,
            event_id=event_id,
            actor=actor,
            format=format,
            contacted=contacted,
            rows=row_count,
        )
    stamp = timezone.localdate().isoformat()
    return Export(
        filename=f"intresserade-{organisation.slug}-{stamp}.{format}",
        content_type=CONTENT_TYPES[ExportFormat(format)],
        row_count=row_count,
        chunks=table_chunks(format, _header(), _rows(leads), sheet=_("Leads")),
    )


# --- The do-not-mail list ----------------------------------------------------------------------


def _suppression_header() -> list[str]:
    return [_("E-mail"), _("Reason"), _("Added"), _("Detail")]


def _suppression_rows(rows) -> Iterator[list[str]]:
    reasons = {value: str(label) for value, label in SuppressionReason.choices}
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [row.email, reasons.get(row.reason, row.reason), _moment(row.created_at), row.detail]


def export_suppressions(*, organisation: Organisation, actor, search: str = "", reason: str = "") -> Export:
    """The organisation's do-not-mail list (searched, for one reason, if asked) as a CSV file:
    address, reason, when, detail; cells neutralised like every export (core.spreadsheets).

    Another mail tool the organisation uses can honour the same wishes with it. Writes a
    `suppressions.exported` audit entry (the row count, never an address). Raises
    InvalidSuppression for an unknown reason.
    """
    if reason and reason not in SuppressionReason.values:
        raise InvalidSuppression(_("Choose a reason from the list."), field="reason")
    rows = suppressions_for(organisation, search=search, reason=reason)
    with transaction.atomic():
        row_count = rows.count()
        audit(
            "suppressions.exported",
            organisation_id=organisation.pk,
            actor=actor,
            format=ExportFormat.CSV.value,
            rows=row_count,
        )
    stamp = timezone.localdate().isoformat()
    return Export(
        filename=f"sparrlista-{organisation.slug}-{stamp}.csv",
        content_type=CONTENT_TYPES[ExportFormat.CSV],
        row_count=row_count,
        chunks=table_chunks(ExportFormat.CSV, _suppression_header(), _suppression_rows(rows), sheet=""),
    )

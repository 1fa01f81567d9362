"""Whatever is pasted, the importer returns a draft and never raises."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from frukost.importer.draft import EventDraft
from frukost.importer.parse import parse_invitation
from tests.importer.conftest import TODAY

# Pieces of real invitations, so that the generated texts reach the date, time and place rules.
FRAGMENTS = [
    "Chefsfrukost: Leda med tillit",
    "Onsdagen den 16 maj",
    "Wednesday 16 May",
    "29 februari",
    "31/4",
    "2027-13-45",
    "kl. 8",
    "08.00–09.30",
    "8:00-9:30 am",
    "12-1 pm",
    "24.00",
    "Frukost från 07:30",
    "Plats:",
    "Datum och tid",
    "Scandic Sundsvall City, Trädgårdsgatan 31-33, 852 30 Sundsvall",
    "Digitalt via Teams",
    "Anmäl dig senast den 1 maj.",
    "senast dagen innan",
    "OSA senast 25/1",
    "Kontakta Julia Wålbrink, julia.walbrink@akademssr.se",
    "070-123 45 67",
    "Varmt välkommen!",
    "?",
    "\n",
    "\n\n",
    ", ",
    "\u00a0",
    "\x00",
]

texts = st.one_of(
    st.text(max_size=3000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("\n".join),
)


@settings(max_examples=400, deadline=None)
@given(text=texts, today=st.dates(min_value=TODAY.replace(year=2000), max_value=TODAY.replace(year=2090)))
def test_parse_invitation_never_raises_and_returns_a_draft(text, today):
    draft = parse_invitation(text, today=today)

    assert isinstance(draft, EventDraft)
    json.dumps(draft.as_json())
    for moment in (draft.starts_at, draft.ends_at, draft.doors_at):
        assert moment is None or moment.tzinfo is not None
    if draft.starts_at and draft.ends_at:
        assert draft.ends_at > draft.starts_at
    assert draft.title is None or len(draft.title) <= 200

"""Audit entries outlive the personal data they refer to, so they must never hold any.

Every `audit("…", key=value)` call in the code is read (with `ast`) and its keys checked against
the ones known to carry only ids, counts, names of fields or choices: a new key fails this test
until someone has looked at what it holds and added it here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import frukost

# Keys that hold ids, counts, field or column names, roles, statuses: never what identifies a person.
NOT_PERSONAL = {
    "event_id", "registration_id", "actor", "organisation_id",  # the entry's own columns
    "list_id", "reason", "has_venue_contact", "book_margin", "columns", "statuses", "format", "rows",
    "status", "colleague", "fields", "special_category", "recipients", "announcement_id", "audience",
    "member_id", "role", "invitation_id", "replaced_invitation_ids", "previous_role", "event_ids",
    "series_id", "source_event_id", "warnings", "day", "events", "manual", "revoked",
    "contact_id", "repeated", "periods",  # a row id, a flag, the retention periods in days
    "walk_in", "at_door", "beyond_capacity",  # flags: registered or seated at the door, over capacity
    "lead_id", "contacted",  # a row id; the export's filter (contacted or not, or both: None)
    "follow_up_id", "kind", "without_address",  # a follow-up mail: its id, thanks/sorry, a count
    "overbooking", "overbooking_before", "capacity",  # event.overbooking_changed: seat numbers
    "invitees", "kept_on_list",  # an erasure of invitation data: a count, a flag
    "source",  # an invitation list's source: "file" or "contacts"
    "days",  # the invitation reminder: days before the deadline
}  # fmt: skip
# Where `**data` is passed: each reviewed (what the dictionary holds is said beside it).
SPREADS = {
    "registrations/services/register.py",  # {"by_organiser": True}
    "privacy/retention.py",  # counts per kind
    "invitations/services.py",  # {"count_<row kind>": n}: the import preview's counts
}


def audit_calls():
    root = Path(frukost.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit"
            ):
                yield path.relative_to(root).as_posix(), node


def test_audit_calls_write_only_keys_known_to_hold_no_personal_data():
    unknown, spreads, calls = set(), set(), 0
    for where, call in audit_calls():
        calls += 1
        for keyword in call.keywords:
            if keyword.arg is None:
                spreads.add(where)
            elif keyword.arg not in NOT_PERSONAL:
                unknown.add(f"{where}: {keyword.arg}")

    assert calls > 30
    assert unknown == set(), "look at what these hold; add them to NOT_PERSONAL only if they identify no one"
    assert spreads <= SPREADS

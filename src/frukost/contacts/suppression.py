"""The organisation's do-not-mail list: who gets no more invitations, and why.

`suppress` is called by the unsubscribe page (and the mail client's one-click POST), by the mail
worker's bounce hook and by an organiser; `suppressed_reasons` answers an import's preview for
thousands of addresses in one query; `is_suppressed` is asked again as each invitation is
composed. An unsubscribe outranks a bounce or an organiser's entry (it is the person's own wish,
and only they can take it back by registering again with the consent box ticked).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.models import Suppression
from frukost.core.emails import normalise_email
from frukost.core.models import audit
from frukost.events.models import Organisation

# Which reason a later one may replace: the person's own unsubscribe is never downgraded.
_RANK = {SuppressionReason.ADDED: 0, SuppressionReason.BOUNCED: 1, SuppressionReason.UNSUBSCRIBED: 2}
_LOOKUP_CHUNK = 500


def suppress(
    *, organisation: Organisation, email: str, reason: SuppressionReason | str, detail: str = "", actor=None
) -> Suppression | None:
    """Put an address on the organisation's do-not-mail list (idempotent). Returns the row, or
    None for an empty address. Takes effect at once: the next invitation composed for it is
    skipped."""
    email = normalise_email(email)
    if not email:
        return None
    reason = SuppressionReason(reason)
    detail = (detail or "")[:300]
    with transaction.atomic():
        row = Suppression.objects.select_for_update().filter(organisation=organisation, email=email).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Suppression.objects.create(
                        organisation=organisation, email=email, reason=reason, detail=detail
                    )
            except IntegrityError:  # another request added it a moment ago
                row = Suppression.objects.select_for_update().get(organisation=organisation, email=email)
            else:
                audit("suppression.added", organisation_id=organisation.pk, actor=actor, reason=reason.value)
                return row
        if _RANK[reason] > _RANK[SuppressionReason(row.reason)]:
            row.reason, row.detail = reason, detail
            row.save(update_fields=["reason", "detail"])
            audit("suppression.added", organisation_id=organisation.pk, actor=actor, reason=reason.value)
        return row


def is_suppressed(organisation: Organisation | int, email: str) -> bool:
    email = normalise_email(email)
    organisation_id = getattr(organisation, "pk", organisation)
    return bool(email) and Suppression.objects.filter(organisation_id=organisation_id, email=email).exists()


def suppressed_reasons(organisation: Organisation | int, emails: Iterable[str]) -> dict[str, str]:
    """{normalised address: reason} for those of `emails` on the list (a query per 500 addresses)."""
    organisation_id = getattr(organisation, "pk", organisation)
    wanted = sorted({normalise_email(e) for e in emails if e})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        found.update(
            Suppression.objects.filter(organisation_id=organisation_id, email__in=chunk).values_list(
                "email", "reason"
            )
        )
    return found

"""The organisation's do-not-mail list: who gets no more invitations, and why.

`suppress` is called by the unsubscribe page (and the mail client's one-click POST), by the mail
worker's bounce hook and by an organiser; `suppressed_reasons` answers an import's preview for
thousands of addresses in one query; `is_suppressed` is asked again as each invitation is
composed. An unsubscribe outranks a bounce or an organiser's entry (it is the person's own wish,
and only they can take it back by registering again with the consent box ticked:
`contacts.services.record_consent` lifts it). An unsubscribe also withdraws the person's consent to
future invitations (a Contact) in the same transaction: "no more invitations" means from the
contacts too.

The back office's do-not-mail page (and later the REST API) add an address on someone's request
(`add_address`) and take off a bounced or organiser-added one (`remove_address`); an unsubscribe
cannot be removed by anyone but the person. Every change is audited with the reason only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.exceptions import AlreadySuppressed, InvalidSuppression, UnsubscribeIsThePersons
from frukost.contacts.models import Suppression
from frukost.contacts.services import withdraw_consent
from frukost.core.emails import normalise_email
from frukost.core.models import audit
from frukost.events.models import Organisation

# Which reason a later one may replace: the person's own unsubscribe is never downgraded.
_RANK = {SuppressionReason.ADDED: 0, SuppressionReason.BOUNCED: 1, SuppressionReason.UNSUBSCRIBED: 2}
_LOOKUP_CHUNK = 500
DETAIL_MAX_LENGTH = Suppression._meta.get_field("detail").max_length
_email_validator = EmailValidator(allowlist=[])


def suppress(
    *, organisation: Organisation, email: str, reason: SuppressionReason | str, detail: str = "", actor=None
) -> Suppression | None:
    """Put an address on the organisation's do-not-mail list (idempotent). Returns the row, or
    None for an empty address. Takes effect at once: the next invitation composed for it is
    skipped.

    For UNSUBSCRIBED the person's consent to future invitations from the organisation (their
    Contact, if any) is withdrawn in the same transaction (journalled like any withdrawal): they
    said "no more invitations", and a consenting contact is one more way to be invited.
    """
    email = normalise_email(email)
    if not email:
        return None
    reason = SuppressionReason(reason)
    detail = (detail or "")[:DETAIL_MAX_LENGTH]
    with transaction.atomic():
        if reason == SuppressionReason.UNSUBSCRIBED:
            withdraw_consent(organisation=organisation, email=email, actor=actor)
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


def _valid_address(email: str) -> str:
    address = normalise_email(email)
    if not address:
        raise InvalidSuppression(_("Write the e-mail address to add."))
    domain = address.rpartition("@")[2]
    try:
        _email_validator(address)
    except ValidationError:
        raise InvalidSuppression(_("Write the e-mail address like this: namn@exempel.se")) from None
    if "." not in domain or domain.rsplit(".", 1)[-1].isdigit() or len(address) > 254:
        raise InvalidSuppression(_("Write the e-mail address like this: namn@exempel.se"))
    return address


def add_address(*, organisation: Organisation, email: str, detail: str = "", actor=None) -> Suppression:
    """An organiser puts an address on the do-not-mail list (the person asked by phone, say), with
    a short note why. Raises InvalidSuppression for an address that is not one or a note longer
    than DETAIL_MAX_LENGTH, AlreadySuppressed if the address is on the list already (for any
    reason: the entry there stays as it is)."""
    address = _valid_address(email)
    detail = " ".join((detail or "").split())
    if len(detail) > DETAIL_MAX_LENGTH:
        raise InvalidSuppression(
            _("The note can be at most %(n)s characters; shorten it and try again.")
            % {"n": DETAIL_MAX_LENGTH},
            field="detail",
        )
    with transaction.atomic():
        existing = Suppression.objects.filter(organisation=organisation, email=address).first()
        if existing is not None:
            raise AlreadySuppressed(existing.reason)
        return suppress(
            organisation=organisation,
            email=address,
            reason=SuppressionReason.ADDED,
            detail=detail,
            actor=actor,
        )


def remove_address(*, suppression: Suppression, actor=None) -> None:
    """Take an address off the list again: a bounced one that was fixed, or one an organiser added
    by mistake. Raises UnsubscribeIsThePersons for an unsubscribe (only the person can undo that,
    by asking for invitations again). Removing one that is gone already is no error."""
    with transaction.atomic():
        row = Suppression.objects.select_for_update().filter(pk=suppression.pk).first()
        if row is None:
            return
        if row.reason == SuppressionReason.UNSUBSCRIBED:
            raise UnsubscribeIsThePersons("only the person can undo an unsubscribe")
        reason = row.reason
        row.delete()
        audit("suppression.removed", organisation_id=row.organisation_id, actor=actor, reason=reason)

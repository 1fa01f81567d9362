"""Instruction counts of one confirmation's pieces in the mail worker (issue 10), repeatable on a
busy machine: callgrind collects only inside the functools.reduce that runs a piece N times.

    export FRUKOST_DATA_DIR=/tmp/pieces DJANGO_SETTINGS_MODULE=frukost.settings \
        FRUKOST_SECRET_KEY=<50 characters> FRUKOST_ALLOWED_HOSTS=127.0.0.1 PYTHONHASHSEED=0
    .venv/bin/frukost migrate && .venv/bin/frukost seed_demo   # plus one registration, so one
    # confirmation is in the outbox (e.g. `frukost shell -c "…register(…)"`)
    PYTHONPATH=src valgrind --tool=callgrind --toggle-collect=functools_reduce \
        --callgrind-out-file=/tmp/pieces.out .venv/bin/python benchmarks/mail_pieces.py mime 50

Pieces: `render` (the composer: queries, templates, calendar file), `personalise` (the link
minted, the check-in code stored and its QR PNG, rolled back each time), `mime` (the worker's
e-mail built and serialised, `_Email(...).message().as_bytes()`), `envelope` (the SMTP
envelope's sender and recipient as mail.backends.SmtpBackend finds them) and `envelope-django`
(as Django's SMTP backend does: `sanitize_address` for each). Divide callgrind's "Collected" by N.
"""

from __future__ import annotations

import functools
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.mail.message import sanitize_address
    from django.db import transaction

    from frukost.mail import backends, worker
    from frukost.mail.models import OutboxMessage
    from frukost.mail.renderers import compose, personalise_with_images
    from frukost.registrations import notifications

    piece, rounds = sys.argv[1], int(sys.argv[2])
    message = OutboxMessage.objects.filter(kind="confirmation").order_by("-pk").first()
    message.rendered_at, message.body_text = None, ""
    compose(message)
    with transaction.atomic():
        personalised = personalise_with_images(message)
        transaction.set_rollback(True)

    def mime() -> bytes:
        email = worker._Email(
            subject=message.subject,
            body=personalised.body_text,
            from_email="frukost <noreply@localhost>",
            to=[message.to],
            headers=worker._headers(message, ""),
        )
        email.inline_images = personalised.inline_images
        email.attach_alternative(personalised.body_html, "text/html")
        email.attach(worker._calendar_part(message.ics))
        return email.message().as_bytes(linesep="\r\n")

    def personalise() -> None:
        with transaction.atomic():
            personalise_with_images(message)
            transaction.set_rollback(True)

    def envelope() -> None:
        backends._envelope_sender(settings.DEFAULT_FROM_EMAIL, "utf-8")
        backends.envelope_address(message.to, "utf-8")

    def envelope_django() -> None:
        sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
        sanitize_address(message.to, "utf-8")

    step = {
        "envelope": envelope,
        "envelope-django": envelope_django,
        "mime": mime,
        "personalise": personalise,
        "render": lambda: notifications.render_message(message),
    }[piece]
    for _ in range(5):  # warm: templates, prepared statements
        step()
    functools.reduce(lambda _acc, _i: step(), range(rounds), None)
    print(piece, "done", rounds)


if __name__ == "__main__":
    main()

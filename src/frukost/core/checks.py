"""frukost's own `check --deploy` checks: what Django's cannot know about this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import validate_host

from frukost import config

# frukost's (the default: Django's, its envelope addresses found more cheaply) and Django's own.
SMTP_BACKENDS = {"frukost.mail.backends.SmtpBackend", "django.core.mail.backends.smtp.EmailBackend"}


@register(Tags.security, deploy=True)
def check_base_url(app_configs, **kwargs):
    """Every e-mail and calendar file links to FRUKOST_BASE_URL: it must be the site's https address."""
    if not config.env("FRUKOST_BASE_URL"):
        return [
            Error(
                "FRUKOST_BASE_URL is not set: every e-mail would link to http://127.0.0.1:8000.",
                hint="Set FRUKOST_BASE_URL to the site's public address, e.g. https://frukost.example.se.",
                id="frukost.E001",
            )
        ]
    url = urlsplit(settings.BASE_URL)
    errors = []
    if url.scheme != "https":
        errors.append(
            Error(
                f"FRUKOST_BASE_URL ({settings.BASE_URL}) is not an https address: links in e-mails "
                "would send personal links in clear.",
                hint="Serve the site over HTTPS and set FRUKOST_BASE_URL=https://….",
                id="frukost.E002",
            )
        )
    if not url.hostname or not validate_host(url.hostname, settings.ALLOWED_HOSTS):
        errors.append(
            Error(
                f"The host of FRUKOST_BASE_URL ({url.hostname or '(none)'}) is not in FRUKOST_ALLOWED_HOSTS "
                f"({', '.join(settings.ALLOWED_HOSTS) or 'empty'}): links in e-mails would be refused.",
                hint="Add it to FRUKOST_ALLOWED_HOSTS.",
                id="frukost.E003",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY == config.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development key (FRUKOST_DEBUG or FRUKOST_TESTING is set).",
                hint="Unset FRUKOST_DEBUG and FRUKOST_TESTING and set FRUKOST_SECRET_KEY_FILE.",
                id="frukost.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_smtp(app_configs, **kwargs):
    if settings.EMAIL_BACKEND not in SMTP_BACKENDS:
        if settings.EMAIL_BACKEND == "frukost.mail.backends.EmlDirectoryBackend":
            return [
                Warning(
                    f"No SMTP server: e-mail is only written as files into {settings.MAIL_DIR}; nobody "
                    "receives a confirmation.",
                    hint="Set FRUKOST_SMTP_HOST (and FRUKOST_SMTP_USER, FRUKOST_SMTP_PASSWORD_FILE).",
                    id="frukost.W001",
                )
            ]
        return []
    if not (settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL):
        return [
            Warning(
                f"FRUKOST_SMTP_TLS=off: the SMTP password and every e-mail (with its personal link) go to "
                f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT} in clear.",
                hint="Remove FRUKOST_SMTP_TLS=off unless the server is on this machine or a trusted network.",
                id="frukost.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_contacts(app_configs, **kwargs):
    missing = [
        name
        for name in ("FRUKOST_SECURITY_CONTACT", "FRUKOST_ACCESSIBILITY_CONTACT")
        if not getattr(settings, name)
    ]
    if missing:
        return [
            Warning(
                f"{' and '.join(missing)} not set: /.well-known/security.txt and the accessibility "
                "statement have no address to report a problem to.",
                hint="Set FRUKOST_OPERATOR_EMAIL (the default for both), or each one.",
                id="frukost.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_operator_name(app_configs, **kwargs):
    """The privacy notices name the operator as the organisations' processor (GDPR art. 28)."""
    if not settings.FRUKOST_OPERATOR_NAME.strip():
        return [
            Warning(
                "FRUKOST_OPERATOR_NAME is not set: the privacy notices and the accessibility statement "
                "name nobody as the operator who runs the site for the organisations.",
                hint="Set FRUKOST_OPERATOR_NAME to the company or union that runs the site, "
                "e.g. 'Driftbolaget AB'.",
                id="frukost.W004",
            )
        ]
    return []

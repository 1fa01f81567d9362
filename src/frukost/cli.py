"""The `frukost` command: Django's management commands with frukost's settings.

`frukost serve` (production, gunicorn), `frukost dev` (development server with the e-mail
worker), `frukost worker` (the e-mail worker and housekeeping) and every Django command.
Commands may be spelt with hyphens: `frukost import-invitation` runs `import_invitation`.

A configuration error (a missing secret key, a port that is not a number) is reported as one
line on standard error with exit status 2, never as a traceback.
"""

import os
import sys

from frukost import config
from frukost.config import ConfigurationError

# Commands that serve no requests and sign nothing (no sessions, CSRF tokens, personal links or
# mail with links), so they run without FRUKOST_SECRET_KEY, on a throwaway key. Never add a
# command that sends mail, serves pages or writes anything signed: that key dies with the process.
SIGNS_NOTHING = {"help", "version", "import_invitation", "makemigrations", "makemessages", "compilemessages"}
HELP_FLAGS = {"-h", "--help", "--version"}


def signs_nothing(args: list[str]) -> bool:
    """Whether `frukost ARGS` needs no secret key: asking for help, or a command above."""
    if not args or HELP_FLAGS & set(args):
        return True
    return args[0] in SIGNS_NOTHING


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    config.signs_nothing = signs_nothing(argv[1:])
    try:
        from django.conf import settings
        from django.core.management import execute_from_command_line

        settings.INSTALLED_APPS  # noqa: B018 - read the settings now, inside the try
        execute_from_command_line(argv)
    except ConfigurationError as exc:
        message = str(exc)
        if "docs/configuration.md" not in message:
            message += " (see docs/configuration.md)"
        sys.stderr.write(f"frukost: {message}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

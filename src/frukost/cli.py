"""The `frukost` command: Django's management commands with frukost's settings.

`frukost serve` (production, gunicorn), `frukost dev` (development server with the e-mail
worker), `frukost worker` (the e-mail worker and housekeeping) and every Django command.
Commands may be spelt with hyphens: `frukost import-invitation` runs `import_invitation`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

"""The `frukost` command: Django's management commands with frukost's settings.

`frukost serve` (production, gunicorn), `frukost dev` (development server with the e-mail
worker), `frukost worker` (the e-mail worker and housekeeping) and every Django command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""Reading configuration from the environment.

Every setting is an environment variable named FRUKOST_…; secrets may instead be given as
FRUKOST_…_FILE pointing at a file (Docker/systemd credentials). docs/configuration.md lists them.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message says which and what to set."""


# Set by the `frukost` command (cli.py) for commands that serve no requests and sign nothing:
# settings then make up a throwaway secret key instead of refusing to start without one. A flag
# in this process, not an environment variable, so no deployment can set it by accident and no
# child process (gunicorn) inherits it.
signs_nothing = False

# The key settings use under FRUKOST_DEBUG or FRUKOST_TESTING; a deploy check refuses it.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - refused in production


def env(name: str, default: str | None = None) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE, or default."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigurationError(f"{name}_FILE: cannot read {file_name}: {reason}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    value = env(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def make_private_dir(path: Path) -> None:
    """Create PATH (and missing parents) readable by its owner and group only (0750).

    A directory that exists already keeps its mode: the operator may have chosen another.
    """
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o750)


SMTP_TLS_MODES = {"on", "starttls", "ssl", "off"}


def smtp_tls(value: str | None, *, port: int) -> tuple[bool, bool]:
    """(use STARTTLS, use implicit TLS) for FRUKOST_SMTP_TLS and the port.

    "on" (the default): implicit TLS on port 465, STARTTLS on any other port. "starttls" and
    "ssl" choose one whatever the port; "off" sends in clear (the password too).
    """
    for retired in ("FRUKOST_SMTP_STARTTLS", "FRUKOST_SMTP_SSL"):
        if os.environ.get(retired):
            raise ConfigurationError(
                f"{retired} is replaced by FRUKOST_SMTP_TLS (on, starttls, ssl or off): remove it"
            )
    mode = (value or "on").strip().lower()
    if mode in {"1", "true", "yes"}:
        mode = "on"
    elif mode in {"0", "false", "no"}:
        mode = "off"
    if mode not in SMTP_TLS_MODES:
        raise ConfigurationError(f"FRUKOST_SMTP_TLS must be on, starttls, ssl or off, not {value!r}")
    if mode == "on":
        mode = "ssl" if port == 465 else "starttls"
    return mode == "starttls", mode == "ssl"

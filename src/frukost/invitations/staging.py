"""The uploaded file, kept between the preview and the confirmation.

In a private directory under FRUKOST_DATA_DIR (0700, files 0600), never under MEDIA_ROOT or
anywhere a web server serves: `<token>.data` holds the bytes, `<token>.json` who uploaded it
(organisation and member: another person's token is as good as none), for which event or series
and the file's name. The token is 32 random URL-safe characters. The files are deleted when the
list is imported and purged after MAX_AGE by a frequent job (InvitationsConfig.ready()).

A confirmation claims the upload by renaming `<token>.json` to `<token>.claimed`, which only one
request can do: a double-submitted form imports once; the second request finds `<token>.done`
with the list's id and is sent to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from frukost.invitations.exceptions import UploadExpired

MAX_AGE = dt.timedelta(hours=1)
CLAIM_WAIT = dt.timedelta(seconds=20)  # how long a second submission waits for the first's import
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Upload:
    token: str
    organisation_id: int
    member_id: int
    event_id: int | None
    series_id: int | None
    source: str  # ListSource value
    filename: str
    data: bytes = b""


def directory() -> Path:
    path = Path(settings.DATA_DIR) / "invitation-uploads"
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
    return path


def _write(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def stage(
    *, data: bytes, filename: str, organisation_id: int, member_id: int, event_id=None, series_id=None,
    source: str = "file",
) -> str:  # fmt: skip
    """Keep the upload; returns its token."""
    token = secrets.token_urlsafe(24)
    folder = directory()
    _write(folder / f"{token}.data", data)
    meta = {
        "organisation_id": organisation_id, "member_id": member_id, "event_id": event_id,
        "series_id": series_id, "source": source, "filename": filename[:200],
    }  # fmt: skip
    _write(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def _meta(path: Path, organisation_id: int, member_id: int) -> dict:
    """The metadata in `path`, if it is this member's in this organisation; else UploadExpired."""
    meta = _read_meta(path, organisation_id, member_id)
    if meta is None:
        raise UploadExpired()
    return meta


def _read_meta(path: Path, organisation_id: int, member_id: int) -> dict | None:
    """The metadata in `path`, None when the file is not there; UploadExpired if it is another's."""
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UploadExpired() from exc
    if meta.get("organisation_id") != organisation_id or meta.get("member_id") != member_id:
        raise UploadExpired()
    return meta


def load(token: str, *, organisation_id: int, member_id: int, claimed: bool = False) -> Upload:
    """The upload, if it is this member's in this organisation and still kept; else UploadExpired."""
    if not _TOKEN.match(token or ""):
        raise UploadExpired()
    folder = directory()
    meta = _meta(folder / f"{token}.{'claimed' if claimed else 'json'}", organisation_id, member_id)
    try:
        data = (folder / f"{token}.data").read_bytes()
    except OSError as exc:
        raise UploadExpired() from exc
    return Upload(token=token, data=data, **meta)


def claim(token: str, *, organisation_id: int, member_id: int) -> Upload | int:
    """Take the upload for importing: the Upload, or the id of the list it already became (a second
    submission). Raises UploadExpired when it is gone or not this member's.

    A second submission that arrives while the first is still importing waits for its answer (up
    to CLAIM_WAIT); if the first gives the upload back (its import failed), the second takes it.
    """
    if not _TOKEN.match(token or ""):
        raise UploadExpired()
    folder = directory()
    meta_path, claimed, done = (folder / f"{token}.{suffix}" for suffix in ("json", "claimed", "done"))
    deadline = time.monotonic() + CLAIM_WAIT.total_seconds()
    while True:
        answer = _read_meta(done, organisation_id, member_id)
        if answer is not None:
            return int(answer["list_id"])
        if _read_meta(meta_path, organisation_id, member_id) is not None:  # this member's upload
            try:
                os.rename(meta_path, claimed)
            except FileNotFoundError:
                pass  # another request claimed it in the meantime
            else:
                return load(token, organisation_id=organisation_id, member_id=member_id, claimed=True)
        elif _read_meta(claimed, organisation_id, member_id) is None and not (
            done.exists() or meta_path.exists()
        ):
            raise UploadExpired()  # nobody is importing it: it was purged or discarded
        if time.monotonic() >= deadline:
            raise UploadExpired()
        time.sleep(0.05)


def imported_as(token: str, *, organisation_id: int, member_id: int) -> int | None:
    """The id of the list this member's upload became, if it was imported (within MAX_AGE)."""
    if not _TOKEN.match(token or ""):
        return None
    try:
        return int(_meta(directory() / f"{token}.done", organisation_id, member_id)["list_id"])
    except (UploadExpired, KeyError, TypeError, ValueError):
        return None


def release(token: str) -> None:
    """Give a claimed upload back (the import failed: the organiser may correct and try again)."""
    folder = directory()
    with contextlib.suppress(FileNotFoundError):
        os.rename(folder / f"{token}.claimed", folder / f"{token}.json")


def finish(upload: Upload, list_id: int) -> None:
    """The upload became list `list_id`: delete the file, remember the answer for a second submission."""
    folder = directory()
    meta = {"organisation_id": upload.organisation_id, "member_id": upload.member_id, "list_id": list_id}
    # Written aside and renamed into place: a request waiting in claim() never reads half an answer.
    partial = folder / f"{upload.token}.done-{secrets.token_hex(4)}"
    _write(partial, json.dumps(meta).encode())
    os.replace(partial, folder / f"{upload.token}.done")
    for suffix in ("data", "claimed"):
        (folder / f"{upload.token}.{suffix}").unlink(missing_ok=True)


def discard(token: str) -> None:
    if _TOKEN.match(token or ""):
        for suffix in ("data", "json", "claimed", "done"):
            (directory() / f"{token}.{suffix}").unlink(missing_ok=True)


def purge(now: dt.datetime | None = None) -> int:
    """Delete every upload older than MAX_AGE (the frequent job). Returns how many files went."""
    limit = (now.timestamp() if now else time.time()) - MAX_AGE.total_seconds()
    removed = 0
    for path in directory().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed

"""Stored files (uploads kept through django-storages): names, MIME types, transactions and downloads.

The database and the storage cannot share a transaction, so the rows decide and the files follow:

- `files_atomic()` is `transaction.atomic()` for writes that store files with `save_file()`. When the block
  fails, the files it stored are deleted before the exception goes on. When the block succeeds but the
  transaction around it (the request's, ATOMIC_REQUESTS) rolls back later, `StoredFilesMiddleware` deletes
  them once the request is over. A file is kept only when its transaction commits.
- `delete_on_commit()` deletes stored files after the transaction that deleted their rows commits: a
  rollback keeps rows and files together.

Downloads are always attachments with `nosniff` (an uploaded HTML or SVG never runs in our origin): streamed
from a local disk, or a 302 to a short-lived presigned URL on S3 (`ERP_MEDIA_URL_TTL` seconds).
"""

import contextvars
import logging
import os
import re
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

import magic
from django.conf import settings
from django.db import connection, transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

logger = logging.getLogger("erp.files")

SNIFF_BYTES = 65_536
DEFAULT_MIME = "application/octet-stream"
DISPLAY_NAME_MAX = 191
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


# --- names and types ---------------------------------------------------------------------------


def clean_display_name(original: str | None, fallback: str = "file") -> str:
    """The name a person uploaded, without any directory part (`../../x.html` is `x.html`, `C:\\a\\b.pdf` is
    `b.pdf`), without control characters, at most 191 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", original or "")
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"^[A-Za-z]:", "", name)  # a Windows drive prefix without a separator ("C:x.pdf")
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > DISPLAY_NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: DISPLAY_NAME_MAX - len(ext)] + ext
    return name


def storage_name(*parts, display: str = "") -> str:
    """A generated storage name under `parts` (such as business id and note id) with a random part, keeping
    only a short alphanumeric extension of the display name: no upload chooses where it lands."""
    match = _EXTENSION.search(display)
    extension = match.group(0).lower() if match else ""
    return "/".join([*(str(p) for p in parts), secrets.token_hex(16) + extension])


def sniff_mime(content) -> str:
    """The MIME type read from the file's first bytes (libmagic), whatever the client declared."""
    content.seek(0)
    head = content.read(SNIFF_BYTES)
    content.seek(0)
    if not head:
        return "application/x-empty"
    try:
        return magic.from_buffer(head, mime=True) or DEFAULT_MIME
    except magic.MagicException:  # pragma: no cover - libmagic refuses only broken input
        return DEFAULT_MIME


# --- files that follow their transaction ----------------------------------------------------------


@dataclass(eq=False)
class _Stored:
    storage: object
    name: str
    committed: bool = False

    def commit(self):
        self.committed = True

    def delete(self):
        try:
            self.storage.delete(self.name)
        except Exception:  # a file we cannot delete must not hide the error that got us here
            logger.exception("Could not delete %s after its transaction rolled back", self.name)


@dataclass
class _Batch:
    stored: list = field(default_factory=list)


_pending: contextvars.ContextVar = contextvars.ContextVar("erp_stored_files", default=None)


def _current() -> _Batch | None:
    return _pending.get()


@contextmanager
def files_atomic():
    """`transaction.atomic()` whose stored files (`save_file`) are deleted when it fails."""
    batch = _current()
    token = None
    if batch is None:
        batch = _Batch()
        token = _pending.set(batch)
    start = len(batch.stored)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        failed = batch.stored[start:]
        del batch.stored[start:]
        for stored in failed:
            stored.delete()
        raise
    finally:
        if token is not None:
            _pending.reset(token)


def save_file(storage, name: str, content) -> str:
    """Store `content` under `name` inside a `files_atomic()` block; the file lives only if the transaction
    commits. Returns the name the storage chose."""
    if not connection.in_atomic_block:
        raise RuntimeError("save_file() belongs inside files_atomic()")
    saved = storage.save(name, content)
    stored = _Stored(storage, saved)
    transaction.on_commit(stored.commit)
    batch = _current()
    if batch is not None:
        batch.stored.append(stored)
    return saved


def delete_on_commit(storage, names) -> None:
    """Delete stored files once the transaction that deleted their rows commits (at once outside one)."""
    names = [n for n in names if n]
    if not names:
        return

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except Exception:  # the rows are gone already: say which file is left, do not fail the request
                logger.exception("Could not delete stored file %s", name)

    transaction.on_commit(delete)


class StoredFilesMiddleware:
    """Deletes what a request stored when its transaction (ATOMIC_REQUESTS wraps the view, inside every
    middleware) rolled back after the storing block had succeeded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        batch = _Batch()
        token = _pending.set(batch)
        try:
            return self.get_response(request)
        finally:
            _pending.reset(token)
            # Inside a transaction still open (a test's, or a caller's) the outcome is not known yet: keep.
            if not connection.in_atomic_block:
                for stored in batch.stored:
                    if not stored.committed:
                        stored.delete()


# --- downloads -------------------------------------------------------------------------------------


def presigns(storage) -> bool:
    """Whether the storage hands out signed URLs of its own (S3) instead of being streamed by us."""
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def download_response(storage, name: str, *, filename: str, content_type: str):
    """The stored file as a download: an attachment with `nosniff`, streamed in blocks from a local storage,
    or a 302 to a presigned URL (`ERP_MEDIA_URL_TTL` seconds) that makes S3 answer with the same headers."""
    content_type = content_type or DEFAULT_MIME
    if presigns(storage):
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.ERP_MEDIA_URL_TTL,
        )
        response = HttpResponseRedirect(url)
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            logger.error("Stored file %s is missing", name)
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

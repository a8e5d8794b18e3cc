"""`Idempotency-Key` on every write of the Integration API (POST, PUT, PATCH, DELETE).

The first request with a key claims it: an "in progress" row is inserted and committed in its own short
transaction before the view runs (outside the request's transaction, which ATOMIC_REQUESTS opens around the view
only). A second request with the same key cannot insert it (the row is unique per user and key) and so never runs:
it replays the stored answer, waits for the running one to finish and replays that, or gives up with 409.

The answer is stored inside the request's own transaction when that transaction commits (the view's
`finalize_response`), so the effect and the stored answer commit together: a worker killed after the commit
leaves a replayable answer, never a key that lets the write run again. An answer whose transaction rolled back
(a 4xx) is stored afterwards; a 5xx is not stored and the claim is deleted, so the client may retry.
"""

import datetime
import hashlib
import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass

import simplejson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils import timezone

from core.api.errors import PayloadTooLarge, as_api_exception
from core.models import IdempotencyKey

logger = logging.getLogger("erp.api")

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

INVALID = "The Idempotency-Key header must be 1 to 255 printable ASCII characters."
REUSED = "This Idempotency-Key was used with a different request."
IN_PROGRESS = "A request with this Idempotency-Key is in progress."

#: what reading the body may refuse: answered as the view would (413, or 400 for a broken multipart body)
BODY_REFUSALS = (PayloadTooLarge, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError)

_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_POLL_SECONDS = 0.05


@dataclass
class Claim:
    """The key a running request holds."""

    pk: int


# --- the body's fingerprint -------------------------------------------------------------------------------------


class _DigestUpload(UploadedFile):
    """A file part reduced to its size and SHA-256 (nothing is kept)."""

    def __init__(self, name, size, content_type, digest):
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.digest = digest

    def close(self):
        pass


class _DigestHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._sha, self._size = hashlib.sha256(), 0

    def receive_data_chunk(self, raw_data, start):
        self._sha.update(raw_data)
        self._size += len(raw_data)

    def file_complete(self, file_size):
        return _DigestUpload(self.file_name, self._size, self.content_type, self._sha.hexdigest())


def _multipart_parts(request) -> list:
    """The fields and the files' bytes of a multipart body, read from a copy of the stream; the request's own
    stream is put back, so the view parses the body with its own upload handlers and limits."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.ERP_IDEMPOTENCY_MAX_BODY:
        raise PayloadTooLarge(
            f"A request with an {HEADER} may carry at most {settings.ERP_IDEMPOTENCY_MAX_BODY:,} bytes."
        )
    # closed by the middleware when the request is over (the view reads from it)
    spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    request._idempotency_spool = spool
    shutil.copyfileobj(request, spool, 65_536)
    spool.seek(0)
    parser = MultiPartParser(request.META, spool, [_DigestHandler(request)], request.encoding)
    fields, files = parser.parse()
    spool.seek(0)
    # The view reads the same bytes again from the copy.
    request._stream = spool
    request._read_started = False
    return [
        sorted(fields.lists()),
        sorted((name, [(f.name, f.size, f.digest) for f in files.getlist(name)]) for name in files),
    ]


def body_fingerprint(request) -> str:
    """SHA-256 of what the request asks for: its content type and body. A JSON body is compared as JSON (key
    order and spacing do not matter; numbers keep their digits), a multipart body by its fields and the bytes of
    its files (not by the boundary, which clients draw afresh on every attempt)."""
    media_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        canonical = simplejson.dumps(_multipart_parts(request)).encode()
    else:
        canonical = request.body
        if media_type == "application/json" or media_type.endswith("+json"):
            try:
                value = simplejson.loads(canonical, use_decimal=True)
                canonical = simplejson.dumps(value, use_decimal=True, sort_keys=True, separators=(",", ":")).encode()
            except ValueError:
                pass  # compared byte for byte; the view answers 400
    return hashlib.sha256(media_type.encode() + b"\n" + canonical).hexdigest()


# --- claiming, replaying, storing -------------------------------------------------------------------------------


def _invalid_key() -> JsonResponse:
    return JsonResponse({"message": INVALID, "errors": {HEADER: [INVALID]}}, status=422)


def _refusal(exc) -> JsonResponse:
    exc = as_api_exception(exc)
    if isinstance(exc, PayloadTooLarge):
        return JsonResponse({"message": str(exc.detail)}, status=exc.status_code)
    return JsonResponse({"message": f"Malformed request body: Multipart form parse error - {exc}"}, status=400)


def replay(record) -> HttpResponse:
    response = HttpResponse(bytes(record.body or b""), status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _insert(*, user, key, method, path, fingerprint, now):
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                business_id=user.business_id,
                key=key,
                method=method,
                path=path,
                fingerprint=fingerprint,
                created_at=now,
                locked_at=now,
                expires_at=now + datetime.timedelta(hours=settings.ERP_IDEMPOTENCY_TTL_HOURS),
            )
    except IntegrityError:
        return None


def begin(request, user):
    """None when the request carries no key; else a Claim (the request runs) or the response to answer instead:
    422 for a malformed key or one used with another request, the stored answer, or 409."""
    key = request.META.get(META_KEY)
    if key is None:
        return None
    if not _VALID_KEY.fullmatch(key):
        return _invalid_key()
    try:
        fingerprint = body_fingerprint(request)
    except BODY_REFUSALS as exc:
        return _refusal(exc)
    method, path = request.method, request.get_full_path()
    deadline = time.monotonic() + settings.ERP_IDEMPOTENCY_WAIT_SECONDS
    while True:
        now = timezone.now()
        record = _insert(user=user, key=key, method=method, path=path, fingerprint=fingerprint, now=now)
        if record is not None:
            return Claim(record.pk)
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # its request failed with a 5xx a moment ago: claim it again
        if record.expires_at <= now:
            IdempotencyKey.objects.filter(pk=record.pk, expires_at__lte=now).delete()
            continue
        if (record.method, record.path, record.fingerprint) != (method, path, fingerprint):
            return JsonResponse({"message": REUSED, "errors": {HEADER: [REUSED]}}, status=422)
        if record.state == IdempotencyKey.State.COMPLETED:
            return replay(record)
        abandoned = now - datetime.timedelta(seconds=settings.ERP_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS)
        if record.locked_at < abandoned:
            # The request that claimed it died without an answer (its transaction never committed): take it over.
            taken = IdempotencyKey.objects.filter(
                pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS, locked_at=record.locked_at
            ).update(locked_at=now)
            if taken:
                return Claim(record.pk)
            continue
        if time.monotonic() >= deadline:
            return JsonResponse({"message": IN_PROGRESS}, status=409)
        time.sleep(_POLL_SECONDS)


def _complete(claim: Claim, response) -> int:
    return IdempotencyKey.objects.filter(pk=claim.pk, state=IdempotencyKey.State.IN_PROGRESS).update(
        state=IdempotencyKey.State.COMPLETED,
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content,
    )


def complete_in_transaction(request, response) -> None:
    """Store the answer inside the request's transaction when that transaction is going to commit (called by
    the view as its response is finished), so the effect and the stored answer commit or vanish together."""
    claim = getattr(request, "_idempotency_claim", None)
    if claim is None or response.status_code >= 500 or getattr(response, "streaming", False):
        return
    if not connection.in_atomic_block or transaction.get_rollback():
        return  # stored by the middleware once the rollback is over
    if hasattr(response, "render"):
        response.render()
    _complete(claim, response)


def finish(claim: Claim, response) -> None:
    """After the request's transaction: keep a 2xx-4xx answer the view has not stored, drop the claim of a 5xx."""
    if response is None or response.status_code >= 500:
        IdempotencyKey.objects.filter(pk=claim.pk, state=IdempotencyKey.State.IN_PROGRESS).delete()
        return
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
        stored = HttpResponse(content, status=response.status_code, content_type=response.get("Content-Type", ""))
        _complete(claim, stored)
        return
    _complete(claim, response)

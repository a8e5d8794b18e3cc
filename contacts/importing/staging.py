"""The back office's import runs in two steps (preview, then confirm), so the uploaded file waits in between. It
waits in the default storage (shared by every server: local media, or S3), named by a signed token that only the
same user of the same business can redeem within an hour; it is deleted on confirm or cancel, and files left by
abandoned previews are deleted by the next preview of the business."""

import datetime
import uuid

from django.core import signing
from django.core.files.storage import default_storage
from django.utils import timezone

from contacts.importing.reading import extension_of

PREFIX = "contact-imports"
SALT = "contacts.import.staged"
MAX_AGE = 3600  # seconds a preview may wait for its confirmation


class StagedFileMissing(Exception):
    pass


def _folder(business_id) -> str:
    return f"{PREFIX}/{business_id}"


def stage(upload, *, business_id: int, user_id: int) -> str:
    purge_stale(business_id)
    name = default_storage.save(f"{_folder(business_id)}/{uuid.uuid4().hex}.{extension_of(upload.name)}", upload)
    return signing.dumps({"name": name, "business": business_id, "user": user_id, "file": upload.name}, salt=SALT)


def _payload(token: str, *, business_id: int, user_id: int) -> dict:
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise StagedFileMissing("The preview has expired: upload the file again.") from None
    if payload.get("business") != business_id or payload.get("user") != user_id:
        raise StagedFileMissing("The preview belongs to someone else: upload the file again.")
    if not default_storage.exists(payload["name"]):
        raise StagedFileMissing("The previewed file is gone: upload it again.")
    return payload


def open_staged(token: str, *, business_id: int, user_id: int):
    """The staged file (a Django File named like the upload's storage name) and the name it was uploaded as."""
    payload = _payload(token, business_id=business_id, user_id=user_id)
    return default_storage.open(payload["name"], "rb"), payload["file"]


def discard(token: str, *, business_id: int, user_id: int) -> None:
    try:
        payload = _payload(token, business_id=business_id, user_id=user_id)
    except StagedFileMissing:
        return
    default_storage.delete(payload["name"])


def purge_stale(business_id: int) -> None:
    folder = _folder(business_id)
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=MAX_AGE)
    for name in files:
        path = f"{folder}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue

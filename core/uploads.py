"""Multipart uploads within limits, streamed.

`LimitedUploadHandler` replaces Django's upload handlers on a view that takes files:

- a body longer than the limit (every file at its largest, plus the form fields) is refused before a byte
  is read: `UploadTooLarge`, 413;
- each accepted file is kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and spooled to a temporary file on
  disk past it, so memory stays at one chunk whatever the upload;
- a file past the per-file limit, or past the file count, is not kept at all: its bytes are counted and
  dropped, and it arrives as a `RefusedUpload` that validation answers with a 422 naming it.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework import status
from rest_framework.exceptions import APIException

#: room for the multipart headers and boundaries of each part, beyond its content
PART_OVERHEAD = 4096


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class RefusedUpload(UploadedFile):
    """A file whose content was dropped while it arrived: too large, or one too many. `size` is what was sent."""

    def __init__(self, name, size, content_type, reason):
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.reason = reason

    def open(self, mode=None):  # pragma: no cover - there is nothing to read
        raise ValueError("A refused upload has no content")

    def close(self):
        pass


def max_body_size(max_files: int, max_file_size: int) -> int:
    """The largest request body worth reading: every file at its largest, plus the form fields."""
    return max_files * (max_file_size + PART_OVERHEAD) + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, max_files: int, max_file_size: int):
        super().__init__(request)
        self.max_files = max_files
        self.max_file_size = max_file_size
        self.memory_size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        self.count = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = max_body_size(self.max_files, self.max_file_size)
        if content_length > limit:
            raise UploadTooLarge(
                f"The request body is too large: {content_length:,} bytes, at most {limit:,} "
                f"({self.max_files} files of at most {self.max_file_size:,} bytes each)."
            )
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.count += 1
        self.size = 0
        self.refused = "too_many" if self.count > self.max_files else None
        if self.refused is None and self.content_length is not None and self.content_length > self.max_file_size:
            self.refused = "too_large"
        self.buffer = bytearray()
        # not `self.file`: Django's parser calls `handler.file.close()` on errors whenever that attribute exists
        self.spool = None

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.refused is None and self.size > self.max_file_size:
            self.refused = "too_large"
            self._drop()
        if self.refused is not None:
            return None
        if self.spool is None and len(self.buffer) + len(raw_data) <= self.memory_size:
            self.buffer += raw_data
            return None
        if self.spool is None:
            self.spool = TemporaryUploadedFile(
                self.file_name, self.content_type, 0, self.charset, self.content_type_extra
            )
            self.spool.write(self.buffer)
            self.buffer = bytearray()
        self.spool.write(raw_data)
        return None

    def _drop(self):
        self.buffer = bytearray()
        if self.spool is not None:
            self.spool.close()  # a NamedTemporaryFile: closing deletes it
            self.spool = None

    def file_complete(self, file_size):
        if self.refused is not None:
            return RefusedUpload(self.file_name, self.size, self.content_type, self.refused)
        if self.spool is not None:
            self.spool.seek(0)
            self.spool.size = self.size
            return self.spool
        data = io.BytesIO(bytes(self.buffer))
        self.buffer = bytearray()
        return InMemoryUploadedFile(
            data, self.field_name, self.file_name, self.content_type, self.size, self.charset, self.content_type_extra
        )

    def upload_interrupted(self):
        self._drop()

"""The upload handler of file-taking views: limits while the body arrives, files spooled to disk past the memory
size, and the stored-file helpers (names, MIME types)."""

import io

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from core.files import clean_display_name, sniff_mime, storage_name
from core.uploads import LimitedUploadHandler, RefusedUpload, UploadTooLarge, max_body_size


def parse(files: dict, *, max_files=10, max_file_size=5_000_000, content_length=None):
    body = encode_multipart(BOUNDARY, {"heading": "x", **files})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(content_length or len(body))}
    handler = LimitedUploadHandler(max_files=max_files, max_file_size=max_file_size)
    return MultiPartParser(meta, io.BytesIO(body), [handler]).parse()


def named(name, size):
    data = io.BytesIO(b"x" * size)
    data.name = name
    return data


def test_small_files_stay_in_memory_and_large_ones_go_to_disk(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000
    _, files = parse({"files[]": [named("small.txt", 1_000), named("large.txt", 1_001)]})

    small, large = files.getlist("files[]")
    assert isinstance(small, InMemoryUploadedFile) and small.size == 1_000
    assert isinstance(large, TemporaryUploadedFile) and large.size == 1_001
    with open(large.temporary_file_path(), "rb") as spooled:
        assert spooled.read() == b"x" * 1_001
    assert small.read() == b"x" * 1_000


def test_a_file_over_the_limit_is_counted_not_kept():
    _, files = parse({"files[]": [named("ok.txt", 10), named("big.txt", 101)]}, max_file_size=100)

    ok, big = files.getlist("files[]")
    assert ok.read() == b"x" * 10
    assert isinstance(big, RefusedUpload) and big.reason == "too_large" and big.size == 101


def test_files_past_the_count_are_refused():
    _, files = parse({"files[]": [named(f"{i}.txt", 5) for i in range(4)]}, max_files=3)

    uploads = files.getlist("files[]")
    assert [type(u) for u in uploads[:3]] == [InMemoryUploadedFile] * 3
    assert isinstance(uploads[3], RefusedUpload) and uploads[3].reason == "too_many" and uploads[3].size == 5


def test_a_body_longer_than_the_limits_is_refused_before_it_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    limit = max_body_size(2, 100)
    assert limit == 2 * (100 + 4096) + 1_000

    with pytest.raises(UploadTooLarge) as error:
        parse({"files[]": [named("a.txt", 5)]}, max_files=2, max_file_size=100, content_length=limit + 1)
    assert error.value.status_code == 413


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../x.html", "x.html"),
        ("a\\b\\c.pdf", "c.pdf"),
        ("C:evil.exe", "evil.exe"),
        ("..", "file"),
        ("", "file"),
        (".htaccess", "htaccess"),
        ("tab\tname\x00.pdf", "tabname.pdf"),
        ("x" * 300 + ".pdf", "x" * 187 + ".pdf"),
    ],
)
def test_display_names(sent, shown):
    assert clean_display_name(sent) == shown


def test_storage_names_are_random_under_their_folders():
    first, second = storage_name("notes", 1, 2, display="a.PDF"), storage_name("notes", 1, 2, display="a.PDF")
    assert first != second
    assert first.startswith("notes/1/2/") and first.endswith(".pdf") and len(first) == len("notes/1/2/") + 32 + 4
    assert "." not in storage_name("n", display="../../etc/passwd").rsplit("/", 1)[1]


def test_sniffing_leaves_the_file_at_its_start():
    content = io.BytesIO(b"%PDF-1.4\n" + b"\0" * 100)
    assert sniff_mime(content) == "application/pdf"
    assert content.tell() == 0
    assert sniff_mime(io.BytesIO(b"")) == "application/x-empty"

"""The whole note cycle on S3 storage (moto's S3, in process): the objects really exist in the bucket with their
sniffed type, downloads are 302s to presigned URLs that expire after ERP_MEDIA_URL_TTL, and deleting or a failure
removes the objects."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from storages.backends.s3 import S3Storage

from contacts.tests.helpers import make_contact
from contacts.tests.notes import (
    BUCKET,
    HTML,
    PDF,
    PNG,
    footprint,
    media_url,
    note_url,
    notes_url,
    post_note,
    s3_body,
    s3_keys,
    upload,
)


@pytest.fixture
def contact(business):
    return make_contact(business)


def test_upload_list_download_delete_on_s3(api, contact, s3_media, settings, django_capture_on_commit_callbacks):
    settings.ERP_MEDIA_URL_TTL = 120
    created = post_note(api, contact, [upload("contract.pdf", PDF), upload("scan.png", PNG), upload("page.html", HTML)])
    assert created.status_code == 201, created.json()
    note = created.json()["data"]
    contract, scan, page = note["media"]

    # the objects exist under the generated names, with their bytes and the sniffed type
    assert s3_keys(s3_media) == sorted(m["file_name"] for m in note["media"])
    assert s3_body(s3_media, contract["file_name"]) == PDF
    head = s3_media.head_object(Bucket=BUCKET, Key=scan["file_name"])
    assert head["ContentType"] == "image/png" and head["ContentLength"] == len(PNG)

    listed = api.get(notes_url(contact)).json()["data"]
    assert listed == [note]

    # the download is a redirect to a presigned URL valid ERP_MEDIA_URL_TTL seconds, answered as an attachment
    response = api.get(page["url"])
    assert response.status_code == 302
    assert response["X-Content-Type-Options"] == "nosniff"
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert location.path.endswith(page["file_name"])
    assert query["X-Amz-Expires"] == ["120"]
    assert query["response-content-disposition"] == ['attachment; filename="page.html"']
    assert query["response-content-type"] == ["text/html"]
    assert "X-Amz-Signature" in query
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == HTML
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="page.html"'

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(media_url(contact, note["id"], scan["id"])).status_code == 200
    assert s3_keys(s3_media) == sorted([contract["file_name"], page["file_name"]])

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(note_url(contact, note["id"])).status_code == 200
    assert s3_keys(s3_media) == []
    assert api.get(page["url"]).status_code == 404


def test_the_default_url_lifetime_is_300_seconds(api, contact, s3_media):
    media = post_note(api, contact, [upload()]).json()["data"]["media"][0]

    location = api.get(media["url"])["Location"]

    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["300"]


def test_limits_write_nothing_to_the_bucket(api, contact, business, s3_media):
    before = footprint(business)

    response = post_note(api, contact, [upload(f"f{i}.pdf") for i in range(11)])

    assert response.status_code == 422
    assert footprint(business) == before
    assert s3_keys(s3_media) == []


def test_a_failure_midway_removes_the_objects_already_put(api, contact, business, s3_media, monkeypatch):
    before = footprint(business)
    original, calls = S3Storage._save, []

    def save(storage, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("bucket unreachable")
        return original(storage, name, content)

    monkeypatch.setattr(S3Storage, "_save", save)

    response = post_note(api, contact, [upload("a.pdf"), upload("b.pdf")])

    assert response.status_code == 500
    assert len(calls) == 2
    assert footprint(business) == before
    assert s3_keys(s3_media) == []


def test_another_business_gets_no_presigned_url(api, contact, s3_media, other_actors):
    note = post_note(api, contact, [upload()]).json()["data"]

    response = other_actors.client(admin=True).get(note["media"][0]["url"])

    assert response.status_code == 404
    assert "Location" not in response

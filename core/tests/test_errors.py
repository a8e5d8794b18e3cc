"""The error envelope (ARCHITECTURE.md rule 8): every failure is JSON with a `message`."""

import logging

from contacts import selectors
from contacts.models import Contact
from core.tests.matrix import BASE


def test_malformed_json_is_400_and_writes_nothing(api, business):
    before = Contact.objects.count()
    response = api.generic("POST", f"{BASE}/contacts", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed request body")
    assert Contact.objects.count() == before


def test_unknown_routes_under_api_are_json_404(api):
    for url in (f"{BASE}/nothing-here", f"{BASE}/contacts/abc", "/api/v2/contacts", f"{BASE}/contacts/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"message": "Not found"}


def test_a_method_the_route_does_not_serve_is_405_json(api):
    response = api.delete(f"{BASE}/contacts")
    assert response.status_code == 405
    assert "message" in response.json()


def test_unexpected_errors_are_500_something_went_wrong_and_logged(api, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "contact_directory", explode)
    with caplog.at_level(logging.ERROR, logger="erp.api"):
        response = api.get(f"{BASE}/contacts?kind=customer")
    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert any("database on fire" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_validation_errors_are_422_with_message_and_field_errors(api):
    response = api.post(f"{BASE}/contacts", {"type": "alien", "extra": 1}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert set(body["errors"]) == {"type", "name", "extra"}
    assert body["errors"]["name"] == ["The name field is required."]
    assert body["errors"]["extra"] == ["The extra field is not allowed."]
    assert body["message"].endswith("(and 2 more errors)")


def test_the_accept_header_never_turns_errors_into_html(api):
    response = api.get(f"{BASE}/contacts", HTTP_ACCEPT="text/html")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


def test_bodies_are_json_unless_an_endpoint_takes_uploads(api):
    response = api.post("/api/v1/integration/contacts", {"type": "customer", "name": "Form"})  # multipart
    assert response.status_code == 415
    assert "message" in response.json()

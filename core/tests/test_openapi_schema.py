"""The OpenAPI schema is part of the product (ARCHITECTURE.md rule 9)."""

from io import StringIO

from django.core.management import call_command

from core.tests.openapi import openapi_document

INTEGRATION = "/api/v1/integration"


def test_the_schema_generates_without_warnings_and_validates():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=StringIO())


def test_every_operation_documents_auth_errors_and_its_permission():
    paths = openapi_document()["paths"]
    assert paths
    for path, methods in paths.items():
        assert path.startswith(INTEGRATION), path
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert {"401", "500"} <= set(responses), where
            assert "403" in responses, where
            assert "**Permission:**" in operation.get("description", ""), where
            assert operation.get("summary"), where
            assert operation["security"] == [{"bearerAuth": []}, {"apiKey": [], "apiSecret": []}], where
            if method in ("post", "put", "patch"):
                assert "422" in responses, where
            if "{id}" in path:
                assert "404" in responses, where


def test_get_operations_with_format_document_csv():
    for path, methods in openapi_document()["paths"].items():
        operation = methods.get("get")
        if operation and any(p["name"] == "format" for p in operation.get("parameters", [])):
            assert "text/csv" in operation["responses"]["200"]["content"], path


def test_schema_and_swagger_ui_are_served_locally(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_the_schema_answers_json_when_asked(client, db):
    by_format = client.get("/api/schema/?format=json")
    by_accept = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    default = client.get("/api/schema/")

    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
        assert response.json()["openapi"] == "3.1.0"
    assert default["Content-Type"].startswith("application/vnd.oai.openapi")
    assert default.content.startswith(b"openapi: 3.1.0")


def test_every_write_declares_the_malformed_body_and_the_too_large_answers():
    for path, methods in openapi_document()["paths"].items():
        for method in ("post", "put", "patch"):
            if method in methods:
                assert {"400", "413", "415"} <= set(methods[method]["responses"]), f"{method.upper()} {path}"


def _components():
    return openapi_document()["components"]["schemas"]


def test_the_schema_states_the_limits_the_code_enforces():
    from core.api.fields import DATE_PATTERN

    contact = _components()["ContactWriteRequest"]["properties"]
    # amounts: 4 places and 18 integer digits, in the request schema itself
    assert contact["credit_limit"]["multipleOf"] == 0.0001
    assert contact["credit_limit"]["exclusiveMaximum"] == 10**18
    # dates: the two forms and the calendar bound, as a pattern
    assert contact["dob"]["pattern"] == DATE_PATTERN
    sells = openapi_document()["paths"][f"{INTEGRATION}/sells"]["get"]["parameters"]
    start = next(p for p in sells if p["name"] == "start_date")
    assert start["schema"]["pattern"] == DATE_PATTERN
    assert "together with end_date" in start["description"]
    # free-form JSON the server takes: an object or an array, never "any"
    assert contact["shipping_custom_field_details"]["oneOf"] == [
        {"type": "object"},
        {"type": "array"},
        {"type": "null"},
    ]


def test_the_date_pattern_is_the_rule_the_fields_apply():
    import re

    from core.api.fields import DATE_PATTERN, parse_request_date

    for text in ("1900-01-01", "9998-12-31", "2026-02-28 23:59:59"):
        assert re.fullmatch(DATE_PATTERN, text) and parse_request_date(text), text
    for text in ("1899-12-31", "9999-01-01", "2026-1-1", "20261101", "2026-01-01T10:00:00", "2026-01-01 10:00"):
        assert not re.fullmatch(DATE_PATTERN, text), text

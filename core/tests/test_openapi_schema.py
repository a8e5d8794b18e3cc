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


WRITES = ("post", "put", "patch", "delete")
RATE_LIMIT_HEADERS = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}


def _operations():
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "head", "options", *WRITES):
                yield path, method, operation


def test_every_write_documents_the_idempotency_key_and_its_answers():
    writes = 0
    for path, method, operation in _operations():
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method not in WRITES:
            assert "Idempotency-Key" not in names, f"{method.upper()} {path}"
            continue
        writes += 1
        assert "Idempotency-Key" in names, f"{method.upper()} {path}"
        responses = operation["responses"]
        assert {"409", "422", "429"} <= set(responses), f"{method.upper()} {path}"
        for code, response in responses.items():
            if code.startswith("2"):
                assert "Idempotent-Replayed" in response["headers"], f"{method.upper()} {path} {code}"
        assert "Idempotent-Replayed" not in responses["409"]["headers"]
    assert writes >= 35


def test_every_operation_documents_429_and_the_rate_limit_headers():
    for path, method, operation in _operations():
        responses = operation["responses"]
        assert "429" in responses, f"{method.upper()} {path}"
        assert "Retry-After" in responses["429"]["headers"]
        for code, response in responses.items():
            assert set(response["headers"]) >= RATE_LIMIT_HEADERS, f"{method.upper()} {path} {code}"


def _documented_headers(path: str, method: str, status: int) -> set:
    from core.tests.openapi import _operations as operations

    for pattern, _template, methods in operations():
        if pattern.match(path) and method in methods:
            return set(methods[method]["responses"][str(status)].get("headers", {}))
    raise AssertionError(path)


def test_the_headers_of_real_answers_are_the_documented_ones(api, business, settings):
    from ledger.tests.builders import make_customer

    customer = make_customer(business)
    url = f"/api/v1/integration/contacts/{customer.pk}/payments"
    body = {"amount": "1.00", "method": "cash"}
    first = api.post(url, body, format="json", headers={"Idempotency-Key": "k"})
    replayed = api.post(url, body, format="json", headers={"Idempotency-Key": "k"})
    settings.ERP_RATE_LIMITS = {**settings.ERP_RATE_LIMITS, "read": {"sustained": 1, "burst": 1}}
    api.get(f"{url}?per_page=1")
    refused = api.get(f"{url}?per_page=1")

    ours = RATE_LIMIT_HEADERS | {"Idempotent-Replayed", "Retry-After"}
    for response, method, status in ((first, "post", 201), (replayed, "post", 201), (refused, "get", 429)):
        assert response.status_code == status
        sent = {name for name in ours if name in response}
        assert sent <= _documented_headers(url, method, status)
    assert "Idempotent-Replayed" in replayed and "Retry-After" in refused

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

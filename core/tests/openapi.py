"""Checks that a response matches what the OpenAPI schema declares for its operation and status."""

import functools
import re

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


@functools.cache
def openapi_document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def _operations():
    ops = []
    for template, methods in openapi_document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$")
        ops.append((pattern, template, methods))
    # Literal segments win over parameters: /contacts/map before /contacts/{id}.
    ops.sort(key=lambda op: op[1].count("{"))
    return ops


def response_schema(path: str, method: str, status: int, media_type: str = "application/json") -> dict:
    for pattern, template, methods in _operations():
        if pattern.match(path) and method.lower() in methods:
            responses = methods[method.lower()]["responses"]
            assert str(status) in responses, f"{method} {template} does not document status {status}"
            content = responses[str(status)].get("content", {})
            assert media_type in content, f"{method} {template} {status} does not document {media_type}"
            return content[media_type]["schema"]
    raise AssertionError(f"{method} {path} is not in the OpenAPI schema")


def assert_matches_schema(response):
    """The JSON body of a test-client response validates against its documented schema."""
    request = response.wsgi_request
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    schema = response_schema(request.path, request.method, response.status_code, media_type)
    if media_type != "application/json":
        return
    document = openapi_document()
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document, DRAFT202012))
    # Refs inside the schema point into the document ("#/components/..."): resolve them against it.
    resolved = {"$ref": "urn:openapi" + schema["$ref"]} if "$ref" in schema else schema
    validator = Draft202012Validator(resolved, registry=registry)
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

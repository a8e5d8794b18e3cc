"""Every operation of /api/schema/ fuzzed by schemathesis against the app, with the demo business seeded: no 5xx,
no response that breaks its schema or its content type, no status code the operation does not declare.

Each operation runs with valid and with invalid (negative) generated input, each with generated path ids (mostly
unknown: 404) and with the id of a real row of the seeded business, so the handlers past the lookup are fuzzed too.
`ERP_FUZZ_EXAMPLES` sets the examples per run (default 12)."""

import copy
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.tests.openapi import openapi_document

EXAMPLES = int(os.environ.get("ERP_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PREFIX = "/api/v1/integration/"


def bearer_only(document: dict) -> dict:
    """The schema with the Bearer scheme alone, so every generated request carries the one token we give it (the
    key-pair headers would otherwise be generated too, and two credentials that disagree are a 401)."""
    document = copy.deepcopy(document)
    document["security"] = [{"bearerAuth": []}]
    for methods in document["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and "security" in operation:
                operation["security"] = [{"bearerAuth": []}]
    return document


SCHEMA = schemathesis.openapi.from_dict(bearer_only(openapi_document()))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _real_id(operation, ids) -> dict | None:
    if "{id}" not in operation.path:
        return None
    real = {"id": ids[operation.path.removeprefix(PREFIX).split("/", 1)[0]]}
    real.update({name: ids[name] for name in ("document_id", "media_id") if "{" + name + "}" in operation.path})
    return real


@pytest.fixture
def wsgi_app():
    """The app as a server runs it, minus closing the database connection after each request (as Django's test
    client does): the seeded business lives in the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_operation_never_breaks_its_contract(demo, wsgi_app, operation):
    app = wsgi_app
    fuzz = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    headers = demo["headers"]
    real = _real_id(operation, demo["ids"])
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for paths in ({}, {"path_parameters": real} if real else None):
            if paths is None:
                continue

            @fuzz
            @given(case=operation.as_strategy(mode, headers=headers, **paths))
            def run(case):
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # a negative run of an operation with nothing left to make invalid (its only input fixed)
                assert mode is GenerationMode.NEGATIVE and paths

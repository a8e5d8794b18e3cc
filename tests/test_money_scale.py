"""Every amount of every response shape is written at the stored scale, 4 places (RULES §10), on SQLite and on
PostgreSQL: each GET of the schema is called on the demo business (real ids, every format), and every value the
schema declares a non-integer number is checked in the JSON, the CSV cells and the XLSX number format."""

import csv
import io
import re
from decimal import Decimal

import pytest
import simplejson
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.tests.openapi import openapi_document

PREFIX = "/api/v1/integration/"
SAMPLES = {
    "kind": "customer",
    "start_date": "2025-01-01",
    "end_date": "2027-12-31",
    "mobile_number": "7700",
    "tax_number": "GB123",
}
AT_SCALE = re.compile(r"-?[0-9]+\.[0-9]{4}")


class Walk:
    def __init__(self, document):
        self.components = document["components"]["schemas"]
        self.problems: list[str] = []
        self.checked = 0

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        if "allOf" in schema:
            merged: dict = {}
            for part in schema["allOf"]:
                merged.update(self.resolve(part))
            schema = {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
        return schema

    def alternatives(self, schema: dict) -> list[dict]:
        schema = self.resolve(schema)
        options = schema.get("oneOf") or schema.get("anyOf")
        return [self.resolve(o) for o in options] if options else [schema]

    @staticmethod
    def types(schema: dict) -> set:
        kind = schema.get("type")
        return set(kind) if isinstance(kind, list) else {kind}

    def is_amount(self, schema: dict) -> bool:
        """A decimal number: money or a quantity (coordinates are binary floats, declared `format: double`)."""
        return any(
            "number" in self.types(s) and "integer" not in self.types(s) and s.get("format") not in ("double", "float")
            for s in self.alternatives(schema)
        )

    def value(self, value, schema: dict, path: str):
        if value is None:
            return
        if self.is_amount(schema) and not isinstance(value, (dict, list, str, bool)):
            self.checked += 1
            if not (isinstance(value, Decimal) and value.as_tuple().exponent == -4):
                self.problems.append(f"{path} = {value!r}")
            return
        for option in self.alternatives(schema):
            if isinstance(value, dict) and ("properties" in option or "additionalProperties" in option):
                extra = option.get("additionalProperties")
                for key, item in value.items():
                    child = option.get("properties", {}).get(key) or (extra if isinstance(extra, dict) else None)
                    if child is not None:
                        self.value(item, child, f"{path}.{key}")
                return
            if isinstance(value, list) and "items" in option:
                for index, item in enumerate(value):
                    self.value(item, option["items"], f"{path}.{index}")
                return


def _row_schema(walk: Walk, operation: dict):
    """The schema of one row of a list's `data` (or None when the data is not a list of rows)."""
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    data = walk.resolve(walk.resolve(content).get("properties", {}).get("data", {}))
    if "items" in data:
        return walk.resolve(data["items"])
    return None


def _get_operations():
    """Every GET answering JSON (a file download has no amounts)."""
    document = openapi_document()
    for path, methods in document["paths"].items():
        if "get" in methods and "application/json" in methods["get"]["responses"]["200"].get("content", {}):
            yield path, methods["get"]


def _url(path: str, operation: dict, ids: dict) -> str:
    relative = path.removeprefix(PREFIX)
    if "{id}" in relative:
        relative = relative.replace("{id}", str(ids[relative.split("/", 1)[0]]))
    for name in ("document_id", "media_id"):
        relative = relative.replace("{" + name + "}", str(ids[name]))
    query = {
        p["name"]: SAMPLES[p["name"]]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    if "start_date" in {p["name"] for p in operation.get("parameters", [])}:
        query.update(start_date=SAMPLES["start_date"], end_date=SAMPLES["end_date"])
    return PREFIX + relative + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def _formats(operation: dict) -> list[str]:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "format":
            return parameter["schema"]["enum"]
    return ["json"]


@pytest.mark.django_db
def test_every_amount_on_the_wire_is_at_the_stored_scale(demo):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {demo['token']}")
    walk = Walk(openapi_document())
    csv_cells = xlsx_cells = 0
    for path, operation in _get_operations():
        url = _url(path, operation, demo["ids"])
        for fmt in _formats(operation):
            response = client.get(f"{url}&format={fmt}")
            assert response.status_code == 200, (url, fmt, response.status_code, response.content[:300])
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if fmt.startswith("format_") or fmt == "json":
                schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
                walk.value(simplejson.loads(body, parse_float=Decimal), schema, f"{path}?format={fmt}")
                continue
            row = _row_schema(walk, operation)
            if row is None or fmt not in ("csv", "xlsx") or path.endswith("/ledger"):
                continue
            amounts = [name for name, field in row.get("properties", {}).items() if walk.is_amount(field)]
            if fmt == "csv":
                for record in csv.DictReader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))):
                    for name in amounts:
                        csv_cells += 1
                        if record[name] != "" and not AT_SCALE.fullmatch(record[name]):
                            walk.problems.append(f"{path} csv {name} = {record[name]!r}")
            else:
                sheet = load_workbook(io.BytesIO(body)).active
                header = [cell.value for cell in sheet[1]]
                for cells in sheet.iter_rows(min_row=2):
                    for name in amounts:
                        cell = cells[header.index(name)]
                        if cell.value is not None:
                            xlsx_cells += 1
                            if cell.number_format != "0.0000":
                                walk.problems.append(f"{path} xlsx {name} format {cell.number_format!r}")

    assert walk.problems == [], "\n".join(walk.problems)
    # the walk really saw amounts (the demo business has every kind of row)
    assert walk.checked > 300
    assert csv_cells > 500
    assert xlsx_cells > 500


@pytest.mark.django_db
def test_the_ledger_csv_writes_amounts_at_the_stored_scale(demo, django_db_blocker):
    with django_db_blocker.unblock():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {demo['token']}")
        contact = demo["ids"]["contacts"]
        url = f"{PREFIX}contacts/{contact}/ledger?start_date=2025-01-01&end_date=2027-12-31&format=csv"
        body = b"".join(client.get(url).streaming_content).decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body)))
    amounts = [row[side] for row in rows for side in ("debit", "credit") if row[side]]
    assert len(amounts) > 5
    assert [a for a in amounts if not AT_SCALE.fullmatch(a)] == []

"""The shared permission-matrix helper every endpoint test uses.

    def test_list_permissions(actors, other_actors):
        check_permissions(actors, "get", "/api/v1/integration/contacts?kind=customer",
                          allowed=[("customer.view",), ("customer.view_own",)],
                          denied=[(), ("supplier.view",)])
        assert_not_found(other_actors.client(admin=True), "get", f"{BASE}/contacts/{contact.pk}")

Rules it enforces (ARCHITECTURE.md, rule 11): no permission → 403 `Unauthorized`; allowed permission
sets pass the permission check; another business's ids → 404 `Not found` on every route and never
appear in lists, CSV, XLSX or reports (`ids_in`).
"""

import csv
import io
import json

from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.tests.factories import make_token, make_user

BASE = "/api/v1/integration"


class Actors:
    """Users of one business with chosen permissions; each gets a Bearer-token API client."""

    def __init__(self, business):
        self.business = business
        self._users = {}

    def user(self, *permissions, admin=False, locations=(), all_locations=False):
        key = (tuple(sorted(permissions)), admin, tuple(getattr(loc, "pk", loc) for loc in locations), all_locations)
        if key not in self._users:
            self._users[key] = make_user(
                self.business, *permissions, admin=admin, locations=locations, all_locations=all_locations
            )
        return self._users[key]

    def client(self, *permissions, admin=False, locations=(), all_locations=False, user=None) -> APIClient:
        user = user or self.user(*permissions, admin=admin, locations=locations, all_locations=all_locations)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")
        client.user = user
        return client


def call(client, method: str, url: str, data=None):
    if method.lower() == "get":
        return client.get(url)
    return getattr(client, method.lower())(url, data=data, format="json")


def assert_unauthorized(response):
    assert response.status_code == 403, (response.status_code, _body(response))
    assert response.json() == {"message": "Unauthorized"}


def assert_not_found(client, method: str, url: str, data=None):
    response = call(client, method, url, data)
    assert response.status_code == 404, (method, url, response.status_code, _body(response))
    assert response.json() == {"message": "Not found"}


def check_permissions(actors: Actors, method: str, url, *, allowed, denied, data=None, ok=None):
    """Every permission set in `denied` gets 403 Unauthorized; every set in `allowed` gets past the
    permission check (status `ok` when given, else anything but 401/403).
    `url` and `data` may be callables taking the acting user, for routes that consume their target."""
    for permissions in denied:
        client = actors.client(*permissions)
        response = call(client, method, _resolve(url, client.user), _resolve(data, client.user))
        assert response.status_code == 403, (permissions, method, response.status_code, _body(response))
        assert response.json() == {"message": "Unauthorized"}, permissions
    for permissions in allowed:
        client = actors.client(*permissions)
        response = call(client, method, _resolve(url, client.user), _resolve(data, client.user))
        if ok is not None:
            assert response.status_code == ok, (permissions, method, response.status_code, _body(response))
        else:
            assert response.status_code not in (401, 403), (permissions, method, _body(response))


def _resolve(value, user):
    return value(user) if callable(value) else value


def _body(response):
    if response.get("Content-Type", "").startswith("application/json"):
        return response.json()
    return response.get("Content-Type")


# --- reading any format ------------------------------------------------------------------------


def content_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[dict]:
    text = content_of(response).decode("utf-8")
    assert text.startswith("\ufeff"), "CSV must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content_of(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def ids_in(response, key: str = "id") -> set[int]:
    """Every `id` in a JSON body (at any depth), or in the id column of a CSV/XLSX download."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/csv"):
        rows = csv_rows(response)
        found = {int(r[key]) for r in rows if r.get(key)}
        for r in rows:
            if "data_json" in r:
                found |= _ids_in_json(json.loads(r["data_json"]), key)
        return found
    if "spreadsheetml" in content_type:
        return {int(r[key]) for r in xlsx_rows(response) if r.get(key) is not None}
    return _ids_in_json(response.json().get("data"), key)


def _ids_in_json(value, key) -> set[int]:
    found = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, int):
                found.add(v)
            else:
                found |= _ids_in_json(v, key)
    elif isinstance(value, list):
        for item in value:
            found |= _ids_in_json(item, key)
    return found

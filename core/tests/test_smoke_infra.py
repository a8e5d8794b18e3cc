from core.tests.matrix import BASE, ids_in
from core.tests.openapi import assert_matches_schema


def test_admin_lists_walk_in_customer(api, business):
    response = api.get(f"{BASE}/contacts?kind=customer")
    assert response.status_code == 200
    assert_matches_schema(response)
    assert len(ids_in(response)) == 1

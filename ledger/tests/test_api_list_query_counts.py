"""The query count of a list endpoint does not grow with its page (ARCHITECTURE rule 6): a page of 5 rows
and a page of 50 cost the same. (Products and the supplier stock report check theirs in their own modules.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.matrix import BASE
from ledger.tests.builders import cash, make_purchase, make_sell, open_shop


@pytest.fixture
def world(business, admin_user):
    """55 sells (finals with two payments at the shop, drafts at the depot) and 55 purchases."""
    world = open_shop(business, admin_user, stock="1000")
    for i in range(55):
        make_sell(
            business,
            admin_user,
            customer=world.customer,
            location=world.shop if i % 2 else world.depot,
            lines=[(world.widget, "1", None), (world.widget, "2", None)] if i % 2 else [(world.widget, "1", None)],
            payments=[cash("1"), cash("2")] if i % 2 else [],
            status="final" if i % 2 else "draft",
        )
        make_purchase(
            business, admin_user, supplier=world.supplier, location=world.shop, lines=[(world.widget, "1", None)]
        )
    return world


def queries_for(client, url) -> tuple[int, int]:
    """(queries, rows) of a warm GET."""
    client.get(url)  # warm up: sessions, content types, permission caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries), len(response.json()["data"])


@pytest.mark.parametrize(
    "path",
    ["sells", "purchases", "contacts/{customer}/sells", "contacts/{supplier}/purchases"],
)
def test_query_count_is_the_same_for_5_and_50_rows(api, world, path):
    url = f"{BASE}/" + path.format(customer=world.customer.pk, supplier=world.supplier.pk)

    small, small_rows = queries_for(api, f"{url}?per_page=5")
    large, large_rows = queries_for(api, f"{url}?per_page=50")

    assert (small_rows, large_rows) == (5, 50)
    assert small == large


def test_query_count_is_the_same_for_a_user_limited_to_a_location(actors, world):
    clerk = actors.client("sell.view", locations=[world.shop])
    url = f"{BASE}/sells?q=Carla&payment_status=overdue"

    small, small_rows = queries_for(clerk, f"{BASE}/sells?q=Carla&per_page=5")
    large, large_rows = queries_for(clerk, f"{BASE}/sells?q=Carla&per_page=50")

    assert (small_rows, large_rows) == (5, 27)
    assert small == large
    assert queries_for(clerk, url)[1] == 0

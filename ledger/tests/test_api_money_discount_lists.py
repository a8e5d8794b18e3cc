"""GET /ledger-discounts and GET /contacts/{id}/ledger-discounts (contacts-api "List ledger discounts", "List
contact ledger discounts"): the discounts of the contacts the user may see, newest first, filtered, paginated,
csv."""

from decimal import Decimal

import pytest

from contacts.tests.helpers import assert_validation_error, body, share
from core.tests.matrix import BASE, assert_not_found, assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.tests.builders import (
    LEDGER_DISCOUNT_ROW,
    PAGE_META,
    download_rows,
    make_customer,
    make_ledger_discount,
    moment,
    money_footprint,
    open_shop,
)

DISCOUNTS = f"{BASE}/ledger-discounts"


@pytest.fixture
def world(business, admin_user):
    """Discounts: Carla 5.00 (10 Feb, "spring deal") and 2.00 (3 Mar); Supply Co 8.00 (20 Feb); Bo Both 1.00
    (purchase side, 25 Jan)."""
    world = open_shop(business, admin_user, stock="10")
    b, u = business, admin_user
    world.both = make_customer(b, type="both", name="Bo Both")
    world.c1 = make_ledger_discount(b, u, world.customer, "5", when=moment(2026, 2, 10), note="spring deal")
    world.c2 = make_ledger_discount(b, u, world.customer, "2", when=moment(2026, 3, 3))
    world.s1 = make_ledger_discount(b, u, world.supplier, "8", when=moment(2026, 2, 20))
    world.b1 = make_ledger_discount(b, u, world.both, "1", when=moment(2026, 1, 25), sub_type="purchase_discount")
    return world


def listed(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert_matches_schema(response)
    return body(response)


def ids(payload) -> list[int]:
    return [row["id"] for row in payload["data"]]


def test_the_list_is_every_visible_discount_newest_first(api, world):
    payload = listed(api, DISCOUNTS)

    assert list(payload) == ["data", "meta"]
    assert ids(payload) == [world.c2.pk, world.s1.pk, world.c1.pk, world.b1.pk]
    assert all(list(row) == LEDGER_DISCOUNT_ROW for row in payload["data"])
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 4}
    both = payload["data"][3]
    assert (both["contact_name"], both["contact_type"], both["sub_type"], both["amount"]) == (
        "Bo Both",
        "both",
        "purchase_discount",
        Decimal("1"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("contact_id={customer}", ["c2", "c1"]),
        ("start_date=2026-02-01&end_date=2026-02-28", ["s1", "c1"]),
        ("start_date=2026-03-03&end_date=2026-03-03", ["c2"]),
        ("q=SPRING", ["c1"]),
        ("q=supply", ["s1"]),  # the contact's name
        ("q=bo both", ["b1"]),
        ("contact_id={customer}&start_date=2026-03-01&end_date=2026-03-31", ["c2"]),
    ],
)
def test_filters(api, world, query, expected):
    payload = listed(api, f"{DISCOUNTS}?{query.format(customer=world.customer.pk)}")

    assert ids(payload) == [getattr(world, name).pk for name in expected]


def test_q_matches_a_numeric_id(api, world):
    assert world.s1.pk in ids(listed(api, f"{DISCOUNTS}?q={world.s1.pk:02d}"))


def test_the_date_range_is_read_in_the_business_time_zone(api, business, world):
    business.time_zone = "Asia/Kolkata"
    business.save(update_fields=["time_zone"])
    late = make_ledger_discount(business, world.user, world.customer, "1", when=moment(2026, 3, 31, 20))  # 1 April

    payload = listed(api, f"{DISCOUNTS}?start_date=2026-03-01&end_date=2026-03-31")

    assert late.pk not in ids(payload)
    assert ids(payload) == [world.c2.pk]


def test_pages(api, world):
    first = listed(api, f"{DISCOUNTS}?per_page=3")
    second = listed(api, f"{DISCOUNTS}?per_page=3&page=2")

    assert ids(first) + ids(second) == ids(listed(api, DISCOUNTS))
    assert {k: second["meta"][k] for k in PAGE_META} == {"current_page": 2, "last_page": 2, "per_page": 3, "total": 4}


def test_csv_is_every_row_unpaginated(api, business, world):
    response = api.get(f"{DISCOUNTS}?format=csv&per_page=1")

    assert response.status_code == 200
    assert f'filename="ledger-discounts-{business.pk}-' in response["Content-Disposition"]
    rows = download_rows(response)
    assert list(rows[0]) == LEDGER_DISCOUNT_ROW
    assert [int(r["id"]) for r in rows] == ids(listed(api, DISCOUNTS))
    assert rows[2] == {
        "id": str(world.c1.pk),
        "contact_id": str(world.customer.pk),
        "contact_name": "Carla Customer",
        "contact_type": "customer",
        "sub_type": "sell_discount",
        "amount": "5.0000",
        "note": "spring deal",
        "transaction_date": "2026-02-10T10:00:00+00:00",
        "created_by": str(world.user.pk),
    }


BAD_QUERIES = [
    ("start_date=2026-02-01", "end_date"),
    ("end_date=2026-02-01", "start_date"),
    ("start_date=2026-02-10&end_date=2026-02-01", "end_date"),
    ("q=a", "q"),
    ("per_page=101", "per_page"),
    ("page=0", "page"),
    ("format=pdf", "format"),
]


@pytest.mark.parametrize(
    ("route", "query", "field"),
    [
        *(("global", q, f) for q, f in BAD_QUERIES),
        ("global", "contact_id=abc", "contact_id"),
        ("global", "contact_id=0", "contact_id"),
        *(("contact", q, f) for q, f in BAD_QUERIES),  # the contact route ignores contact_id
    ],
)
def test_invalid_queries_are_422(api, business, world, route, query, field):
    url = DISCOUNTS if route == "global" else f"{BASE}/contacts/{world.customer.pk}/ledger-discounts"
    before = money_footprint(business)

    response = api.get(f"{url}?{query}")

    assert_validation_error(response, field)
    assert_matches_schema(response)
    assert money_footprint(business) == before


def test_a_contact_filter_outside_the_business_is_404(api, other_business, world):
    for contact_id in (make_customer(other_business).pk, 99999999):
        assert_not_found(api, "get", f"{DISCOUNTS}?contact_id={contact_id}")
    assert_matches_schema(api.get(f"{DISCOUNTS}?contact_id=99999999"))


def test_view_own_users_see_the_discounts_of_their_own_and_shared_contacts(actors, business, world):
    clerk = actors.client("customer.view_own", "supplier.view_own")
    own = make_customer(business, created_by=clerk.user)
    mine = make_ledger_discount(business, clerk.user, own, "1", when=moment(2026, 4, 1))
    share(world.supplier, clerk.user)

    assert ids(listed(clerk, DISCOUNTS)) == [mine.pk, world.s1.pk]
    assert [int(r["id"]) for r in download_rows(clerk.get(f"{DISCOUNTS}?format=csv"))] == [mine.pk, world.s1.pk]
    assert ids(listed(clerk, f"{DISCOUNTS}?q=Carla")) == []
    assert_unauthorized(clerk.get(f"{DISCOUNTS}?contact_id={world.customer.pk}"))


def test_a_customer_only_reader_sees_customer_side_contacts(actors, world):
    payload = listed(actors.client("customer.view"), DISCOUNTS)

    assert ids(payload) == [world.c2.pk, world.c1.pk, world.b1.pk]


# --- GET /contacts/{id}/ledger-discounts -----------------------------------------------------------------------


def test_the_contact_route_fixes_the_contact(api, business, world):
    url = f"{BASE}/contacts/{world.customer.pk}/ledger-discounts"

    payload = listed(api, url)
    ignored = listed(api, f"{url}?contact_id={world.supplier.pk}")

    assert ids(payload) == ids(ignored) == [world.c2.pk, world.c1.pk]
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 2}
    assert ids(listed(api, f"{url}?start_date=2026-02-01&end_date=2026-02-28")) == [world.c1.pk]
    assert ids(listed(api, f"{url}?q=spring")) == [world.c1.pk]
    assert ids(listed(api, f"{url}?per_page=1&page=2")) == [world.c1.pk]


def test_the_contact_route_as_csv(api, business, world):
    response = api.get(f"{BASE}/contacts/{world.customer.pk}/ledger-discounts?format=csv&per_page=1")

    assert f'filename="contact-{world.customer.pk}-ledger-discounts-{business.pk}-' in response["Content-Disposition"]
    assert [int(r["id"]) for r in download_rows(response)] == [world.c2.pk, world.c1.pk]


def test_the_contact_route_of_an_unknown_contact_is_404(api, world):
    assert_not_found(api, "get", f"{BASE}/contacts/99999999/ledger-discounts")
    assert_matches_schema(api.get(f"{BASE}/contacts/99999999/ledger-discounts"))

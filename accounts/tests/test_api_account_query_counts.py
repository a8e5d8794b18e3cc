"""Query counts of the payment-accounts reads (ARCHITECTURE rule 6): GET /accounts, /accounts/{id}/transactions,
/accounts/reports/cash-flow and /payment-account-report cost the same for 5 rows as for 50 — a page of 5 and a page
of 50, and a csv of 5 rows and one of 50."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.builders import (
    ACCOUNTS,
    CASH_FLOW,
    PAYMENT_REPORT,
    account_url,
    enable_accounts,
    enable_on,
    make_account,
    moment,
    move,
    pay_due,
)
from core.tests.matrix import content_of
from ledger.services.payments import payment_add
from ledger.tests.builders import download_rows, make_sell, open_shop


@pytest.fixture
def busy(business, admin_user):
    """A small account (5 movements, 5 single-document payments) and a busy one (50 of each, half of them pay-dues
    with an allocation), both enabled at the shop; 55 accounts in all, 5 of them named "Small"."""
    enable_accounts(business)
    world = open_shop(business, admin_user, stock="1000")
    b, u = business, admin_user
    world.small = make_account(b, u, "Small", "S-0", opening="10")
    world.big = make_account(b, u, "Big", "B-0", opening="10000")
    enable_on(world.shop, world.small, method="cash")
    enable_on(world.shop, world.big, method="card")
    for i in range(1, 5):
        make_account(b, u, "Small", f"S-{i}")
    for i in range(49):
        make_account(b, u, "Other", f"O-{i}")
    for account, count in ((world.small, 4), (world.big, 49)):
        for i in range(count):
            move(
                b,
                u,
                world.big if account is world.small else world.small,
                account,
                "1",
                when=moment(2026, 1, 1 + i % 28),
            )
    for account, count in ((world.small, 5), (world.big, 50)):
        for i in range(count):
            if account is world.big and i % 2:
                pay_due(b, u, world.customer, "1", paid_on=moment(2026, 2, 1 + i % 28), account=account)
                continue
            sell = make_sell(
                b,
                u,
                customer=world.customer,
                location=world.shop,
                lines=[(world.widget, "1", None)],
                transaction_date=moment(2026, 2, 1),
            )
            payment_add(
                business=b,
                user=u,
                document=sell,
                data={
                    "amount": Decimal("1"),
                    "method": "cash",
                    "paid_on": moment(2026, 2, 1 + i % 28),
                    "account": account,
                },
            )
    return world


def queries_for(client, url) -> tuple[int, object]:
    """(queries, response) of a warm GET; a streamed body is read inside the count (its queries run then)."""
    content_of(client.get(url))  # warm up: permission caches, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        data = content_of(response)
    assert response.status_code == 200, data[:300]
    if getattr(response, "streaming", False):
        response.streaming_content = [data]
    return len(queries.captured_queries), response


def rows_in(response) -> int:
    if response["Content-Type"].startswith("text/csv"):
        return len(download_rows(response))
    data = response.json()["data"]
    return len(data["lines"] if isinstance(data, dict) else data)


def same_cost(client, small_url, large_url, sizes=(5, 50)):
    small, small_response = queries_for(client, small_url)
    large, large_response = queries_for(client, large_url)

    assert (rows_in(small_response), rows_in(large_response)) == sizes
    assert small == large, (small, large)


def test_the_account_list_costs_the_same_for_5_and_50_rows(api, busy):
    same_cost(api, f"{ACCOUNTS}?per_page=5", f"{ACCOUNTS}?per_page=50")
    same_cost(api, f"{ACCOUNTS}?format=csv&q=small", f"{ACCOUNTS}?format=csv&q=o-&per_page=5", sizes=(5, 49))


def test_a_restricted_users_account_list_costs_the_same_for_each_row(actors, busy):
    """A location enables one account per payment method, so a shop user sees two here: one row or two."""
    clerk = actors.client("account.access", locations=[busy.shop])

    same_cost(clerk, f"{ACCOUNTS}?per_page=1", f"{ACCOUNTS}?per_page=2", sizes=(1, 2))


def test_the_account_ledger_costs_the_same_for_5_and_50_lines(api, busy):
    url = account_url(busy.big, "transactions") + "?start_date=2026-01-01&end_date=2026-12-31"

    same_cost(api, f"{url}&per_page=5", f"{url}&per_page=50")
    small_csv = account_url(busy.small, "transactions") + "?format=csv&type=credit&q=fund"
    same_cost(api, small_csv, account_url(busy.big, "transactions") + "?format=csv&type=credit&q=fund", sizes=(4, 49))


def test_the_cash_flow_costs_the_same_for_5_and_50_rows(api, busy):
    url = f"{CASH_FLOW}?start_date=2026-01-01&end_date=2026-12-31"

    same_cost(api, f"{url}&per_page=5", f"{url}&per_page=50")
    same_cost(
        api,
        f"{url}&account_id={busy.small.pk}&type=credit&format=csv",
        f"{url}&account_id={busy.big.pk}&type=credit&format=csv&per_page=5",
        sizes=(10, 100),
    )


def test_the_payment_account_report_costs_the_same_for_5_and_50_rows(api, busy):
    same_cost(api, f"{PAYMENT_REPORT}?per_page=5", f"{PAYMENT_REPORT}?per_page=50")
    same_cost(
        api,
        f"{PAYMENT_REPORT}?format=csv&account_id={busy.small.pk}",
        f"{PAYMENT_REPORT}?format=csv&account_id={busy.big.pk}",
        sizes=(5, 50),
    )

"""Worked examples of payment accounts (RULES §4, §9; payment-accounts-api.txt), exact to the cent, through the
HTTP API.

The books of Acme Trading over the first quarter of 2026, with two locations — Shop (cash → Till, card → Card)
and Depot (bank_transfer → Bank) — a customer Carla, a supplier Supply Co and a customer-and-supplier Bo. Every
figure below is worked out by hand.

    when         what                                                     Bank       Till       Card
    01-01 08:00  Bank opens with 5,000.00; Card with −250.00 (overdraft)  5000.00               −250.00
    01-03 09:00  PO2026/0001 Shop 100 × 6.00 = 600.00, pays 200.00 (Bank) 4800.00
    01-04 09:00  PO2026/0002 Depot 50 × 6.50 = 325.00, unpaid
    01-05 10:00  deposit 300.00 into Till from Bank                       4500.00     300.00
    01-06 09:00  PO2026/0003 Depot 10 × 7.00 = 70.00, pending (no stock)
    01-10 12:00  transfer Till → Bank 150.25                              4650.25     149.75
    01-15 11:00  INV0001 Shop Carla 12 × 25.50 = 306.00, pays 100.00 (Till)           249.75
    01-20 09:30  transfer Bank → Card 400.00                              4250.25                150.00
    01-25 14:00  INV0002 Depot Carla 5 × 30.00 = 150.00, unpaid
    02-02 10:00  deposit 75.00 into Till (no source account)                          324.75
    02-05 10:00  CN2026/0001 Carla returns 2 of INV0001: 51.00
    02-10 16:00  pay due Carla 250.00 cash (Till): INV0001 206.00, INV0002 44.00       574.75
    02-12 10:00  PO2026/0002 paid 125.00 (Bank)                           4125.25
    02-15 10:00  pay due Supply Co 250.00 (Bank): PO2026/0001 250.00      3875.25
    02-20 11:00  INV0003 Shop Bo 4 × 25.00 = 100.00, pays 40.00 by card                          190.00
    02-21 11:00  PO2026/0004 Depot Bo 10 × 5.00 = 50.00, pays 10.00 cash with no account
    today        INV0002 paid 20.00 cash (Till)                                       594.75

Dues as of 2026-03-31 (one engine: every contact's ledger, RULES §5): Carla 306 + 150 − 51 − 100 − 250 = 55.00;
Supply Co 600 + 325 + 70 − 200 − 125 − 250 = 420.00; Bo sell side 100 − 40 = 60.00, purchase side 50 − 10 = 40.00.
customer_due = 55 + 60 = 115.00, supplier_due = 420 + 40 = 460.00. Today Carla owes 35.00, customer_due 95.00.
By location (documents there, plus contact-level payments — the pay-due parents — everywhere, RULES §6):
Shop: customer 306 − 51 − 100 − 250 + (100 − 40) = −35.00, supplier 600 − 200 − 250 = 150.00;
Depot: customer 150 − 250 = −100.00, supplier 325 + 70 − 125 − 250 + (50 − 10) = 60.00.
Closing stock (received lines on hand × cost): PO0001 (100 − 12 + 2 − 4) × 6.00 = 516.00 (Shop);
PO0002 (50 − 5) × 6.50 = 292.50 and PO0004 10 × 5.00 = 50.00 (Depot): 858.50 in all.
"""

import datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AccountTransaction
from accounts.tests.fixtures_books import (
    all_cash_flow,
    at,
    backdate_opening,
    create_account,
    deposit,
    enable_accounts,
    get,
    get_rows,
    movements_sum,
    restricted_client,
    show_on,
    transfer,
)
from core.tests.matrix import BASE
from ledger.models import TransactionPayment
from ledger.tests.builders import api_data, make_product, money_json, reference_year, variation_of

ON_SQLITE = connection.vendor == "sqlite"
Q1_END = "2026-03-31"


@pytest.fixture
def books(api, business):
    """The quarter above, built through the API (opening movements moved to 2026-01-01 08:00)."""
    enable_accounts(business)
    shop, depot = business.locations.order_by("id")
    widget = variation_of(make_product(business, api.user, name="Widget", purchase_price="6.00", sell_price="25.50"))
    year = reference_year(business)

    bank = create_account(api, "Bank", "B-001", opening="5000.00")
    till = create_account(api, "Till", "T-001")
    card = create_account(api, "Card", "C-001", opening="-250.00")
    backdate_opening(bank, at(2026, 1, 1, 8))
    backdate_opening(card, at(2026, 1, 1, 8))
    show_on(shop, cash=till, card=card)
    show_on(depot, bank_transfer=bank)

    carla = api_data(api, "post", "/contacts", {"type": "customer", "name": "Carla Customer", "mobile": "+15550100"})
    term = {"pay_term_number": 30, "pay_term_type": "days"}
    supply = api_data(api, "post", "/contacts", {"type": "supplier", "name": "Supply Co", "mobile": "+155502", **term})
    bo = api_data(api, "post", "/contacts", {"type": "both", "name": "Bo Both", "mobile": "+15550300", **term})

    def pay(amount, method, when, account=None):
        return {
            "amount": amount,
            "method": method,
            "paid_on": when,
            **({"account_id": account["id"]} if account else {}),
        }

    def purchase(contact, location, when, quantity, price, status="received", payments=()):
        line = {"variation_id": widget.pk, "quantity": quantity, "purchase_price": price}
        body = {"contact_id": contact["id"], "location_id": location.pk, "transaction_date": when, "status": status}
        return api_data(api, "post", "/purchases", {**body, "lines": [line], "payments": list(payments)})

    def sell(contact, location, when, quantity, price, payments=()):
        line = {"variation_id": widget.pk, "quantity": quantity, "unit_price": price}
        body = {"contact_id": contact["id"], "location_id": location.pk, "transaction_date": when}
        return api_data(api, "post", "/sells", {**body, "lines": [line], "payments": list(payments)})

    p1 = purchase(
        supply,
        shop,
        "2026-01-03 09:00:00",
        "100",
        "6.00",
        payments=[pay("200.00", "bank_transfer", "2026-01-03 09:00:00", bank)],
    )
    p2 = purchase(supply, depot, "2026-01-04 09:00:00", "50", "6.50")
    opening_deposit = deposit(api, till, "300.00", "2026-01-05 10:00:00", source=bank)
    p3 = purchase(supply, depot, "2026-01-06 09:00:00", "10", "7.00", status="pending")
    till_to_bank = transfer(api, till, bank, "150.25", "2026-01-10 12:00:00")
    i1 = sell(
        carla, shop, "2026-01-15 11:00:00", "12", "25.50", payments=[pay("100.00", "cash", "2026-01-15 11:00:00", till)]
    )
    bank_to_card = transfer(api, bank, card, "400.00", "2026-01-20 09:30:00", note="card top-up")
    i2 = sell(carla, depot, "2026-01-25 14:00:00", "5", "30.00")
    plain_deposit = deposit(api, till, "75.00", "2026-02-02 10:00:00", note="float")
    cn = api_data(
        api,
        "post",
        f"/sells/{i1['id']}/return",
        {"transaction_date": "2026-02-05 10:00:00", "lines": [{"sell_line_id": i1["lines"][0]["id"], "quantity": "2"}]},
    )
    carla_due = api_data(
        api, "post", f"/contacts/{carla['id']}/payments", pay("250.00", "cash", "2026-02-10 16:00:00", till)
    )
    p2_paid = api_data(
        api, "post", f"/purchases/{p2['id']}/payments", pay("125.00", "bank_transfer", "2026-02-12 10:00:00", bank)
    )
    supply_due = api_data(
        api, "post", f"/contacts/{supply['id']}/payments", pay("250.00", "bank_transfer", "2026-02-15 10:00:00", bank)
    )
    i3 = sell(
        bo, shop, "2026-02-20 11:00:00", "4", "25.00", payments=[pay("40.00", "card", "2026-02-20 11:00:00", card)]
    )
    p4 = purchase(
        bo, depot, "2026-02-21 11:00:00", "10", "5.00", payments=[pay("10.00", "cash", "2026-02-21 11:00:00")]
    )
    today_paid = api_data(
        api, "post", f"/sells/{i2['id']}/payments", {"amount": "20.00", "method": "cash", "account_id": till["id"]}
    )
    return SimpleNamespace(
        api=api,
        business=business,
        shop=shop,
        depot=depot,
        year=year,
        bank=bank,
        till=till,
        card=card,
        carla=carla,
        supply=supply,
        bo=bo,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        i1=i1,
        i2=i2,
        i3=i3,
        cn=cn,
        opening_deposit=opening_deposit,
        plain_deposit=plain_deposit,
        till_to_bank=till_to_bank,
        bank_to_card=bank_to_card,
        carla_due=carla_due,
        supply_due=supply_due,
        p2_paid=p2_paid,
        today_paid=today_paid,
    )


def sp(b, n):
    return f"SP{b.year}/{n:04d}"


def pp(b, n):
    return f"PP{b.year}/{n:04d}"


def _movement_of(payment) -> int:
    return AccountTransaction.objects.get(transaction_payment_id=payment["id"]).pk


def payment_of(b, document, index=0):
    return TransactionPayment.objects.filter(transaction_id=document["id"], parent__isnull=True).order_by("id")[index]


# --- accounts, deposits, transfers ------------------------------------------------------------------------------


def test_account_balances_are_credits_minus_debits(books):
    b = books
    listed = get(b.api, "/accounts")
    assert [(r["name"], r["account_number"], r["balance"], r["is_closed"]) for r in listed["data"]] == [
        ("Bank", "B-001", D("3875.25"), False),
        ("Till", "T-001", D("594.75"), False),
        ("Card", "C-001", D("190.00"), False),
    ]
    assert listed["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 3}
    for account, balance in ((b.bank, "3875.25"), (b.till, "594.75"), (b.card, "190.00")):
        detail = get(b.api, f"/accounts/{account['id']}")["data"]
        assert detail["balance"] == D(balance) == movements_sum(account["id"])
        assert detail["created_by"] == b.api.user.pk
    # the opening balances: positive a credit, negative a debit of its absolute value
    openings = AccountTransaction.objects.filter(sub_type="opening_balance").order_by("id")
    assert [(m.account_id, m.type, m.amount, m.note) for m in openings] == [
        (b.bank["id"], "credit", D("5000"), "Opening balance"),
        (b.card["id"], "debit", D("250"), "Opening balance"),
    ]
    assert create_account(b.api, "Petty", "P-1", opening="0")["balance"] == 0
    assert not AccountTransaction.objects.filter(account__name="Petty").exists()


def test_deposits_and_transfers_write_two_linked_legs(books):
    b = books
    dep = b.opening_deposit
    assert (dep["credit"]["account_id"], dep["credit"]["type"], dep["credit"]["sub_type"], dep["credit"]["amount"]) == (
        b.till["id"],
        "credit",
        "deposit",
        D("300.00"),
    )
    assert (dep["debit"]["account_id"], dep["debit"]["type"], dep["debit"]["sub_type"], dep["debit"]["amount"]) == (
        b.bank["id"],
        "debit",
        "deposit",
        D("300.00"),
    )
    assert dep["credit"]["transfer_transaction_id"] == dep["debit"]["id"]
    assert dep["debit"]["transfer_transaction_id"] == dep["credit"]["id"]
    assert dep["credit"]["operation_date"] == dep["debit"]["operation_date"] == "2026-01-05T10:00:00+00:00"

    plain = b.plain_deposit
    assert plain["debit"] is None
    assert (plain["credit"]["amount"], plain["credit"]["transfer_transaction_id"], plain["credit"]["note"]) == (
        D("75.00"),
        None,
        "float",
    )

    for legs, source, target, amount in (
        (b.till_to_bank, b.till, b.bank, "150.25"),
        (b.bank_to_card, b.bank, b.card, "400.00"),
    ):
        debit, credit = legs["debit"], legs["credit"]
        assert (debit["account_id"], debit["type"], debit["sub_type"]) == (source["id"], "debit", "fund_transfer")
        assert (credit["account_id"], credit["type"], credit["sub_type"]) == (target["id"], "credit", "fund_transfer")
        assert debit["amount"] == credit["amount"] == D(amount)
        assert (debit["transfer_transaction_id"], credit["transfer_transaction_id"]) == (credit["id"], debit["id"])
    assert b.bank_to_card["debit"]["note"] == b.bank_to_card["credit"]["note"] == "card top-up"


def test_deposit_and_transfer_refusals(books):
    b = books
    before = AccountTransaction.objects.count()
    api = b.api
    zero = {"account_id": b.till["id"], "amount": "0", "operation_date": "2026-03-01"}
    response = api.post(f"{BASE}/accounts/deposit", zero, format="json")
    assert response.status_code == 422 and "amount" in response.json()["errors"]
    same = {"account_id": b.till["id"], "from_account_id": b.till["id"], "amount": "5", "operation_date": "2026-03-01"}
    response = api.post(f"{BASE}/accounts/deposit", same, format="json")
    assert response.status_code == 422 and "from_account_id" in response.json()["errors"]
    body = {
        "from_account_id": b.bank["id"],
        "to_account_id": b.bank["id"],
        "amount": "5",
        "operation_date": "2026-03-01",
    }
    response = api.post(f"{BASE}/accounts/fund-transfer", body, format="json")
    assert response.status_code == 422 and "to_account_id" in response.json()["errors"]
    response = api.post(f"{BASE}/accounts/fund-transfer", {**body, "to_account_id": 999999}, format="json")
    assert (response.status_code, response.json()) == (404, {"message": "Account not found"})
    # the business's number format: "1,234.50" is 1234.50
    assert deposit(api, b.till, "1,234.50", "2026-03-01 10:00:00")["credit"]["amount"] == D("1234.50")
    assert AccountTransaction.objects.count() == before + 1


def test_amounts_in_the_business_number_format(api, business):
    """A business writing 1.234,50: text amounts are read in its format, JSON numbers as numbers."""
    enable_accounts(business)
    type(business).objects.filter(pk=business.pk).update(thousand_separator=".", decimal_separator=",")
    vault = create_account(api, "Vault", "V-1", opening="1.234,50")
    assert vault["balance"] == D("1234.50")
    assert deposit(api, vault, "12,5", "2026-03-01 10:00:00")["credit"]["amount"] == D("12.50")
    assert deposit(api, vault, 7.25, "2026-03-01 11:00:00")["credit"]["amount"] == D("7.25")
    assert get(api, f"/accounts/{vault['id']}")["data"]["balance"] == D("1254.25")
    response = api.post(
        f"{BASE}/accounts", {"name": "Bad", "account_number": "X", "opening_balance": "12,5,0"}, format="json"
    )
    assert response.status_code == 422 and "opening_balance" in response.json()["errors"]


# --- one account's ledger ---------------------------------------------------------------------------------------


def _line(row):
    return (row["type"], row["sub_type"], row["amount"], row["operation_date"][:16], row["payment_ref_no"])


def test_till_ledger_all_time(books):
    b = books
    body = get(b.api, f"/accounts/{b.till['id']}/transactions")
    data = body["data"]
    assert (data["account_id"], data["beginning_balance"]) == (b.till["id"], None)
    lines = data["lines"]
    today = timezone.localtime(timezone=datetime.UTC).date().isoformat()
    assert [_line(r) for r in lines] == [
        ("credit", "deposit", D("300.00"), "2026-01-05T10:00", None),
        ("debit", "fund_transfer", D("150.25"), "2026-01-10T12:00", None),
        ("credit", None, D("100.00"), "2026-01-15T11:00", sp(b, 1)),
        ("credit", "deposit", D("75.00"), "2026-02-02T10:00", None),
        ("credit", None, D("250.00"), "2026-02-10T16:00", sp(b, 2)),
        ("credit", None, D("20.00"), lines[5]["operation_date"][:16], sp(b, 6)),
    ]
    assert lines[5]["operation_date"].startswith(today)
    # the payments' links: document, payment, method
    assert [
        (r["transaction_id"], r["transaction_payment_id"], r["payment_method"]) for r in lines if r["payment_ref_no"]
    ] == [
        (b.i1["id"], payment_of(b, b.i1).pk, "cash"),
        (None, b.carla_due["id"], "cash"),
        (b.i2["id"], b.today_paid["id"], "cash"),
    ]
    assert lines[0]["transfer_transaction_id"] == b.opening_deposit["debit"]["id"]
    assert body["meta"] == {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 6,
        "start_date": None,
        "end_date": None,
        "type": None,
        "q": None,
    }
    assert sum((r["amount"] if r["type"] == "credit" else -r["amount"] for r in lines), D(0)) == D("594.75")
    debits = get(b.api, f"/accounts/{b.till['id']}/transactions?type=debit")["data"]["lines"]
    assert [_line(r) for r in debits] == [("debit", "fund_transfer", D("150.25"), "2026-01-10T12:00", None)]


def test_till_ledger_of_february_and_its_csv(books):
    b = books
    url = f"/accounts/{b.till['id']}/transactions?start_date=2026-02-01&end_date=2026-02-28"
    body = get(b.api, url)
    # before February: 300.00 − 150.25 + 100.00
    assert body["data"]["beginning_balance"] == D("249.75")
    assert [_line(r) for r in body["data"]["lines"]] == [
        ("credit", "deposit", D("75.00"), "2026-02-02T10:00", None),
        ("credit", None, D("250.00"), "2026-02-10T16:00", sp(b, 2)),
    ]
    assert (body["meta"]["start_date"], body["meta"]["end_date"], body["meta"]["total"]) == (
        "2026-02-01",
        "2026-02-28",
        2,
    )

    rows = get_rows(b.api, f"{url}&format=csv")
    assert [(r["id"], r["type"], r["sub_type"], r["amount"], r["operation_date"], r["note"]) for r in rows] == [
        ("", "credit", "opening_balance", "249.7500", "2026-02-01T00:00:00+00:00", "Opening balance"),
        (str(b.plain_deposit["credit"]["id"]), "credit", "deposit", "75.0000", "2026-02-02T10:00:00+00:00", "float"),
        (str(_movement_of(b.carla_due)), "credit", "", "250.0000", "2026-02-10T16:00:00+00:00", ""),
    ]
    assert rows[2]["payment_ref_no"] == sp(b, 2)
    assert rows[2]["transaction_payment_id"] == str(b.carla_due["id"])
    # without a date range: no opening row, every line
    assert len(get_rows(b.api, f"/accounts/{b.till['id']}/transactions?format=csv")) == 6


def test_card_ledger_brings_forward_a_debit_balance(books):
    """Card opened overdrawn (−250.00): in a range starting after the opening, the csv's opening row is a debit."""
    b = books
    url = f"/accounts/{b.card['id']}/transactions?start_date=2026-01-02&end_date=2026-01-31"
    body = get(b.api, url)
    assert body["data"]["beginning_balance"] == D("-250.00")
    assert [_line(r) for r in body["data"]["lines"]] == [
        ("credit", "fund_transfer", D("400.00"), "2026-01-20T09:30", None)
    ]
    rows = get_rows(b.api, f"{url}&format=csv")
    assert [(r["type"], r["sub_type"], r["amount"], r["operation_date"]) for r in rows] == [
        ("debit", "opening_balance", "250.0000", "2026-01-02T00:00:00+00:00"),
        ("credit", "fund_transfer", "400.0000", "2026-01-20T09:30:00+00:00"),
    ]
    # a range before anything happened: beginning 0, no lines
    empty = get(b.api, f"/accounts/{b.card['id']}/transactions?start_date=2025-12-01&end_date=2025-12-31")["data"]
    assert (empty["beginning_balance"], empty["lines"]) == (D(0), [])


# --- payments post to their accounts ------------------------------------------------------------------------------


def test_every_payment_with_an_account_posts_one_movement(books):
    b = books
    expected = [  # (document or pay-due, account, type, amount, ref)
        (b.p1["id"], b.bank, "debit", "200.00", pp(b, 1)),
        (b.i1["id"], b.till, "credit", "100.00", sp(b, 1)),
        (None, b.till, "credit", "250.00", sp(b, 2)),  # Carla's pay due
        (b.p2["id"], b.bank, "debit", "125.00", pp(b, 2)),
        (None, b.bank, "debit", "250.00", pp(b, 3)),  # Supply Co's pay due
        (b.i3["id"], b.card, "credit", "40.00", sp(b, 5)),
        (b.i2["id"], b.till, "credit", "20.00", sp(b, 6)),
    ]
    posted = TransactionPayment.objects.filter(account__isnull=False).order_by("id")
    assert len(posted) == len(expected)
    for payment, (document, account, kind, amount, ref) in zip(posted, expected, strict=True):
        movement = AccountTransaction.objects.get(transaction_payment_id=payment.pk)
        assert payment.account_transaction_id == movement.pk
        assert (payment.transaction_id, payment.payment_ref_no) == (document, ref)
        assert (movement.account_id, movement.type, movement.amount, movement.sub_type) == (
            account["id"],
            kind,
            D(amount),
            None,
        )
        assert (movement.transaction_id, movement.payment_ref_no, movement.operation_date) == (
            document,
            ref,
            payment.paid_on,
        )
    # the allocations (children) of the two pay-dues and the payment without an account post nothing
    children = TransactionPayment.objects.filter(parent__isnull=False).order_by("id")
    assert [(c.transaction_id, c.amount, c.account_id, c.account_transaction_id) for c in children] == [
        (b.i1["id"], D("206.00"), None, None),
        (b.i2["id"], D("44.00"), None, None),
        (b.p1["id"], D("250.00"), None, None),
    ]
    assert AccountTransaction.objects.filter(transaction_payment_id__isnull=False).count() == 7


def test_deleting_a_payment_takes_its_movement_off_the_account(books):
    b = books
    response = b.api.delete(f"{BASE}/payments/{b.p2_paid['id']}")
    assert response.status_code == 200, response.content
    assert not AccountTransaction.objects.filter(transaction_payment_id=b.p2_paid["id"]).exists()
    assert get(b.api, f"/accounts/{b.bank['id']}")["data"]["balance"] == D("4000.25")  # 3875.25 + 125.00
    # a pay-due parent takes its allocations along and its movement off
    response = b.api.delete(f"{BASE}/payments/{b.supply_due['id']}")
    assert response.status_code == 200, response.content
    assert get(b.api, f"/accounts/{b.bank['id']}")["data"]["balance"] == D("4250.25")
    assert not TransactionPayment.objects.filter(parent_id=b.supply_due["id"]).exists()
    sheet = get(b.api, f"/accounts/reports/balance-sheet?end_date={Q1_END}")["data"]
    assert (sheet["supplier_due"], sheet["account_balances"]["Bank"]) == (D("835.00"), D("4250.25"))


def test_a_reverse_pay_due_moves_money_the_other_way(books):
    """Money going back to Carla (is_reverse): payment_type debit, so a debit on Till; her due goes up by it."""
    b = books
    back = api_data(
        b.api,
        "post",
        f"/contacts/{b.carla['id']}/payments",
        {"amount": "5.00", "method": "cash", "is_reverse": True, "account_id": b.till["id"]},
    )
    assert (back["payment_type"], back["is_advance"]) == ("debit", False)
    movement = AccountTransaction.objects.get(transaction_payment_id=back["id"])
    assert (movement.account_id, movement.type, movement.amount) == (b.till["id"], "debit", D("5.00"))
    assert get(b.api, f"/accounts/{b.till['id']}")["data"]["balance"] == D("589.75")
    assert get(b.api, f"/contacts/{b.carla['id']}/balance")["data"]["due"] == D("40.00")
    assert get(b.api, "/accounts/reports/balance-sheet")["data"]["customer_due"] == D("100.00")


def test_advance_payments_move_no_account(books):
    """Method `advance` spends money already counted when the pay-due came in: no movement, even with an account."""
    b = books
    # INV0002 is still due 150.00 − 44.00 − 20.00 = 86.00: a pay-due of 100.00 pays it and leaves 14.00 in advance
    extra = api_data(
        b.api,
        "post",
        f"/contacts/{b.carla['id']}/payments",
        {"amount": "100.00", "method": "cash", "account_id": b.till["id"]},
    )
    assert AccountTransaction.objects.get(transaction_payment_id=extra["id"]).amount == D("100.00")
    assert TransactionPayment.objects.get(parent_id=extra["id"]).amount == D("86.00")  # INV0002's rest; 14.00 advance
    widget = variation_of(make_product(b.business, b.api.user, name="Gift", enable_stock=False, sell_price="14.00"))
    sold = api_data(
        b.api,
        "post",
        "/sells",
        {
            "contact_id": b.carla["id"],
            "location_id": b.shop.pk,
            "lines": [{"variation_id": widget.pk, "quantity": "1", "unit_price": "14.00"}],
            "payments": [{"amount": "14.00", "method": "advance", "account_id": b.till["id"]}],
        },
    )
    spent = TransactionPayment.objects.get(transaction_id=sold["id"])
    assert (spent.method, spent.parent_id, spent.account_id, spent.account_transaction_id) == (
        "advance",
        extra["id"],
        None,
        None,
    )
    assert get(b.api, f"/accounts/{b.till['id']}")["data"]["balance"] == D("694.75")  # 594.75 + 100.00 only


# --- the four reports ---------------------------------------------------------------------------------------------

ACCOUNTS_Q1 = [("Bank", "B-001", "3875.25"), ("Card", "C-001", "190.00"), ("Till", "T-001", "574.75")]


def _accounts(b, rows):
    ids = {"Bank": b.bank["id"], "Till": b.till["id"], "Card": b.card["id"]}
    return [
        {"id": ids[name], "name": name, "account_number": number, "balance": D(balance)}
        for name, number, balance in rows
    ]


def test_balance_sheet_at_the_end_of_the_quarter(books):
    b = books
    data = get(b.api, f"/accounts/reports/balance-sheet?end_date={Q1_END}")["data"]
    assert data == {
        "end_date": Q1_END,
        "supplier_due": D("460.00"),
        "customer_due": D("115.00"),
        "closing_stock": D("858.50"),
        "account_balances": {"Bank": D("3875.25"), "Card": D("190.00"), "Till": D("574.75")},
        "accounts": _accounts(b, ACCOUNTS_Q1),
        "capital_account_details": None,
    }


@pytest.mark.parametrize(
    ("where", "supplier_due", "customer_due", "closing_stock"),
    [("shop", "150.00", "-35.00", "516.00"), ("depot", "60.00", "-100.00", "342.50")],
)
def test_balance_sheet_of_one_location(books, where, supplier_due, customer_due, closing_stock):
    b = books
    location = getattr(b, where)
    data = get(b.api, f"/accounts/reports/balance-sheet?end_date={Q1_END}&location_id={location.pk}")["data"]
    assert (data["supplier_due"], data["customer_due"], data["closing_stock"]) == (
        D(supplier_due),
        D(customer_due),
        D(closing_stock),
    )
    # account balances are not narrowed by a location
    assert data["accounts"] == _accounts(b, ACCOUNTS_Q1)


def test_balance_sheet_today_and_its_csv(books):
    b = books
    today = timezone.localtime(timezone=datetime.UTC).date().isoformat()
    response = api_data(b.api, "post", f"/accounts/{b.card['id']}/close", None, status=200)
    assert response["is_closed"] is True
    data = get(b.api, "/accounts/reports/balance-sheet")["data"]
    assert (data["end_date"], data["supplier_due"], data["customer_due"], data["closing_stock"]) == (
        today,
        D("460.00"),
        D("95.00"),
        D("858.50"),
    )
    # the closed Card keeps counting
    assert data["account_balances"] == {"Bank": D("3875.25"), "Card": D("190.00"), "Till": D("594.75")}
    rows = get_rows(b.api, f"/accounts/reports/balance-sheet?end_date={Q1_END}&format=csv")
    assert [(r["section"], r["field"], r["value"]) for r in rows] == [
        ("summary", "end_date", Q1_END),
        ("summary", "supplier_due", "460.0000"),
        ("summary", "customer_due", "115.0000"),
        ("summary", "closing_stock", "858.5000"),
        ("account_balances", "Bank", "3875.2500"),
        ("account_balances", "Card", "190.0000"),
        ("account_balances", "Till", "574.7500"),
        ("accounts", f"{b.bank['id']}: Bank (B-001)", "3875.2500"),
        ("accounts", f"{b.card['id']}: Card (C-001)", "190.0000"),
        ("accounts", f"{b.till['id']}: Till (T-001)", "574.7500"),
        ("summary", "capital_account_details", ""),
    ]


def test_report_dues_are_the_contacts_dues(books):
    """customer_due − supplier_due == Σ every contact's `due` in the customer direction (the decision): Carla
    35.00 + Bo 20.00 − Supply Co 420.00 today."""
    b = books
    assert (b.cn["invoice_no"], b.cn["final_total"]) == (f"CN{b.year}/0001", D("51.00"))
    dues = {c["name"]: get(b.api, f"/contacts/{c['id']}/balance")["data"]["due"] for c in (b.carla, b.supply, b.bo)}
    assert dues == {"Carla Customer": D("35.00"), "Supply Co": D("420.00"), "Bo Both": D("20.00")}
    data = get(b.api, "/accounts/reports/trial-balance")["data"]
    assert data["customer_due"] - data["supplier_due"] == dues["Carla Customer"] + dues["Bo Both"] - dues["Supply Co"]
    assert data["customer_due"] == dues["Carla Customer"] + (D("100.00") - D("40.00"))  # Bo's sell side
    assert data["supplier_due"] == dues["Supply Co"] + (D("50.00") - D("10.00"))  # Bo's purchase side


def test_trial_balance(books):
    b = books
    data = get(b.api, f"/accounts/reports/trial-balance?end_date={Q1_END}")["data"]
    assert data == {
        "end_date": Q1_END,
        "supplier_due": D("460.00"),
        "customer_due": D("115.00"),
        "account_balances": {"Bank": D("3875.25"), "Card": D("190.00"), "Till": D("574.75")},
        "accounts": _accounts(b, ACCOUNTS_Q1),
        "capital_account_details": None,
        # customer_due + the accounts: 115.00 + 3875.25 + 190.00 + 574.75
        "debit_total": D("4755.00"),
        "credit_total": D("460.00"),
    }
    shop = get(b.api, f"/accounts/reports/trial-balance?end_date={Q1_END}&location_id={b.shop.pk}")["data"]
    assert (shop["customer_due"], shop["supplier_due"], shop["debit_total"], shop["credit_total"]) == (
        D("-35.00"),
        D("150.00"),
        D("4605.00"),
        D("150.00"),
    )
    # the trial balance's accounts are the balance sheet's, as of the same day
    sheet = get(b.api, f"/accounts/reports/balance-sheet?end_date={Q1_END}")["data"]
    assert data["accounts"] == sheet["accounts"]
    rows = get_rows(b.api, f"/accounts/reports/trial-balance?end_date={Q1_END}&format=csv")
    assert [(r["field"], r["value"]) for r in rows if r["section"] == "summary"][-2:] == [
        ("debit_total", "4755.0000"),
        ("credit_total", "460.0000"),
    ]
    # as of the day before the quarter: only nothing (the openings are dated 2026-01-01)
    early = get(b.api, "/accounts/reports/trial-balance?end_date=2025-12-31")["data"]
    assert (early["debit_total"], early["credit_total"]) == (D(0), D(0))
    january_1 = get(b.api, "/accounts/reports/trial-balance?end_date=2026-01-01")["data"]
    assert january_1["account_balances"] == {"Bank": D("5000.00"), "Card": D("-250.00"), "Till": D(0)}


# (account, type, sub_type, amount, account_balance_after, combined_balance_after) in cash-flow order
CASH_FLOW = [
    ("Bank", "credit", "opening_balance", "5000.00", "5000.00", "5000.00"),
    ("Card", "debit", "opening_balance", "250.00", "-250.00", "4750.00"),
    ("Bank", "debit", None, "200.00", "4800.00", "4550.00"),
    ("Till", "credit", "deposit", "300.00", "300.00", "4850.00"),
    ("Bank", "debit", "deposit", "300.00", "4500.00", "4550.00"),
    ("Till", "debit", "fund_transfer", "150.25", "149.75", "4399.75"),
    ("Bank", "credit", "fund_transfer", "150.25", "4650.25", "4550.00"),
    ("Till", "credit", None, "100.00", "249.75", "4650.00"),
    ("Bank", "debit", "fund_transfer", "400.00", "4250.25", "4250.00"),
    ("Card", "credit", "fund_transfer", "400.00", "150.00", "4650.00"),
    ("Till", "credit", "deposit", "75.00", "324.75", "4725.00"),
    ("Till", "credit", None, "250.00", "574.75", "4975.00"),
    ("Bank", "debit", None, "125.00", "4125.25", "4850.00"),
    ("Bank", "debit", None, "250.00", "3875.25", "4600.00"),
    ("Card", "credit", None, "40.00", "190.00", "4640.00"),
    ("Till", "credit", None, "20.00", "594.75", "4660.00"),
]


def _flow(row):
    return (
        row["account_name"],
        row["type"],
        row["sub_type"],
        row["amount"],
        row["account_balance_after"],
        row["combined_balance_after"],
    )


def _expected_flow(rows):
    return [(a, t, s, D(x), D(y), D(z)) for a, t, s, x, y, z in rows]


def test_cash_flow_of_every_account(books):
    b = books
    rows = all_cash_flow(b.api)
    assert [_flow(r) for r in rows] == _expected_flow(CASH_FLOW)
    for row in rows:
        assert (row["debit"], row["credit"]) == (
            (row["amount"], None) if row["type"] == "debit" else (None, row["amount"])
        )
    ids = [r["id"] for r in rows]
    dates = [r["operation_date"] for r in rows]
    assert list(zip(dates, ids, strict=True)) == sorted(zip(dates, ids, strict=True))
    payments = {r["payment_ref_no"]: r for r in rows if r["payment_ref_no"]}
    summary = {
        ref: (
            r["method"],
            r["method_label"],
            r["is_advance"],
            r["is_return"],
            r["payment_for_contact"],
            r["payment_for_type"],
            r["total_recovered"],
            r["child_invoice_numbers"],
        )
        for ref, r in payments.items()
    }
    assert summary == {
        pp(b, 1): ("bank_transfer", "Bank transfer", 0, 0, "Supply Co", "supplier", D("200.00"), None),
        sp(b, 1): ("cash", "Cash", 0, 0, "Carla Customer", "customer", D("100.00"), None),
        sp(b, 2): ("cash", "Cash", 1, 0, "Carla Customer", "customer", D("250.00"), "INV0001, INV0002"),
        pp(b, 2): ("bank_transfer", "Bank transfer", 0, 0, "Supply Co", "supplier", D("125.00"), None),
        pp(b, 3): ("bank_transfer", "Bank transfer", 1, 0, "Supply Co", "supplier", D("250.00"), f"PO{b.year}/0001"),
        sp(b, 5): ("card", "Card", 0, 0, "Bo Both", "both", D("40.00"), None),
        sp(b, 6): ("cash", "Cash", 0, 0, "Carla Customer", "customer", D("20.00"), None),
    }
    deposits = [r for r in rows if r["sub_type"] in ("deposit", "fund_transfer", "opening_balance")]
    assert all(r["payment_ref_no"] is None and r["total_recovered"] is None for r in deposits)
    assert {r["added_by"] for r in rows} == {b.api.user.username}
    # the last balance of each account is its balance
    last = {r["account_name"]: r["account_balance_after"] for r in rows}
    assert last == {"Bank": D("3875.25"), "Till": D("594.75"), "Card": D("190.00")}


def test_cash_flow_filters(books):
    b = books
    till_rows = [r for r in CASH_FLOW if r[0] == "Till"]
    # one account: the combined balance is that account's own
    only_till = all_cash_flow(b.api, f"account_id={b.till['id']}")
    assert [_flow(r) for r in only_till] == _expected_flow([(*r[:5], r[4]) for r in till_rows])
    # February: the balances are still all-time (computed before the dates narrow the rows)
    february = all_cash_flow(b.api, "start_date=2026-02-01&end_date=2026-02-28")
    assert [_flow(r) for r in february] == _expected_flow(CASH_FLOW[10:15])
    # one date alone does not filter
    assert len(all_cash_flow(b.api, "start_date=2026-02-01")) == 16
    debits = all_cash_flow(b.api, "type=debit")
    assert [_flow(r) for r in debits] == _expected_flow([r for r in CASH_FLOW if r[1] == "debit"])
    # a location keeps the movements of payments on its documents
    shop = all_cash_flow(b.api, f"location_id={b.shop.pk}")
    assert [(r["account_name"], r["payment_ref_no"], r["amount"]) for r in shop] == [
        ("Bank", pp(b, 1), D("200.00")),
        ("Till", sp(b, 1), D("100.00")),
        ("Card", sp(b, 5), D("40.00")),
    ]
    depot = all_cash_flow(b.api, f"location_id={b.depot.pk}")
    assert [(r["account_name"], r["payment_ref_no"], r["amount"]) for r in depot] == [
        ("Bank", pp(b, 2), D("125.00")),
        ("Till", sp(b, 6), D("20.00")),
    ]
    # paging: 16 rows, 5 a page
    page4 = get(b.api, "/accounts/reports/cash-flow?per_page=5&page=4")
    assert page4["meta"] == {"current_page": 4, "last_page": 4, "per_page": 5, "total": 16, "q": None}
    assert [_flow(r) for r in page4["data"]] == _expected_flow(CASH_FLOW[15:])
    assert [_flow(r) for r in all_cash_flow(b.api, "q=Carla")] == _expected_flow(
        [CASH_FLOW[7], CASH_FLOW[11], CASH_FLOW[15]]
    )
    rows = get_rows(b.api, "/accounts/reports/cash-flow?format=csv")
    assert [(r["account_name"], r["account_balance_after"], r["combined_balance_after"]) for r in rows][-2:] == [
        ("Card", "190.0000", "4640.0000"),
        ("Till", "594.7500", "4660.0000"),
    ]


def test_cash_flow_only_payment_recovered(books):
    """Today's payment on January's INV0002 is recovered money; so is a pay-due (an advance payment) made today;
    a sell paid on the day it is made is not."""
    b = books
    rows = all_cash_flow(b.api, "only_payment_recovered=1")
    assert [(r["payment_ref_no"], r["amount"], r["total_recovered"], r["account_balance_after"]) for r in rows] == [
        (sp(b, 6), D("20.00"), D("20.00"), D("594.75"))
    ]
    due_today = api_data(
        b.api,
        "post",
        f"/contacts/{b.bo['id']}/payments",
        {"amount": "30.00", "method": "cash", "account_id": b.till["id"]},
    )
    widget = variation_of(make_product(b.business, b.api.user, name="Pen", enable_stock=False, sell_price="5.00"))
    api_data(
        b.api,
        "post",
        "/sells",
        {
            "contact_id": b.carla["id"],
            "location_id": b.shop.pk,
            "lines": [{"variation_id": widget.pk, "quantity": "1", "unit_price": "5.00"}],
            "payments": [{"amount": "5.00", "method": "cash", "account_id": b.till["id"]}],
        },
    )
    rows = all_cash_flow(b.api, "only_payment_recovered=1")
    assert [(r["payment_ref_no"], r["amount"], r["is_advance"], r["total_recovered"]) for r in rows] == [
        (sp(b, 6), D("20.00"), 0, D("20.00")),
        (due_today["payment_ref_no"], D("30.00"), 1, D("30.00")),  # Bo's INV0003: 60.00 due, 30.00 paid
    ]


def test_payment_account_report(books):
    b = books
    body = get(b.api, "/accounts/reports/payment-account-report")
    rows = body["data"]
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 8, "q": None}

    def summary(r):
        document = r["transaction"] and (r["transaction"]["invoice_no"] or r["transaction"]["ref_no"])
        return (
            r["payment_ref_no"],
            r["amount"],
            r["method"],
            r["is_advance"],
            document,
            r["account"] and r["account"]["name"],
            r["contact"]["name"],
        )

    # newest first; pay-dues (no document) listed, their allocations not
    assert [summary(r) for r in rows] == [
        (sp(b, 6), D("20.00"), "cash", 0, "INV0002", "Till", "Carla Customer"),
        (pp(b, 5), D("10.00"), "cash", 0, f"PO{b.year}/0004", None, "Bo Both"),
        (sp(b, 5), D("40.00"), "card", 0, "INV0003", "Card", "Bo Both"),
        (pp(b, 3), D("250.00"), "bank_transfer", 1, None, "Bank", "Supply Co"),
        (pp(b, 2), D("125.00"), "bank_transfer", 0, f"PO{b.year}/0002", "Bank", "Supply Co"),
        (sp(b, 2), D("250.00"), "cash", 1, None, "Till", "Carla Customer"),
        (sp(b, 1), D("100.00"), "cash", 0, "INV0001", "Till", "Carla Customer"),
        (pp(b, 1), D("200.00"), "bank_transfer", 0, f"PO{b.year}/0001", "Bank", "Supply Co"),
    ]
    assert rows[2]["transaction"] == {
        "id": b.i3["id"],
        "type": "sell",
        "ref_no": None,
        "invoice_no": "INV0003",
        "location_id": b.shop.pk,
    }
    assert rows[2]["account"] == {"id": b.card["id"], "name": "Card", "account_number": "C-001"}
    assert rows[2]["contact"] == {"name": "Bo Both", "type": "both"}
    # account_id=none: the payments that moved no account
    none = get(b.api, "/accounts/reports/payment-account-report?account_id=none")["data"]
    assert [summary(r) for r in none] == [(pp(b, 5), D("10.00"), "cash", 0, f"PO{b.year}/0004", None, "Bo Both")]
    till = get(b.api, f"/accounts/reports/payment-account-report?account_id={b.till['id']}")["data"]
    assert [r["payment_ref_no"] for r in till] == [sp(b, 6), sp(b, 2), sp(b, 1)]
    february = get(b.api, "/accounts/reports/payment-account-report?start_date=2026-02-01&end_date=2026-02-28")["data"]
    assert [r["payment_ref_no"] for r in february] == [pp(b, 5), sp(b, 5), pp(b, 3), pp(b, 2), sp(b, 2)]
    response = b.api.get(f"{BASE}/accounts/reports/payment-account-report?account_id=bank")
    assert response.status_code == 422


# --- locations and restricted users -------------------------------------------------------------------------------


def test_a_shop_clerk_sees_the_shop_accounts(books):
    b = books
    clerk = restricted_client(b.business, b.shop)
    assert [(r["name"], r["balance"]) for r in get(clerk, "/accounts")["data"]] == [
        ("Till", D("594.75")),
        ("Card", D("190.00")),
    ]
    assert get(clerk, f"/accounts/{b.bank['id']}", status=404) == {"message": "Not found"}
    assert get(clerk, f"/accounts/{b.bank['id']}/transactions", status=404) == {"message": "Not found"}
    response = clerk.post(
        f"{BASE}/accounts/deposit",
        {"account_id": b.till["id"], "from_account_id": b.bank["id"], "amount": "1", "operation_date": "2026-03-01"},
        format="json",
    )
    assert (response.status_code, response.json()) == (404, {"message": "Account not found"})

    sheet = get(clerk, f"/accounts/reports/balance-sheet?end_date={Q1_END}")["data"]
    # the dues are the business's (the decision: one engine, business-wide); the accounts are the clerk's
    assert (sheet["supplier_due"], sheet["customer_due"], sheet["closing_stock"]) == (
        D("460.00"),
        D("115.00"),
        D("858.50"),
    )
    assert sheet["account_balances"] == {"Card": D("190.00"), "Till": D("574.75")}
    shop = get(clerk, f"/accounts/reports/trial-balance?end_date={Q1_END}&location_id={b.shop.pk}")["data"]
    # −35.00 + 190.00 + 574.75
    assert (shop["customer_due"], shop["supplier_due"], shop["debit_total"], shop["credit_total"]) == (
        D("-35.00"),
        D("150.00"),
        D("729.75"),
        D("150.00"),
    )
    assert get(clerk, f"/accounts/reports/balance-sheet?location_id={b.depot.pk}", status=403)["message"]
    assert get(clerk, "/accounts/reports/balance-sheet?location_id=999999", status=404) == {
        "message": "Location not found"
    }
    assert get(clerk, f"/accounts/reports/cash-flow?location_id={b.depot.pk}", status=403)["message"]

    # cash flow: the clerk's accounts only, combined over them
    rows = all_cash_flow(clerk)
    assert [_flow(r) for r in rows] == _expected_flow(
        [
            ("Card", "debit", "opening_balance", "250.00", "-250.00", "-250.00"),
            ("Till", "credit", "deposit", "300.00", "300.00", "50.00"),
            ("Till", "debit", "fund_transfer", "150.25", "149.75", "-100.25"),
            ("Till", "credit", None, "100.00", "249.75", "-0.25"),
            ("Card", "credit", "fund_transfer", "400.00", "150.00", "399.75"),
            ("Till", "credit", "deposit", "75.00", "324.75", "474.75"),
            ("Till", "credit", None, "250.00", "574.75", "724.75"),
            ("Card", "credit", None, "40.00", "190.00", "764.75"),
            ("Till", "credit", None, "20.00", "594.75", "784.75"),
        ]
    )
    assert get(clerk, f"/accounts/reports/cash-flow?account_id={b.bank['id']}")["data"] == []

    # payment account report: payments of documents at the shop (pay-dues, with no document, are not the clerk's)
    report = get(clerk, "/accounts/reports/payment-account-report")["data"]
    assert [(r["payment_ref_no"], r["account"] and r["account"]["name"]) for r in report] == [
        (sp(b, 5), "Card"),
        (sp(b, 1), "Till"),
        (pp(b, 1), "Bank"),
    ]
    response = clerk.get(f"{BASE}/accounts/reports/payment-account-report?account_id={b.bank['id']}")
    assert response.status_code == 422


def test_a_depot_clerk_and_a_user_with_every_location(books):
    b = books
    clerk = restricted_client(b.business, b.depot)
    assert [r["name"] for r in get(clerk, "/accounts")["data"]] == ["Bank"]
    depot = get(clerk, f"/accounts/reports/balance-sheet?end_date={Q1_END}&location_id={b.depot.pk}")["data"]
    assert (depot["supplier_due"], depot["customer_due"], depot["closing_stock"], depot["account_balances"]) == (
        D("60.00"),
        D("-100.00"),
        D("342.50"),
        {"Bank": D("3875.25")},
    )
    report = get(clerk, "/accounts/reports/payment-account-report")["data"]
    assert [r["payment_ref_no"] for r in report] == [sp(b, 6), pp(b, 5), pp(b, 2)]
    everywhere = restricted_client(b.business, permissions=("account.access", "access_all_locations"))
    assert [r["name"] for r in get(everywhere, "/accounts")["data"]] == ["Bank", "Till", "Card"]
    assert len(get(everywhere, "/accounts/reports/payment-account-report")["data"]) == 8
    nobody = restricted_client(b.business, b.shop, permissions=())
    assert nobody.get(f"{BASE}/accounts/reports/balance-sheet").status_code == 403


# --- closing --------------------------------------------------------------------------------------------------------


def test_a_closed_account_takes_no_money_and_keeps_counting(books):
    b = books
    api = b.api
    closed = api_data(api, "post", f"/accounts/{b.card['id']}/close", None, status=200)
    assert (closed["is_closed"], closed["balance"]) == (True, D("190.00"))
    before = AccountTransaction.objects.count()
    again = api.post(f"{BASE}/accounts/{b.card['id']}/close")
    assert again.status_code == 422
    for url, body in (
        ("/accounts/deposit", {"account_id": b.card["id"], "amount": "5", "operation_date": "2026-03-01"}),
        (
            "/accounts/deposit",
            {
                "account_id": b.till["id"],
                "from_account_id": b.card["id"],
                "amount": "5",
                "operation_date": "2026-03-01",
            },
        ),
        (
            "/accounts/fund-transfer",
            {
                "from_account_id": b.till["id"],
                "to_account_id": b.card["id"],
                "amount": "5",
                "operation_date": "2026-03-01",
            },
        ),
        (
            "/accounts/fund-transfer",
            {
                "from_account_id": b.card["id"],
                "to_account_id": b.till["id"],
                "amount": "5",
                "operation_date": "2026-03-01",
            },
        ),
        (f"/sells/{b.i3['id']}/payments", {"amount": "5", "method": "card", "account_id": b.card["id"]}),
        (f"/contacts/{b.bo['id']}/payments", {"amount": "5", "method": "card", "account_id": b.card["id"]}),
    ):
        response = api.post(f"{BASE}{url}", body, format="json")
        assert response.status_code == 422, (url, response.status_code, response.content)
    assert AccountTransaction.objects.count() == before
    assert [r["name"] for r in get(api, "/accounts?is_closed=1")["data"]] == ["Card"]
    assert [r["name"] for r in get(api, "/accounts?is_closed=0")["data"]] == ["Bank", "Till"]
    sheet = get(api, f"/accounts/reports/balance-sheet?end_date={Q1_END}")["data"]
    assert sheet["account_balances"]["Card"] == D("190.00")
    assert [_flow(r) for r in all_cash_flow(api, f"account_id={b.card['id']}")][-1][4] == D("190.00")


# --- bugs found -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.00001", "123456789012345678901"])
def test_amounts_outside_decimal_22_4_are_refused(books, amount):
    b = books
    before = AccountTransaction.objects.count()
    responses = [
        b.api.post(
            f"{BASE}/accounts/deposit",
            {"account_id": b.till["id"], "amount": amount, "operation_date": "2026-03-01"},
            format="json",
        ),
        b.api.post(
            f"{BASE}/accounts/fund-transfer",
            {
                "from_account_id": b.bank["id"],
                "to_account_id": b.till["id"],
                "amount": amount,
                "operation_date": "2026-03-01",
            },
            format="json",
        ),
        b.api.post(
            f"{BASE}/accounts", {"name": "Tiny", "account_number": "X", "opening_balance": amount}, format="json"
        ),
    ]
    assert [r.status_code for r in responses] == [422, 422, 422]
    assert AccountTransaction.objects.count() == before


def test_a_fifth_decimal_is_refused_or_rounded_the_same_everywhere(books):
    b = books
    response = b.api.post(
        f"{BASE}/accounts/deposit",
        {"account_id": b.till["id"], "amount": "10.00005", "operation_date": "2026-03-01"},
        format="json",
    )
    assert response.status_code in (201, 422), response.content
    if response.status_code == 201:
        line = money_json(response)["data"]["credit"]["amount"]
        balance = get(b.api, f"/accounts/{b.till['id']}")["data"]["balance"]
        assert balance == D("594.75") + line
        assert [r["account_balance_after"] for r in all_cash_flow(b.api, f"account_id={b.till['id']}")][-1] == balance


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_report_day_bounds_follow_the_business_time_zone(api, business, zone):
    """A sell paid at 22:00 on 31 March (business time) belongs to the quarter's reports; one paid at midnight
    starting 1 April does not — in New York, 02:00 and 04:00 UTC on 1 April; in UTC, exactly midnight. (Found on
    SQLite, where the reports' raw SQL compared the bounds as text; fixed with core.sql.db_datetimes.)"""
    enable_accounts(business)
    type(business).objects.filter(pk=business.pk).update(time_zone=zone)
    shop = business.locations.order_by("id").first()
    service = variation_of(make_product(business, api.user, name="Late", enable_stock=False, sell_price="80.00"))
    till = create_account(api, "Till", "T-1")
    customer = api_data(api, "post", "/contacts", {"type": "customer", "name": "Night Owl", "mobile": "+1555777"})
    for when, paid in (("2026-03-31 22:00:00", "30.00"), ("2026-04-01 00:00:00", "7.00")):
        api_data(
            api,
            "post",
            "/sells",
            {
                "contact_id": customer["id"],
                "location_id": shop.pk,
                "transaction_date": when,
                "lines": [{"variation_id": service.pk, "quantity": "1", "unit_price": "80.00"}],
                "payments": [{"amount": paid, "method": "cash", "paid_on": when, "account_id": till["id"]}],
            },
        )
    for report in ("balance-sheet", "trial-balance"):
        data = get(api, f"/accounts/reports/{report}?end_date={Q1_END}")["data"]
        assert (data["customer_due"], data["account_balances"]) == (D("50.00"), {"Till": D("30.00")}), report
    assert [r["amount"] for r in all_cash_flow(api, "start_date=2026-03-31&end_date=2026-03-31")] == [D("30.00")]
    april = all_cash_flow(api, "start_date=2026-04-01&end_date=2026-04-30")
    assert [(r["amount"], r["account_balance_after"]) for r in april] == [(D("7.00"), D("37.00"))]


@pytest.mark.xfail(
    ON_SQLITE,
    reason="SQLite keeps decimals as 15-significant-digit floating point (Django's converter), so amounts beyond "
    "that lose their last digits there; PostgreSQL's numeric and the API's JSON keep every digit",
    strict=True,
)
def test_large_amounts_read_back_to_the_cent(api, business):
    enable_accounts(business)
    vault = create_account(api, "Vault", "V-1", opening="1234567890123456.78")
    deposit(api, vault, "0.01", "2026-03-01 10:00:00")
    assert get(api, f"/accounts/{vault['id']}")["data"]["balance"] == D("1234567890123456.79")
    lines = get(api, f"/accounts/{vault['id']}/transactions")["data"]["lines"]
    assert sorted(line["amount"] for line in lines) == [D("0.01"), D("1234567890123456.78")]

"""POST /accounts/deposit and POST /accounts/fund-transfer (payment-accounts-api "Deposit", "Fund transfer";
RULES §9): a deposit is a credit on the account and, with from_account_id, the paired debit there; a transfer is a
debit and a credit; the legs point at each other and sum to zero. Both accounts visible (404 Account not found),
open and different, amount > 0 in the business's number format; every refusal writes nothing."""

from decimal import Decimal

import pytest

from accounts.models import AccountTransaction
from accounts.tests.builders import (
    ACCOUNT_LINE,
    ACCOUNT_NOT_FOUND,
    DEPOSIT,
    TRANSFER,
    account_url,
    assert_invalid,
    balance_of,
    books_footprint,
    make_account,
    open_books,
)
from contacts.tests.helpers import body
from core.tests.openapi import assert_matches_schema


@pytest.fixture
def books(business, admin_user):
    return open_books(business, admin_user)


def post(client, url, payload):
    return client.post(url, payload, format="json")


def posted(client, url, payload) -> dict:
    response = post(client, url, payload)
    assert response.status_code == 201, response.content[:500]
    assert_matches_schema(response)
    return body(response)["data"]


def refused_422(response, business, before, *fields):
    if fields:
        assert_invalid(response, *fields)
    else:
        assert response.status_code == 422, response.content[:500]
        assert isinstance(response.json()["message"], str) and response.json()["message"]
    assert_matches_schema(response)
    assert books_footprint(business) == before


def refused_404(response, business, before):
    assert response.status_code == 404, response.content[:500]
    assert response.json() == ACCOUNT_NOT_FOUND
    assert_matches_schema(response)
    assert books_footprint(business) == before


# --- deposit ------------------------------------------------------------------------------------------------------


def test_a_deposit_is_a_credit_line_without_a_debit(api, business, books):
    data = posted(
        api,
        DEPOSIT,
        {
            "account_id": books.till.pk,
            "amount": "75.25",
            "operation_date": "2026-03-04 09:15:00",
            "note": "Float top-up",
        },
    )

    line = AccountTransaction.objects.get(account=books.till, sub_type="deposit")
    assert list(data) == ["credit", "debit"]
    assert list(data["credit"]) == ACCOUNT_LINE
    assert data == {
        "credit": {
            "id": line.pk,
            "account_id": books.till.pk,
            "type": "credit",
            "sub_type": "deposit",
            "amount": Decimal("75.25"),
            "operation_date": "2026-03-04T09:15:00+00:00",
            "note": "Float top-up",
            "transaction_id": None,
            "transaction_payment_id": None,
            "transfer_transaction_id": None,
            "payment_ref_no": None,
            "payment_method": None,
        },
        "debit": None,
    }
    assert balance_of(books.till) == Decimal("125.25")
    assert line.created_by_id == api.user.pk


def test_a_deposit_from_another_account_writes_both_legs_linked_both_ways(api, business, books):
    data = posted(
        api,
        DEPOSIT,
        {"account_id": books.till.pk, "from_account_id": books.bank.pk, "amount": 120, "operation_date": "2026-03-04"},
    )

    credit, debit = data["credit"], data["debit"]
    assert list(debit) == ACCOUNT_LINE
    assert (credit["account_id"], credit["type"], credit["sub_type"], credit["amount"]) == (
        books.till.pk,
        "credit",
        "deposit",
        Decimal("120"),
    )
    assert (debit["account_id"], debit["type"], debit["sub_type"], debit["amount"]) == (
        books.bank.pk,
        "debit",
        "deposit",
        Decimal("120"),
    )
    assert (credit["transfer_transaction_id"], debit["transfer_transaction_id"]) == (debit["id"], credit["id"])
    assert credit["operation_date"] == debit["operation_date"] == "2026-03-04T00:00:00+00:00"
    assert (balance_of(books.till), balance_of(books.bank)) == (Decimal("170"), Decimal("880"))


# --- fund transfer ------------------------------------------------------------------------------------------------


def test_a_transfer_is_a_debit_and_a_credit_that_sum_to_zero(api, business, books):
    data = posted(
        api,
        TRANSFER,
        {
            "from_account_id": books.bank.pk,
            "to_account_id": books.vault.pk,
            "amount": "400.10",
            "operation_date": "2026-05-06 17:45:00",
            "note": "Sweep",
        },
    )

    debit, credit = data["debit"], data["credit"]
    assert list(data) == ["debit", "credit"]
    assert list(debit) == list(credit) == ACCOUNT_LINE
    assert (debit["account_id"], debit["type"], debit["sub_type"]) == (books.bank.pk, "debit", "fund_transfer")
    assert (credit["account_id"], credit["type"], credit["sub_type"]) == (books.vault.pk, "credit", "fund_transfer")
    assert debit["amount"] == credit["amount"] == Decimal("400.1")
    assert (debit["transfer_transaction_id"], credit["transfer_transaction_id"]) == (credit["id"], debit["id"])
    assert (debit["note"], debit["operation_date"]) == ("Sweep", "2026-05-06T17:45:00+00:00")
    legs = AccountTransaction.objects.filter(sub_type="fund_transfer")
    assert sum((m.amount if m.type == "credit" else -m.amount for m in legs), Decimal(0)) == 0
    assert (balance_of(books.bank), balance_of(books.vault)) == (Decimal("599.9"), Decimal("400.1"))


def test_a_closed_account_keeps_its_history_after_a_transfer_out(api, books):
    posted(
        api,
        TRANSFER,
        {
            "from_account_id": books.safe.pk,
            "to_account_id": books.bank.pk,
            "amount": "300",
            "operation_date": "2026-05-06",
        },
    )
    api.post(account_url(books.safe, "close"))

    assert balance_of(books.safe) == 0
    assert AccountTransaction.objects.filter(account=books.safe).count() == 2


# --- amounts in the business's number format ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "amount"), [("1.234,50", Decimal("1234.50")), ("0,75", Decimal("0.75")), (9, 9)])
def test_amounts_are_read_in_the_business_number_format(api, business, books, text, amount):
    business.thousand_separator, business.decimal_separator = ".", ","
    business.save()

    deposit = posted(api, DEPOSIT, {"account_id": books.till.pk, "amount": text, "operation_date": "2026-03-04"})
    transfer = posted(
        api,
        TRANSFER,
        {
            "from_account_id": books.bank.pk,
            "to_account_id": books.safe.pk,
            "amount": text,
            "operation_date": "2026-03-04",
        },
    )

    assert deposit["credit"]["amount"] == transfer["debit"]["amount"] == transfer["credit"]["amount"] == amount


# --- refusals -----------------------------------------------------------------------------------------------------

DEPOSIT_OK = {"amount": "10", "operation_date": "2026-03-04"}
TRANSFER_OK = {"amount": "10", "operation_date": "2026-03-04"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "0,00"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": None}, "amount"),
        ({"operation_date": None}, "operation_date"),
        ({"operation_date": "04/03/2026"}, "operation_date"),
        ({"note": "x" * 1001}, "note"),
        ({"account_id": "abc"}, "account_id"),
        ({"account_id": None}, "account_id"),
        ({"from_account_id": "abc"}, "from_account_id"),
        ({"transfer_to": 1}, "transfer_to"),
    ],
)
def test_an_invalid_deposit_is_422_and_writes_nothing(api, business, books, change, field):
    before = books_footprint(business)
    payload = {"account_id": books.till.pk, **DEPOSIT_OK, **change}

    refused_422(post(api, DEPOSIT, {k: v for k, v in payload.items() if v is not None}), business, before, field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-0.01"}, "amount"),
        ({"amount": "1.2.3"}, "amount"),
        ({"operation_date": None}, "operation_date"),
        ({"from_account_id": None}, "from_account_id"),
        ({"to_account_id": None}, "to_account_id"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_an_invalid_transfer_is_422_and_writes_nothing(api, business, books, change, field):
    before = books_footprint(business)
    payload = {"from_account_id": books.bank.pk, "to_account_id": books.till.pk, **TRANSFER_OK, **change}

    refused_422(post(api, TRANSFER, {k: v for k, v in payload.items() if v is not None}), business, before, field)


def test_a_deposit_from_the_same_account_is_422(api, business, books):
    before = books_footprint(business)

    response = post(api, DEPOSIT, {"account_id": books.till.pk, "from_account_id": books.till.pk, **DEPOSIT_OK})

    refused_422(response, business, before, "from_account_id")


def test_a_transfer_to_the_same_account_is_422(api, business, books):
    before = books_footprint(business)

    response = post(api, TRANSFER, {"from_account_id": books.bank.pk, "to_account_id": books.bank.pk, **TRANSFER_OK})

    refused_422(response, business, before, "to_account_id")


@pytest.mark.parametrize(
    ("url", "sides"),
    [
        (DEPOSIT, {"account_id": "closed"}),
        (DEPOSIT, {"account_id": "open", "from_account_id": "closed"}),
        (TRANSFER, {"from_account_id": "closed", "to_account_id": "open"}),
        (TRANSFER, {"from_account_id": "open", "to_account_id": "closed"}),
    ],
)
def test_a_closed_account_takes_no_money_and_gives_none(api, business, books, url, sides):
    closed = make_account(business, books.user, "Old Bank", "OLD-1", opening="500", closed=True)
    accounts = {"closed": closed.pk, "open": books.till.pk}
    before = books_footprint(business)

    response = post(api, url, {**{k: accounts[v] for k, v in sides.items()}, **DEPOSIT_OK})

    refused_422(response, business, before)
    assert "closed" in response.json()["message"]


@pytest.mark.parametrize(
    ("url", "sides"),
    [
        (DEPOSIT, {"account_id": "unknown"}),
        (DEPOSIT, {"account_id": "ours", "from_account_id": "unknown"}),
        (DEPOSIT, {"account_id": "theirs"}),
        (DEPOSIT, {"account_id": "ours", "from_account_id": "theirs"}),
        (TRANSFER, {"from_account_id": "unknown", "to_account_id": "ours"}),
        (TRANSFER, {"from_account_id": "ours", "to_account_id": "unknown"}),
        (TRANSFER, {"from_account_id": "theirs", "to_account_id": "ours"}),
        (TRANSFER, {"from_account_id": "ours", "to_account_id": "theirs"}),
    ],
)
def test_an_account_that_is_not_ours_is_404_account_not_found(api, business, other_business, books, url, sides):
    theirs = make_account(other_business, None, "Their Bank", "THR-1", opening="900")
    accounts = {"ours": books.till.pk, "theirs": theirs.pk, "unknown": theirs.pk + 1000}
    before, their_before = books_footprint(business), books_footprint(other_business)

    response = post(api, url, {**{k: accounts[v] for k, v in sides.items()}, **DEPOSIT_OK})

    refused_404(response, business, before)
    assert books_footprint(other_business) == their_before


@pytest.mark.parametrize("amount", ["0.00001", "10.00005", "1e30", "12345678901234567890"])
@pytest.mark.parametrize("url", [DEPOSIT, TRANSFER])
def test_an_amount_beyond_the_money_precision_is_422(api, business, books, url, amount):
    before = books_footprint(business)
    payload = {"account_id": books.till.pk, "from_account_id": books.bank.pk, "to_account_id": books.till.pk}
    if url == DEPOSIT:
        payload.pop("to_account_id")
    else:
        payload.pop("account_id")

    refused_422(
        post(api, url, {**payload, "amount": amount, "operation_date": "2026-03-04"}), business, before, "amount"
    )


# --- a failure half-way writes nothing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (DEPOSIT, {"account_id": "till", "from_account_id": "bank"}),
        (TRANSFER, {"from_account_id": "bank", "to_account_id": "till"}),
    ],
)
def test_both_legs_or_neither(api, business, books, monkeypatch, url, payload):
    """The second leg fails: the first one is rolled back with it (one database transaction)."""
    from accounts import services

    real, calls = services._movement, []

    def second_leg_fails(**kwargs):
        calls.append(kwargs["type"])
        if len(calls) == 2:
            raise RuntimeError("the connection dropped")
        return real(**kwargs)

    monkeypatch.setattr(services, "_movement", second_leg_fails)
    before = books_footprint(business)

    response = post(api, url, {**{k: getattr(books, v).pk for k, v in payload.items()}, **DEPOSIT_OK})

    assert len(calls) == 2
    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert_matches_schema(response)
    assert books_footprint(business) == before

"""POST /accounts, PATCH|PUT /accounts/{id}, POST /accounts/{id}/close (payment-accounts-api "Create", "Update",
"Close payment account"; RULES §9): the PaymentAccountDetail answers, the opening balance movement (credit when
positive, debit of the absolute value when negative, parsed in the business's number format), the account type of
the business only, empty detail rows dropped, updates that never touch the history, and 422 with nothing written."""

from decimal import Decimal

import pytest

from accounts.models import Account, AccountTransaction
from accounts.tests.builders import (
    ACCOUNT_DETAIL,
    ACCOUNTS,
    account_url,
    assert_invalid,
    books_footprint,
    make_account,
    make_account_type,
    movements_of,
    open_books,
)
from contacts.tests.helpers import body
from core.tests.matrix import assert_not_found
from core.tests.openapi import assert_matches_schema


@pytest.fixture
def books(business, admin_user):
    return open_books(business, admin_user)


def create(client, **fields):
    return client.post(ACCOUNTS, {"name": "Savings", "account_number": "SAV-9", **fields}, format="json")


def created(client, **fields) -> dict:
    response = create(client, **fields)
    assert response.status_code == 201, response.content[:500]
    assert_matches_schema(response)
    return body(response)["data"]


def refused(response, business, before, *fields):
    """422 naming `fields` (or a plain message when none), the schema's error shape, nothing written."""
    if fields:
        assert_invalid(response, *fields)
    else:
        assert response.status_code == 422, response.content[:500]
        assert set(response.json()) == {"message"} and response.json()["message"]
    assert_matches_schema(response)
    assert books_footprint(business) == before


# --- create -------------------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_detail_reloaded_with_its_balance(api, business, books):
    data = created(api, note="Rainy days", opening_balance="250.75")

    account = Account.objects.get(pk=data["id"])
    assert list(data) == ACCOUNT_DETAIL
    assert data == {
        "id": account.pk,
        "name": "Savings",
        "account_number": "SAV-9",
        "note": "Rainy days",
        "is_closed": False,
        "balance": Decimal("250.75"),
        "account_type": None,
        "account_details": None,
        "created_by": api.user.pk,
    }
    assert account.business_id == business.pk


@pytest.mark.parametrize(
    ("opening", "movements"),
    [
        ("250.75", [("credit", "opening_balance", Decimal("250.75"), None)]),
        (Decimal("-40.5"), [("debit", "opening_balance", Decimal("40.5"), None)]),
        (12, [("credit", "opening_balance", Decimal("12"), None)]),
        ("0", []),
        (0, []),
        (None, []),
        ("", []),
    ],
)
def test_a_non_zero_opening_balance_writes_one_opening_movement(api, books, opening, movements):
    data = created(api, opening_balance=str(opening) if isinstance(opening, Decimal) else opening)

    assert movements_of(data["id"]) == movements
    expected = movements[0][2] * (1 if movements and movements[0][0] == "credit" else -1) if movements else 0
    assert data["balance"] == expected


def test_without_an_opening_balance_no_movement_is_written(api, books):
    data = created(api)

    assert AccountTransaction.objects.filter(account_id=data["id"]).count() == 0
    assert data["balance"] == 0


@pytest.mark.parametrize(
    ("text", "amount"),
    [("1.234,50", Decimal("1234.50")), ("-1.234,50", Decimal("-1234.50")), ("12,5", Decimal("12.5")), (7, 7)],
)
def test_the_opening_balance_is_read_in_the_business_number_format(api, business, books, text, amount):
    business.thousand_separator, business.decimal_separator = ".", ","
    business.save()

    data = created(api, opening_balance=text)

    assert data["balance"] == amount
    line = AccountTransaction.objects.get(account_id=data["id"])
    assert (line.type, line.amount) == ("credit" if amount > 0 else "debit", abs(Decimal(amount)))


@pytest.mark.parametrize("garbage", ["12abc", "1.234,5,0", "abc", "  ", "NaN", "Infinity", True, [1], {"v": 1}])
def test_an_opening_balance_that_is_no_number_is_422(api, business, books, garbage):
    business.thousand_separator, business.decimal_separator = ".", ","
    business.save()
    before = books_footprint(business)

    refused(create(api, opening_balance=garbage), business, before, "opening_balance")


@pytest.mark.parametrize("opening", ["0.00001", "1.23456", "1e30", "12345678901234567890"])
def test_an_opening_balance_beyond_the_money_precision_is_422(api, business, books, opening):
    before = books_footprint(business)

    refused(create(api, opening_balance=opening), business, before, "opening_balance")


def test_the_account_type_and_detail_rows_are_saved_without_empty_rows(api, business, books):
    assets = make_account_type(business, "Assets")
    bank_type = make_account_type(business, "Bank accounts", parent=assets)

    data = created(
        api,
        account_type_id=bank_type.pk,
        account_details=[
            {"label": "IBAN", "value": "DE44 5001"},
            {"label": "", "value": ""},
            {"label": None, "value": None},
            {"label": "  ", "value": " "},
            {"label": "", "value": "only a value"},
            {"label": "SWIFT"},
        ],
    )

    assert data["account_type"] == {
        "id": bank_type.pk,
        "name": "Bank accounts",
        "parent": {"id": assets.pk, "name": "Assets"},
    }
    assert data["account_details"] == [
        {"label": "IBAN", "value": "DE44 5001"},
        {"label": "", "value": "only a value"},
        {"label": "SWIFT", "value": ""},
    ]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"account_number": ""}, "account_number"),
        ({"name": "x" * 192}, "name"),
        ({"note": "x" * 2001}, "note"),
        ({"account_type_id": 999999}, "account_type_id"),
        ({"account_type_id": "abc"}, "account_type_id"),
        ({"account_details": "IBAN"}, "account_details"),
        ({"is_closed": True, "colour": "red"}, "colour"),
    ],
)
def test_an_invalid_body_is_422_and_writes_nothing(api, business, books, fields, error):
    before = books_footprint(business)

    refused(create(api, **fields), business, before, error)


def test_the_name_and_account_number_are_required(api, business, books):
    before = books_footprint(business)

    refused(api.post(ACCOUNTS, {}, format="json"), business, before, "name", "account_number")


def test_an_account_type_of_another_business_is_422(api, business, other_business, books):
    theirs = make_account_type(other_business, "Their type")
    before = books_footprint(business)

    refused(create(api, account_type_id=theirs.pk, opening_balance="10"), business, before, "account_type_id")


# --- update -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_update_changes_only_the_fields_sent(api, business, books, method):
    assets = make_account_type(business, "Assets")
    before_lines = movements_of(books.bank)

    response = getattr(api, method)(
        account_url(books.bank),
        {"name": "Main Bank (EUR)", "account_type_id": assets.pk, "account_details": [{"label": "BIC", "value": "X"}]},
        format="json",
    )

    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    data = body(response)["data"]
    assert list(data) == ACCOUNT_DETAIL
    assert (data["name"], data["account_number"], data["note"], data["balance"]) == (
        "Main Bank (EUR)",
        "BNK-001",
        None,
        Decimal("1000"),
    )
    assert data["account_type"] == {"id": assets.pk, "name": "Assets", "parent": None}
    assert data["account_details"] == [{"label": "BIC", "value": "X"}]
    assert movements_of(books.bank) == before_lines  # the history never changes


def test_the_type_and_details_can_be_cleared(api, business, books):
    assets = make_account_type(business, "Assets")
    typed = make_account(
        business, books.user, "Typed", "T-1", account_type=assets, details=[{"label": "a", "value": "b"}]
    )

    data = body(api.patch(account_url(typed), {"account_type_id": None, "account_details": None}, format="json"))[
        "data"
    ]

    assert (data["account_type"], data["account_details"]) == (None, None)


def test_a_put_of_the_detail_as_read_is_accepted(api, books):
    """The response-only fields (id, is_closed, balance, account_type, created_by) may be sent back unchanged."""
    read = api.get(account_url(books.till)).json()["data"]

    response = api.put(account_url(books.till), {**read, "note": "Counted daily"}, format="json")

    assert response.status_code == 200, response.content[:500]
    assert body(response)["data"] == {**body(api.get(account_url(books.till)))["data"], "note": "Counted daily"}


@pytest.mark.parametrize(
    "payload",
    [{}, {"id": 5, "balance": 10, "is_closed": True, "created_by": 1}],
    ids=["empty", "only-response-fields"],
)
def test_an_update_without_an_updatable_field_is_422(api, business, books, payload):
    before = books_footprint(business)

    refused(api.patch(account_url(books.bank), payload, format="json"), business, before)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"opening_balance": "5"}, "opening_balance"),  # the history is never rewritten by an update
        ({"name": ""}, "name"),
        ({"note": "x" * 2001}, "note"),
        ({"account_type_id": 999999}, "account_type_id"),
    ],
)
def test_an_invalid_update_is_422_and_writes_nothing(api, business, books, fields, error):
    before = books_footprint(business)

    refused(api.patch(account_url(books.bank), fields, format="json"), business, before, error)


def test_an_update_to_an_account_type_of_another_business_is_422(api, business, other_business, books):
    theirs = make_account_type(other_business, "Their type")
    before = books_footprint(business)

    refused(
        api.put(account_url(books.bank), {"account_type_id": theirs.pk}, format="json"),
        business,
        before,
        "account_type_id",
    )


@pytest.mark.parametrize("method", ["patch", "put"])
def test_updating_an_unknown_account_is_404(api, business, books, method):
    before = books_footprint(business)

    assert_not_found(api, method, account_url(books.vault.pk + 1000), {"name": "x"})
    assert books_footprint(business) == before


# --- close --------------------------------------------------------------------------------------------------------


def test_close_answers_200_with_the_closed_account(api, business, books):
    response = api.post(account_url(books.till, "close"))

    assert response.status_code == 200, response.content[:500]
    assert_matches_schema(response)
    data = body(response)["data"]
    assert list(data) == ACCOUNT_DETAIL
    assert (data["id"], data["is_closed"], data["balance"]) == (books.till.pk, True, Decimal("50"))
    assert Account.objects.get(pk=books.till.pk).is_closed
    assert movements_of(books.till) == [("credit", "opening_balance", Decimal("50"), None)]


def test_closing_a_closed_account_is_422(api, business, books):
    api.post(account_url(books.till, "close"))
    before = books_footprint(business)

    response = api.post(account_url(books.till, "close"))

    assert response.status_code == 422
    assert response.json() == {"message": "The account is already closed."}
    assert_matches_schema(response)
    assert books_footprint(business) == before


def test_closing_an_unknown_account_is_404(api, business, books):
    before = books_footprint(business)

    assert_not_found(api, "post", account_url(books.vault.pk + 1000, "close"))
    assert books_footprint(business) == before


# --- a failure half-way writes nothing ----------------------------------------------------------------------------


def test_a_create_that_fails_after_the_account_row_leaves_nothing_behind(api, business, books, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("accounts.services._movement", broken)
    before = books_footprint(business)

    response = create(api, opening_balance="10")

    # The spec's 500 body is {"message": "Could not create account"}; the house envelope (ARCHITECTURE rule 8)
    # answers every unexpected failure with something_went_wrong.
    assert response.status_code == 500
    assert response.json() == {"message": "something_went_wrong"}
    assert_matches_schema(response)
    assert books_footprint(business) == before

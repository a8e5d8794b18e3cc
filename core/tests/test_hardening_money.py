"""Amounts are exact on both databases and never a 500: written at 4 places everywhere, refused when the database
could not hold them, stored totals kept within the money column; writes answer one envelope; card numbers are never
kept whole."""

import io
from decimal import Decimal

import pytest
import simplejson
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AccountTransaction
from accounts.tests.builders import enable_accounts, make_account
from contacts.models import Contact
from contacts.tests.helpers import assert_validation_error
from core.money import wire_decimal
from core.tests.matrix import BASE
from ledger.models import Transaction, TransactionPayment
from ledger.tests.builders import make_customer, open_shop

SQLITE = connection.vendor == "sqlite"


def exact(response) -> dict:
    """The body with every JSON number kept as written (`5.2000` stays Decimal("5.2000"), `0` stays int)."""
    return simplejson.loads(response.content, parse_float=Decimal)


def scale(value) -> int:
    assert isinstance(value, Decimal), value
    return -value.as_tuple().exponent


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("5.20000000000000"), "5.2000"),  # a SQLite expression
        (Decimal("28.00000000"), "28.0000"),  # a PostgreSQL product of two 4-place columns
        (Decimal("7500"), "7500.0000"),
        (Decimal("218.5"), "218.5000"),
        (Decimal("0.00005"), "0.0001"),  # half up
        (Decimal("-0.00004"), "0.0000"),  # never "-0.0000"
        (Decimal("1E+18"), "1000000000000000000.0000"),
    ],
)
def test_the_one_output_conversion(value, written):
    assert str(wire_decimal(value)) == written


def test_computed_amounts_are_written_at_4_places_in_json_csv_and_xlsx(api, business, admin_user):
    world = open_shop(business, admin_user, stock="10")
    sell = api.post(
        f"{BASE}/sells",
        {
            "contact_id": world.customer.pk,
            "location_id": world.shop.pk,
            "lines": [{"variation_id": world.variation.pk, "quantity": "2", "unit_price": "14"}],
            "payments": [{"amount": "5.2", "method": "cash"}],
        },
        format="json",
    )
    assert sell.status_code == 201, sell.json()

    listed = exact(api.get(f"{BASE}/sells"))["data"][0]
    detail = exact(api.get(f"{BASE}/sells/{sell.json()['data']['id']}"))["data"]
    balance = exact(api.get(f"{BASE}/contacts/{world.customer.pk}/balance"))["data"]

    assert (listed["final_total"], listed["total_paid"], listed["total_due"]) == (
        Decimal("28.0000"),
        Decimal("5.2000"),
        Decimal("22.8000"),
    )
    assert {scale(listed[k]) for k in ("final_total", "total_paid", "total_due")} == {4}
    assert [scale(line["line_total"]) for line in detail["lines"]] == [4]
    assert {k: scale(v) for k, v in balance.items() if k not in ("contact_id", "due_formatted")} == {
        k: 4 for k in balance if k not in ("contact_id", "due_formatted")
    }
    text = b"".join(api.get(f"{BASE}/sells?format=csv").streaming_content).decode()
    assert ",28.0000," in text and ",22.8000," in text
    sheet = load_workbook(io.BytesIO(api.get(f"{BASE}/sells?format=xlsx").getvalue())).active
    header = [c.value for c in sheet[1]]
    total = sheet.cell(row=2, column=header.index("final_total") + 1)
    assert (total.value, total.number_format) == (28, "0.0000")


@pytest.mark.skipif(not SQLITE, reason="the 15-digit limit is SQLite's")
@pytest.mark.parametrize("amount", ["999999999999999999", "1234567890123456", "0.1234567890123456"])
def test_on_sqlite_an_amount_it_cannot_hold_exactly_is_422_before_anything_is_written(api, business, amount):
    before = Contact.all_objects.count(), Transaction.objects.count()

    response = api.post(
        f"{BASE}/contacts", {"type": "customer", "name": "Big", "opening_balance": amount}, format="json"
    )

    data = assert_validation_error(response, "opening_balance")
    assert "15 significant digits" in data["errors"]["opening_balance"][0] or "decimal places" in data["message"]
    assert (Contact.all_objects.count(), Transaction.objects.count()) == before


@pytest.mark.skipif(SQLITE, reason="PostgreSQL keeps every digit of numeric(22,4)")
def test_on_postgresql_18_integer_digits_come_back_exactly(api, business):
    response = api.post(
        f"{BASE}/contacts",
        {"type": "customer", "name": "Big", "opening_balance": "999999999999999999.9999"},
        format="json",
    )
    assert response.status_code == 201, response.json()

    opening = exact(api.get(f"{BASE}/contacts/{response.json()['data']['id']}/opening-balance"))["data"]
    assert opening["transaction"]["final_total"] == Decimal("999999999999999999.9999")


@pytest.mark.skipif(not SQLITE, reason="only SQLite could ever have stored such a row (PostgreSQL refuses it)")
def test_a_stored_amount_beyond_the_column_still_reads(api, business):
    customer = make_customer(business, name="Huge")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contacts_contact SET balance = 1e18 WHERE id = %s", [customer.pk])

    detail = api.get(f"{BASE}/contacts/{customer.pk}")
    listed = api.get(f"{BASE}/contacts?kind=customer")

    assert detail.status_code == 200
    assert exact(detail)["data"]["balance"] == Decimal("1000000000000000000.0000")
    assert listed.status_code == 200


# --- stored totals stay within the column ------------------------------------------------------------------------


def test_a_pay_due_that_would_overflow_the_advance_balance_is_422_and_writes_nothing(api, business):
    customer = make_customer(business, name="Whale")
    first = api.post(
        f"{BASE}/contacts/{customer.pk}/payments", {"amount": "600000000000000000", "method": "cash"}, format="json"
    )
    assert first.status_code == 201, first.json()
    before = TransactionPayment.objects.count()

    second = api.post(
        f"{BASE}/contacts/{customer.pk}/payments", {"amount": "600000000000000000", "method": "cash"}, format="json"
    )

    data = assert_validation_error(second, "amount")
    assert "advance balance to 1200000000000000000.0000" in data["errors"]["amount"][0]
    assert TransactionPayment.objects.count() == before
    customer.refresh_from_db()
    assert customer.balance == Decimal("600000000000000000")


def test_a_deposit_that_would_overflow_the_account_balance_is_422_and_writes_nothing(api, business, admin_user):
    enable_accounts(business)
    bank = make_account(business, admin_user, "Bank", opening="600000000000000000")
    before = AccountTransaction.objects.count()

    response = api.post(
        f"{BASE}/accounts/deposit",
        {"account_id": bank.pk, "amount": "600000000000000000", "operation_date": "2026-01-05"},
        format="json",
    )

    data = assert_validation_error(response, "amount")
    assert "the balance of the account Bank" in data["errors"]["amount"][0]
    assert AccountTransaction.objects.count() == before


def test_a_transfer_that_would_overflow_the_target_is_422(api, business, admin_user):
    enable_accounts(business)
    full = make_account(business, admin_user, "Full", opening="900000000000000000")
    source = make_account(business, admin_user, "Source", opening="200000000000000000")

    response = api.post(
        f"{BASE}/accounts/fund-transfer",
        {
            "from_account_id": source.pk,
            "to_account_id": full.pk,
            "amount": "200000000000000000",
            "operation_date": "2026-01-05",
        },
        format="json",
    )

    assert_validation_error(response, "amount")
    assert AccountTransaction.objects.filter(sub_type="fund_transfer").count() == 0


# --- one write envelope ------------------------------------------------------------------------------------------


def test_every_write_answers_message_and_data(api, business, admin_user):
    enable_accounts(business)
    world = open_shop(business, admin_user)
    till = make_account(business, admin_user, "Till")

    answers = {
        "product": api.post(
            f"{BASE}/products", {"name": "Gadget", "purchase_price": "1", "sell_price": "2"}, format="json"
        ),
        "account": api.post(f"{BASE}/accounts", {"name": "Bank", "account_number": "B-2"}, format="json"),
        "account update": api.patch(f"{BASE}/accounts/{till.pk}", {"note": "counter"}, format="json"),
        "deposit": api.post(
            f"{BASE}/accounts/deposit",
            {"account_id": till.pk, "amount": "5", "operation_date": "2026-01-05"},
            format="json",
        ),
    }
    bank_id = answers["account"].json()["data"]["id"]
    answers["transfer"] = api.post(
        f"{BASE}/accounts/fund-transfer",
        {"from_account_id": till.pk, "to_account_id": bank_id, "amount": "1", "operation_date": "2026-01-05"},
        format="json",
    )
    answers["close"] = api.post(f"{BASE}/accounts/{bank_id}/close")
    answers["sell"] = api.post(
        f"{BASE}/sells",
        {
            "contact_id": world.customer.pk,
            "location_id": world.shop.pk,
            "lines": [{"variation_id": world.variation.pk, "quantity": "1", "unit_price": "10"}],
        },
        format="json",
    )

    for name, response in answers.items():
        assert response.status_code in (200, 201), (name, response.json())
        body = response.json()
        assert set(body) == {"message", "data"}, name
        assert body["message"].endswith("successfully"), (name, body["message"])


# --- cards -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sent", "kept"), [("4111 1111 1111 1234", "1234"), ("5500-0000-0000-0004", "0004")])
def test_only_the_last_four_digits_of_a_card_are_stored(api, business, sent, kept):
    customer = make_customer(business)

    response = api.post(
        f"{BASE}/contacts/{customer.pk}/payments",
        {"amount": "5", "method": "card", "card_number": sent, "card_type": "visa"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    payment = TransactionPayment.objects.get(pk=response.json()["data"]["id"])
    assert (payment.card_last4, payment.card_type) == (kept, "visa")
    assert sent not in response.content.decode()
    assert not hasattr(payment, "card_number")


def test_a_card_number_that_is_not_digits_is_422(api, business):
    customer = make_customer(business)

    response = api.post(
        f"{BASE}/contacts/{customer.pk}/payments",
        {"amount": "5", "method": "card", "card_number": "4111<script>"},
        format="json",
    )

    assert_validation_error(response, "card_number")


@pytest.mark.django_db(transaction=True)
def test_the_migration_cuts_stored_card_numbers_to_four_digits():
    from django.db.migrations.executor import MigrationExecutor

    from core.tests.factories import make_business

    executor = MigrationExecutor(connection)
    before, after = [("ledger", "0004_subscription_list_index")], [("ledger", "0005_card_last4")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        business = old.get_model("core", "Business").objects.create(name="Old")
        Payment = old.get_model("ledger", "TransactionPayment")
        numbers = {"4111111111111111": "1111", "5500 0000 0000 0004": "0004", "": None, None: None}
        rows = [
            Payment.objects.create(
                business_id=business.pk, amount=1, method="card", paid_on=timezone.now(), card_number=number
            ).pk
            for number in numbers
        ]
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("ledger", "TransactionPayment")
        assert [new.objects.get(pk=pk).card_last4 for pk in rows] == list(numbers.values())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    make_business(name="After")  # the schema is whole again

"""Worked examples of the trading documents, with every figure computed by hand (supporting-api.md, RULES §3, §4).

Each example goes through the HTTP API, so the wire format (JSON numbers read back as exact Decimals) is covered
too; the database rows behind it (FIFO mapping, quantity_sold, stock) are read with the ORM.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from contacts.models import Contact
from core.models import BusinessLocation
from core.tests.factories import ContactFactory, make_business
from core.tests.matrix import BASE, Actors
from inventory.models import Variation, VariationLocationStock
from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine, Transaction, TransactionPayment
from ledger.services.pay_due import pay_contact_due
from ledger.services.sells import sell_delete

D = Decimal


# --- small private helpers ------------------------------------------------------------------------------------


def body(response) -> dict:
    """The JSON body with numbers read as Decimal, so money compares exactly."""
    return json.loads(response.content, parse_float=Decimal)


def created(response) -> dict:
    assert response.status_code == 201, (response.status_code, response.content[:2000])
    return body(response)["data"]


def refused(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.content[:2000])
    return body(response)


def locations_of(business) -> list[BusinessLocation]:
    return list(BusinessLocation.objects.filter(business=business).order_by("id"))


def new_product(api, name="Widget", purchase_price="1.00", sell_price="2.00") -> int:
    """A single stock-tracked product; returns its one variation id."""
    data = created(
        api.post(
            f"{BASE}/products",
            {"name": name, "purchase_price": purchase_price, "sell_price": sell_price},
            format="json",
        )
    )
    return data["variations"][0]["id"]


def sell(api, customer, location, lines, **extra) -> dict:
    payload = {
        "contact_id": customer.pk,
        "location_id": location.pk,
        "lines": [{"variation_id": v, "quantity": q, "unit_price": p} for v, q, p in lines],
        **extra,
    }
    return created(api.post(f"{BASE}/sells", payload, format="json"))


def purchase(api, supplier, location, lines, **extra) -> dict:
    payload = {
        "contact_id": supplier.pk,
        "location_id": location.pk,
        "lines": [{"variation_id": v, "quantity": q, "purchase_price": p} for v, q, p in lines],
        **extra,
    }
    return created(api.post(f"{BASE}/purchases", payload, format="json"))


def pay(api, url, amount, method="cash"):
    return api.post(url, {"amount": amount, "method": method}, format="json")


def stock(variation_id, location) -> Decimal:
    row = VariationLocationStock.objects.filter(variation_id=variation_id, location=location).first()
    return row.qty_available if row else D(0)


def mapping(sell_line_id) -> dict[int, Decimal]:
    """{purchase line id: quantity} of one sell line's FIFO allocation."""
    return dict(
        SellLinePurchaseLine.objects.filter(sell_line_id=sell_line_id).values_list("purchase_line_id", "quantity")
    )


def sold(purchase_line_id) -> Decimal:
    return PurchaseLine.objects.get(pk=purchase_line_id).quantity_sold


def give_advance(api, contact, amount, side="sell"):
    """Advance money held for the contact: a payment through the pay-due service (what POST
    /contacts/{id}/payments runs) with no open due to allocate to, so all of it is kept as their advance
    balance. Sell side: money the customer paid us ahead (it pays sells); purchase side: money we paid a supplier
    ahead (it pays purchases). The due type chosen is one the contact has no documents of."""
    pay_contact_due(
        business=contact.business,
        user=api.user,
        contact=contact,
        data={
            "amount": amount,
            "method": "cash",
            "due_payment_type": "purchase_return" if side == "sell" else "sell_return",
        },
    )


@pytest.fixture
def customer(business):
    return ContactFactory(business=business, type=Contact.Type.CUSTOMER)


@pytest.fixture
def supplier(business):
    return ContactFactory(business=business, type=Contact.Type.SUPPLIER)


@pytest.fixture
def loc(business):
    return locations_of(business)[0]


# --- totals ----------------------------------------------------------------------------------------------------


def test_percentage_discount_and_shipping_round_half_up_to_the_cent(api, customer, loc):
    # 3 × 19.99 = 59.97 and 2 × 5.05 = 10.10: 70.07; 10 % off is 7.007 → 63.063; + 4.50 shipping = 67.563 → 67.56.
    v = new_product(api, sell_price=D("19.99"))
    w = new_product(api, name="Washer", sell_price=D("5.05"))
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("3"), D("19.99")), (w, D("2"), D("5.05"))],
        status="draft",
        discount_type="percentage",
        discount_amount=D("10"),
        shipping_charges=D("4.50"),
    )
    assert doc["final_total"] == D("67.56")
    assert doc["total_paid"] == D("0") and doc["total_due"] == D("67.56")
    assert doc["discount_type"] == "percentage" and doc["discount_amount"] == D("10")
    assert doc["shipping_charges"] == D("4.50")
    assert [line["line_total"] for line in doc["lines"]] == [D("59.97"), D("10.10")]
    row = Transaction.objects.get(pk=doc["id"])
    assert row.total_before_tax == D("70.07") and row.final_total == D("67.56")


def test_a_half_cent_rounds_up_not_to_even(api, customer, loc):
    # 10.05 with 50 % off is 5.025: half-up gives 5.03 (banker's rounding would give 5.02).
    v = new_product(api)
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("1"), D("10.05"))],
        status="quotation",
        discount_type="percentage",
        discount_amount=D("50"),
    )
    assert doc["final_total"] == D("5.03")
    # 3 × 0.335 = 1.005 → 1.01.
    doc = sell(api, customer, loc, [(v, D("3"), D("0.335"))], status="quotation")
    assert doc["final_total"] == D("1.01")


def test_fixed_discount_and_shipping(api, customer, supplier, loc):
    # 70.07 − 5.00 + 4.50 = 69.57, for a sell and (with purchase prices) a purchase alike.
    v = new_product(api)
    w = new_product(api, name="Washer")
    lines = [(v, D("3"), D("19.99")), (w, D("2"), D("5.05"))]
    extra = {"discount_type": "fixed", "discount_amount": D("5.00"), "shipping_charges": D("4.50")}
    assert sell(api, customer, loc, lines, status="draft", **extra)["final_total"] == D("69.57")
    assert purchase(api, supplier, loc, lines, status="ordered", **extra)["final_total"] == D("69.57")
    # A fractional quantity: 2.5 kg × 3.333 = 8.3325; 8.3325 − 0.01 = 8.3225 → 8.32.
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("2.5"), D("3.333"))],
        status="draft",
        discount_type="fixed",
        discount_amount=D("0.01"),
    )
    assert doc["final_total"] == D("8.32")


def test_business_precision_zero_rounds_to_whole_units(db):
    business = make_business(name="Yen Trading", currency_code="JPY")
    assert business.currency_precision == 0
    api = Actors(business).client(admin=True)
    customer = ContactFactory(business=business, type=Contact.Type.CUSTOMER)
    loc = locations_of(business)[0]
    v = new_product(api)
    # 70.07 − 10 % = 63.063, + 4.50 = 67.563 → 68.
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("3"), D("19.99")), (v, D("2"), D("5.05"))],
        status="draft",
        discount_type="percentage",
        discount_amount=D("10"),
        shipping_charges=D("4.50"),
    )
    assert doc["final_total"] == D("68")
    assert Transaction.objects.get(pk=doc["id"]).final_total == D("68.0000")
    # Exactly half a unit rounds up: 10.50 → 11, 3.00 − 0.50 = 2.50 → 3, and 1.49 → 1.
    assert sell(api, customer, loc, [(v, D("1"), D("10.50"))], status="draft")["final_total"] == D("11")
    doc = sell(
        api, customer, loc, [(v, D("1"), D("3.00"))], status="draft", discount_type="fixed", discount_amount=D("0.50")
    )
    assert doc["final_total"] == D("3")
    assert sell(api, customer, loc, [(v, D("1"), D("1.49"))], status="draft")["final_total"] == D("1")


# --- payment status ------------------------------------------------------------------------------------------


def test_sell_payment_status_due_partial_paid(api, business, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("10"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("4"), D("25.00"))])
    url = f"{BASE}/sells/{doc['id']}"
    assert (doc["final_total"], doc["payment_status"], doc["total_due"]) == (D("100.00"), "due", D("100.00"))

    created(pay(api, f"{url}/payments", D("30.00")))
    detail = body(api.get(url))["data"]
    assert (detail["payment_status"], detail["total_paid"], detail["total_due"]) == ("partial", D("30"), D("70"))

    # One cent too much is refused, whatever the method, and changes nothing.
    assert "amount" in refused(pay(api, f"{url}/payments", D("70.01"), "card"))["errors"]
    assert body(api.get(url))["data"]["payment_status"] == "partial"

    created(pay(api, f"{url}/payments", D("69.99"), "card"))
    assert body(api.get(url))["data"]["payment_status"] == "partial"
    created(pay(api, f"{url}/payments", D("0.01"), "bank_transfer"))
    detail = body(api.get(url))["data"]
    assert (detail["payment_status"], detail["total_paid"], detail["total_due"]) == ("paid", D("100"), D("0"))
    assert [p["amount"] for p in detail["payments"]] == [D("30"), D("69.99"), D("0.01")]
    # Paid in full: nothing more is due, so even a cent is refused.
    errors = refused(pay(api, f"{url}/payments", D("0.01")))["errors"]
    assert errors["amount"] == ["The amount 0.01 exceeds the amount due (0)."]
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "paid"


def test_deleting_payments_walks_the_status_back_paid_partial_due(api, customer, supplier, loc):
    """DELETE /payments/{id} (business admins): the document's status is recomputed; an advance payment's amount
    goes back onto the contact's advance balance."""
    give_advance(api, customer, D("40.00"))
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("5"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("2"), D("30.00"))])
    url = f"{BASE}/sells/{doc['id']}"
    cash = created(pay(api, f"{url}/payments", D("25.00")))
    advance = created(pay(api, f"{url}/payments", D("35.00"), "advance"))
    assert body(api.get(url))["data"]["payment_status"] == "paid"
    customer.refresh_from_db()
    assert customer.balance == D("5.00")

    assert api.delete(f"{BASE}/payments/{advance['id']}").status_code == 200
    detail = body(api.get(url))["data"]
    assert (detail["payment_status"], detail["total_paid"], detail["total_due"]) == ("partial", D("25"), D("35"))
    customer.refresh_from_db()
    assert customer.balance == D("40.00")

    assert api.delete(f"{BASE}/payments/{cash['id']}").status_code == 200
    detail = body(api.get(url))["data"]
    assert (detail["payment_status"], detail["total_paid"], detail["payments"]) == ("due", D("0"), [])
    # And paid again from the restored advance.
    created(pay(api, f"{url}/payments", D("40.00"), "advance"))
    assert body(api.get(url))["data"]["payment_status"] == "partial"


def test_zero_total_is_paid_and_drafts_take_no_payments(api, customer, loc):
    v = new_product(api)
    free = sell(api, customer, loc, [(v, D("1"), D("0"))], status="quotation")
    assert (free["final_total"], free["payment_status"]) == (D("0"), "paid")
    draft = sell(api, customer, loc, [(v, D("1"), D("5.00"))], status="draft")
    refused(pay(api, f"{BASE}/sells/{draft['id']}/payments", D("1.00")))
    assert not TransactionPayment.objects.filter(transaction_id=draft["id"]).exists()


def test_payments_sent_with_the_sell_set_its_status(api, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("10"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("2"), D("12.50"))], payments=[{"amount": D("10.00"), "method": "cash"}])
    assert (doc["payment_status"], doc["total_paid"], doc["total_due"]) == ("partial", D("10"), D("15"))
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("2"), D("12.50"))],
        payments=[{"amount": D("20.00"), "method": "cash"}, {"amount": D("5.00"), "method": "card"}],
    )
    assert doc["payment_status"] == "paid"
    # More than the total is refused and the whole sell is rolled back (stock included).
    before = stock(v, loc)
    response = api.post(
        f"{BASE}/sells",
        {
            "contact_id": customer.pk,
            "location_id": loc.pk,
            "lines": [{"variation_id": v, "quantity": D("1"), "unit_price": D("12.50")}],
            "payments": [{"amount": D("10.00"), "method": "cash"}, {"amount": D("2.51"), "method": "cash"}],
        },
        format="json",
    )
    assert list(refused(response)["errors"]) == ["payments.1.amount"]
    assert stock(v, loc) == before


def test_overdue_shows_on_the_wire_until_paid(api, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("5"), D("1.00"))])
    long_ago = (timezone.now() - datetime.timedelta(days=40)).strftime("%Y-%m-%d")
    doc = sell(
        api,
        customer,
        loc,
        [(v, D("1"), D("50.00"))],
        transaction_date=long_ago,
        pay_term_number=30,
        pay_term_type="days",
    )
    url = f"{BASE}/sells/{doc['id']}"
    assert doc["payment_status"] == "overdue"
    created(pay(api, f"{url}/payments", D("20.00")))
    assert body(api.get(url))["data"]["payment_status"] == "partial-overdue"
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "partial"
    created(pay(api, f"{url}/payments", D("30.00")))
    assert body(api.get(url))["data"]["payment_status"] == "paid"


def test_sell_return_refund_due_partial_paid_and_back_to_partial(api, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("10"), D("8.00"))])
    doc = sell(api, customer, loc, [(v, D("3"), D("20.00"))])
    line_id = doc["lines"][0]["id"]
    ret = created(
        api.post(
            f"{BASE}/sells/{doc['id']}/return", {"lines": [{"sell_line_id": line_id, "quantity": 2}]}, format="json"
        )
    )
    assert (ret["final_total"], ret["payment_status"], ret["return_parent_id"]) == (D("40.00"), "due", doc["id"])
    refund = f"{BASE}/transactions/{ret['id']}/payments"
    created(pay(api, refund, D("15.00")))
    assert Transaction.objects.get(pk=ret["id"]).payment_status == "partial"
    refused(pay(api, refund, D("25.01")))
    created(pay(api, refund, D("25.00")))
    assert Transaction.objects.get(pk=ret["id"]).payment_status == "paid"
    # The sell itself is untouched by the return's refund.
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "due"

    # Returning one more unit raises the return to 60.00, of which 40.00 is refunded: partial again.
    ret = created(
        api.post(
            f"{BASE}/sells/{doc['id']}/return", {"lines": [{"sell_line_id": line_id, "quantity": 3}]}, format="json"
        )
    )
    assert (ret["final_total"], ret["payment_status"]) == (D("60.00"), "partial")
    assert stock(v, loc) == D("10")

    # Lowering it below what was refunded (1 × 20.00 < 40.00) is refused and changes nothing.
    response = api.post(
        f"{BASE}/sells/{doc['id']}/return", {"lines": [{"sell_line_id": line_id, "quantity": 1}]}, format="json"
    )
    refused(response)
    assert SellLine.objects.get(pk=line_id).quantity_returned == D("3")
    assert Transaction.objects.get(pk=ret["id"]).final_total == D("60.00")
    assert stock(v, loc) == D("10")

    created(pay(api, refund, D("20.00")))
    assert Transaction.objects.get(pk=ret["id"]).payment_status == "paid"


def test_purchase_and_purchase_return_payment_status(api, supplier, loc):
    v = new_product(api)
    doc = purchase(api, supplier, loc, [(v, D("6"), D("2.50"))], status="pending")
    url = f"{BASE}/purchases/{doc['id']}/payments"
    assert (doc["final_total"], doc["payment_status"]) == (D("15.00"), "due")
    created(pay(api, url, D("5.00")))
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "partial"
    created(pay(api, url, D("10.00"), "cheque"))
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "paid"

    received = purchase(api, supplier, loc, [(v, D("6"), D("2.50"))])
    line_id = received["lines"][0]["id"]
    ret = created(
        api.post(
            f"{BASE}/purchases/{received['id']}/return",
            {"lines": [{"purchase_line_id": line_id, "quantity": 2}]},
            format="json",
        )
    )
    assert (ret["final_total"], ret["payment_status"]) == (D("5.00"), "due")
    created(pay(api, f"{BASE}/transactions/{ret['id']}/payments", D("5.00")))
    assert Transaction.objects.get(pk=ret["id"]).payment_status == "paid"
    assert stock(v, loc) == D("4")


def test_deleting_a_sell_gives_back_stock_fifo_and_advance(api, business, customer, supplier, loc):
    """Deleting a sell (the back-office service) gives its stock back, releases its FIFO rows, and removes its
    return and payments; what an `advance` payment drew goes back onto the contact's advance balance."""
    give_advance(api, customer, D("50.00"))
    v = new_product(api)
    bought = purchase(api, supplier, loc, [(v, D("5"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("3"), D("10.00"))])
    created(pay(api, f"{BASE}/sells/{doc['id']}/payments", D("20.00"), "advance"))
    created(pay(api, f"{BASE}/sells/{doc['id']}/payments", D("10.00"), "cash"))
    customer.refresh_from_db()
    assert customer.balance == D("30.00")
    line_id = doc["lines"][0]["id"]
    created(
        api.post(
            f"{BASE}/sells/{doc['id']}/return", {"lines": [{"sell_line_id": line_id, "quantity": 1}]}, format="json"
        )
    )
    assert stock(v, loc) == D("3") and sold(bought["lines"][0]["id"]) == D("2")

    sell_delete(business=business, user=api.user, sell=Transaction.objects.get(pk=doc["id"]))

    customer.refresh_from_db()
    assert customer.balance == D("50.00")
    assert stock(v, loc) == D("5") and sold(bought["lines"][0]["id"]) == D("0")
    assert not Transaction.objects.filter(pk=doc["id"]).exists()
    assert not Transaction.objects.filter(return_parent_id=doc["id"]).exists()
    # Only the advance itself (the pay-due payment, on no document) is left.
    assert not TransactionPayment.objects.filter(payment_for=customer, transaction__isnull=False).exists()
    assert TransactionPayment.objects.filter(payment_for=customer).count() == 1
    assert not SellLinePurchaseLine.objects.exists()


def test_advance_payment_draws_on_the_contact_balance(api, customer, supplier, loc):
    give_advance(api, customer, D("12.00"))
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("5"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("1"), D("20.00"))])
    url = f"{BASE}/sells/{doc['id']}/payments"
    errors = refused(pay(api, url, D("12.01"), "advance"))["errors"]
    assert list(errors) == ["amount"]
    created(pay(api, url, D("12.00"), "advance"))
    customer.refresh_from_db()
    assert customer.balance == D("0")
    assert Transaction.objects.get(pk=doc["id"]).payment_status == "partial"
    refused(pay(api, url, D("0.01"), "advance"))


def test_an_advance_payment_drawn_from_two_advances_answers_with_the_amount_paid(api, customer, supplier, loc):
    give_advance(api, customer, D("10.00"))
    give_advance(api, customer, D("10.00"))
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("5"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("1"), D("30.00"))])

    paid = created(pay(api, f"{BASE}/sells/{doc['id']}/payments", D("15.00"), "advance"))

    detail = body(api.get(f"{BASE}/sells/{doc['id']}"))["data"]
    assert (detail["total_paid"], detail["payment_status"]) == (D("15"), "partial")  # the money is right
    assert paid["amount"] == D("15.00")  # but the answer says 10


# --- FIFO --------------------------------------------------------------------------------------------------------


def test_fifo_across_three_purchase_lines_with_returns_and_a_second_location(api, business, customer, supplier):
    """Purchases at L1 of 3 @ 2.00, 4 @ 2.50 and 5 @ 3.00 in date order (and 10 @ 9.00 at L2, dated earliest);
    sell 5; return 3 of it; return 1 of the 5 @ 3.00 to the supplier; sell 6; then lower the sell return to 2."""
    l1, l2 = locations_of(business)
    v = new_product(api)
    other = new_product(api, name="Gadget")  # on the first purchase too, never touched by the sells
    p0 = purchase(api, supplier, l2, [(v, D("10"), D("9.00"))], transaction_date="2026-01-01 08:00:00")
    p1 = purchase(
        api, supplier, l1, [(v, D("3"), D("2.00")), (other, D("7"), D("1.00"))], transaction_date="2026-01-02 08:00:00"
    )
    p2 = purchase(api, supplier, l1, [(v, D("4"), D("2.50"))], transaction_date="2026-01-03 08:00:00")
    p3 = purchase(api, supplier, l1, [(v, D("5"), D("3.00"))], transaction_date="2026-01-04 08:00:00")
    pl0, pl1, pl2, pl3 = (p["lines"][0]["id"] for p in (p0, p1, p2, p3))
    other_line = p1["lines"][1]["id"]
    assert stock(v, l1) == D("12") and stock(v, l2) == D("10")

    # Sell 5 at L1: 3 from the oldest line, 2 from the next.
    s1 = sell(api, customer, l1, [(v, D("5"), D("6.00"))], transaction_date="2026-01-05 08:00:00")
    s1_line = s1["lines"][0]["id"]
    assert mapping(s1_line) == {pl1: D("3"), pl2: D("2")}
    assert (sold(pl1), sold(pl2), sold(pl3), sold(pl0)) == (D("3"), D("2"), D("0"), D("0"))
    assert stock(v, l1) == D("7")

    # Return 3 of it: released latest purchase first (2 from the 2.50 line, then 1 from the 2.00 line).
    ret = created(
        api.post(
            f"{BASE}/sells/{s1['id']}/return", {"lines": [{"sell_line_id": s1_line, "quantity": 3}]}, format="json"
        )
    )
    assert ret["final_total"] == D("18.00")
    assert mapping(s1_line) == {pl1: D("2")}
    assert (sold(pl1), sold(pl2), sold(pl3)) == (D("2"), D("0"), D("0"))
    assert stock(v, l1) == D("10")

    # Return 1 of the 5 @ 3.00 to the supplier.
    pret = created(
        api.post(
            f"{BASE}/purchases/{p3['id']}/return", {"lines": [{"purchase_line_id": pl3, "quantity": 1}]}, format="json"
        )
    )
    assert pret["final_total"] == D("3.00")
    assert PurchaseLine.objects.get(pk=pl3).quantity_returned == D("1")
    assert stock(v, l1) == D("9")

    # Sell 6: 1 left on the 2.00 line, all 4 of the 2.50 line, 1 of the 4 left on the 3.00 line.
    s2 = sell(api, customer, l1, [(v, D("6"), D("6.00"))], transaction_date="2026-01-06 08:00:00")
    s2_line = s2["lines"][0]["id"]
    assert mapping(s2_line) == {pl1: D("1"), pl2: D("4"), pl3: D("1")}
    assert (sold(pl1), sold(pl2), sold(pl3)) == (D("3"), D("4"), D("1"))
    assert stock(v, l1) == D("3")

    # The second location and the other product were never touched.
    assert sold(pl0) == D("0") and stock(v, l2) == D("10")
    assert sold(other_line) == D("0") and stock(other, l1) == D("7")

    # The supplier stock report, over both locations and at L1 only.
    report = body(api.get(f"{BASE}/contacts/{supplier.pk}/supplier-stock"))["data"]
    widget = next(r for r in report if r["variation_id"] == v)
    assert {k: widget[k] for k in STOCK_FIGURES} == {
        "purchase_quantity": D("22"),  # 10 + 3 + 4 + 5
        "total_quantity_sold": D("8"),  # 3 + 4 + 1
        "total_quantity_returned": D("1"),
        "current_stock": D("13"),  # 22 − 8 − 1: 3 at L1 and 10 at L2
        "stock_value": D("99.00"),  # 3 × 3.00 + 10 × 9.00
    }
    at_l1 = body(api.get(f"{BASE}/contacts/{supplier.pk}/supplier-stock?location_id={l1.pk}"))["data"]
    widget = next(r for r in at_l1 if r["variation_id"] == v)
    assert {k: widget[k] for k in STOCK_FIGURES} == {
        "purchase_quantity": D("12"),
        "total_quantity_sold": D("8"),
        "total_quantity_returned": D("1"),
        "current_stock": D("3"),
        "stock_value": D("9.00"),
    }
    gadget = next(r for r in at_l1 if r["variation_id"] == other)
    assert (gadget["current_stock"], gadget["stock_value"]) == (D("7"), D("7.00"))

    # Lowering the sell return from 3 to 2 takes one unit off the shelf again, FIFO: only the 3.00 line has any.
    created(
        api.post(
            f"{BASE}/sells/{s1['id']}/return", {"lines": [{"sell_line_id": s1_line, "quantity": 2}]}, format="json"
        )
    )
    assert mapping(s1_line) == {pl1: D("2"), pl3: D("1")}
    assert (sold(pl1), sold(pl2), sold(pl3)) == (D("3"), D("4"), D("2"))
    assert stock(v, l1) == D("2")
    # A purchase return can take back only what is still on hand from its line: 5 − 2 sold = 3.
    errors = refused(
        api.post(
            f"{BASE}/purchases/{p3['id']}/return", {"lines": [{"purchase_line_id": pl3, "quantity": 4}]}, format="json"
        )
    )["errors"]
    assert list(errors) == ["lines.0.quantity"]
    created(
        api.post(
            f"{BASE}/purchases/{p3['id']}/return", {"lines": [{"purchase_line_id": pl3, "quantity": 3}]}, format="json"
        )
    )
    assert stock(v, l1) == D("0")
    line = PurchaseLine.objects.get(pk=pl3)
    assert (line.quantity_sold, line.quantity_returned) == (D("2"), D("3"))
    # The same figures on the wire: the purchase's lines and the product's stock per location.
    wire = body(api.get(f"{BASE}/purchases/{p3['id']}"))["data"]["lines"][0]
    assert (wire["quantity"], wire["quantity_sold"], wire["quantity_returned"]) == (D("5"), D("2"), D("3"))
    product_id = Variation.objects.get(pk=v).product_id
    stock_rows = body(api.get(f"{BASE}/products/{product_id}"))["data"]["variations"][0]["stock"]
    assert {row["location_id"]: row["qty_available"] for row in stock_rows} == {l1.pk: D("0"), l2.pk: D("10")}

    # Nothing is left at L1, so the next sell there is refused, naming the variation.
    errors = refused(
        api.post(
            f"{BASE}/sells",
            {
                "contact_id": customer.pk,
                "location_id": l1.pk,
                "lines": [{"variation_id": v, "quantity": 1, "unit_price": 6}],
            },
            format="json",
        )
    )["errors"]
    assert "Widget" in errors["lines.0.quantity"][0]
    assert stock(v, l1) == D("0")


STOCK_FIGURES = ("purchase_quantity", "total_quantity_sold", "total_quantity_returned", "current_stock", "stock_value")


def test_fifo_follows_transaction_date_not_entry_order(api, business, customer, supplier, loc):
    v = new_product(api)
    late = purchase(api, supplier, loc, [(v, D("2"), D("5.00"))], transaction_date="2026-03-01")
    early = purchase(api, supplier, loc, [(v, D("2"), D("4.00"))], transaction_date="2026-02-01")
    s = sell(api, customer, loc, [(v, D("3"), D("9.00"))])
    assert mapping(s["lines"][0]["id"]) == {early["lines"][0]["id"]: D("2"), late["lines"][0]["id"]: D("1")}
    # Pending and ordered purchases hold no stock and feed no FIFO.
    purchase(api, supplier, loc, [(v, D("50"), D("1.00"))], status="pending", transaction_date="2026-01-01")
    assert stock(v, loc) == D("1")
    s = sell(api, customer, loc, [(v, D("1"), D("9.00"))])
    assert mapping(s["lines"][0]["id"]) == {late["lines"][0]["id"]: D("1")}
    refused(
        api.post(
            f"{BASE}/sells",
            {"contact_id": customer.pk, "location_id": loc.pk, "lines": [{"variation_id": v, "quantity": 1}]},
            format="json",
        )
    )


def test_an_oversold_part_comes_back_first_so_the_mapping_keeps_what_purchases_gave(
    api, business, customer, supplier, loc
):
    """Overselling on, 6 on the shelf: a sell of 10 maps 6 (4 oversold, never mapped). Returning 4 brings back the
    oversold part: the mapping still holds the 6 bought units, the shelf is at 0 and the supplier has none left.
    Returning 2 more releases 2 of them (newest purchase first)."""
    business.allow_overselling = True
    business.save(update_fields=["allow_overselling"])
    v = new_product(api)
    older = purchase(api, supplier, loc, [(v, D("2"), D("4.00"))], transaction_date="2026-02-01")
    newer = purchase(api, supplier, loc, [(v, D("4"), D("5.00"))], transaction_date="2026-03-01")
    s = sell(api, customer, loc, [(v, D("10"), D("9.00"))])
    line_id, url = s["lines"][0]["id"], f"{BASE}/sells/{s['id']}/return"
    older_line, newer_line = older["lines"][0]["id"], newer["lines"][0]["id"]
    assert stock(v, loc) == D("-4") and mapping(line_id) == {older_line: D("2"), newer_line: D("4")}

    created(api.post(url, {"lines": [{"sell_line_id": line_id, "quantity": 4}]}, format="json"))
    assert stock(v, loc) == D("0")
    assert mapping(line_id) == {older_line: D("2"), newer_line: D("4")}
    assert (sold(older_line), sold(newer_line)) == (D("2"), D("4"))
    rows = body(api.get(f"{BASE}/contacts/{supplier.pk}/supplier-stock"))["data"]
    assert [(D(str(r["current_stock"])), D(str(r["stock_value"]))) for r in rows] == [(D("0"), D("0"))]

    created(api.post(url, {"lines": [{"sell_line_id": line_id, "quantity": 6}]}, format="json"))
    assert stock(v, loc) == D("2")
    assert mapping(line_id) == {older_line: D("2"), newer_line: D("2")}
    rows = body(api.get(f"{BASE}/contacts/{supplier.pk}/supplier-stock"))["data"]
    assert [(D(str(r["current_stock"])), D(str(r["stock_value"]))) for r in rows] == [(D("2"), D("10.00"))]


def test_drafts_and_quotations_move_no_stock(api, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("2"), D("1.00"))])
    for status in ("draft", "quotation"):
        doc = sell(api, customer, loc, [(v, D("5"), D("3.00"))], status=status)
        assert not SellLinePurchaseLine.objects.filter(sell_line_id=doc["lines"][0]["id"]).exists()
    assert stock(v, loc) == D("2")


# --- numbering ---------------------------------------------------------------------------------------------------


def test_invoice_numbers_follow_the_scheme_and_skip_numbers_typed_by_hand(api, business, customer, supplier, loc):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("100"), D("1.00"))], ref_no="MANUAL-1")

    def invoice(**extra):
        return sell(api, customer, loc, [(v, D("1"), D("1.00"))], **extra)["invoice_no"]

    assert [invoice(), invoice()] == ["INV0001", "INV0002"]
    assert invoice(invoice_no="INV0004") == "INV0004"
    assert invoice(status="draft") == "INV0003"
    assert invoice(status="quotation") == "INV0005"  # INV0004 was taken by hand: skipped
    # A typed number already in use is refused.
    response = api.post(
        f"{BASE}/sells",
        {
            "contact_id": customer.pk,
            "location_id": loc.pk,
            "invoice_no": "INV0002",
            "lines": [{"variation_id": v, "quantity": 1}],
        },
        format="json",
    )
    assert refused(response)["errors"] == {"invoice_no": ["The invoice no has already been taken."]}
    # A refused sell (stock short) gives its number back: the counter is rolled back with it.
    refused(
        api.post(
            f"{BASE}/sells",
            {"contact_id": customer.pk, "location_id": loc.pk, "lines": [{"variation_id": v, "quantity": 1000}]},
            format="json",
        )
    )
    assert invoice() == "INV0006"
    business.invoice_prefix = "SI-"
    business.save()
    assert invoice() == "SI-0007"

    # Another business counts from 1.
    other = make_business(name="Other Trading")
    other_api = Actors(other).client(admin=True)
    other_customer = ContactFactory(business=other, type=Contact.Type.CUSTOMER)
    ov = new_product(other_api)
    assert (
        sell(other_api, other_customer, locations_of(other)[0], [(ov, D("1"), D("1.00"))], status="draft")["invoice_no"]
        == "INV0001"
    )


def test_reference_numbers_per_kind_and_year(api, business, customer, supplier, loc):
    year = timezone.localdate().year
    v = new_product(api)
    p1 = purchase(api, supplier, loc, [(v, D("10"), D("1.00"))])
    p2 = purchase(api, supplier, loc, [(v, D("10"), D("1.00"))], ref_no=f"PO{year}/0003")
    p3 = purchase(api, supplier, loc, [(v, D("10"), D("1.00"))])
    p4 = purchase(api, supplier, loc, [(v, D("10"), D("1.00"))])
    assert [p["ref_no"] for p in (p1, p2, p3, p4)] == [
        f"PO{year}/0001",
        f"PO{year}/0003",
        f"PO{year}/0002",
        f"PO{year}/0004",
    ]
    response = api.post(
        f"{BASE}/purchases",
        {
            "contact_id": supplier.pk,
            "location_id": loc.pk,
            "ref_no": f"PO{year}/0002",
            "lines": [{"variation_id": v, "quantity": 1}],
        },
        format="json",
    )
    assert refused(response)["errors"] == {"ref_no": ["The ref no has already been taken."]}

    s1 = sell(api, customer, loc, [(v, D("2"), D("5.00"))])
    s2 = sell(api, customer, loc, [(v, D("2"), D("5.00"))])
    r1 = created(
        api.post(
            f"{BASE}/sells/{s1['id']}/return",
            {"lines": [{"sell_line_id": s1["lines"][0]["id"], "quantity": 1}]},
            format="json",
        )
    )
    # Updating a return keeps its number; the next return gets the next one.
    r1b = created(
        api.post(
            f"{BASE}/sells/{s1['id']}/return",
            {"lines": [{"sell_line_id": s1["lines"][0]["id"], "quantity": 2}]},
            format="json",
        )
    )
    r2 = created(
        api.post(
            f"{BASE}/sells/{s2['id']}/return",
            {"lines": [{"sell_line_id": s2["lines"][0]["id"], "quantity": 1}]},
            format="json",
        )
    )
    assert (r1["invoice_no"], r1b["id"], r1b["invoice_no"], r2["invoice_no"]) == (
        f"CN{year}/0001",
        r1["id"],
        f"CN{year}/0001",
        f"CN{year}/0002",
    )
    pr = created(
        api.post(
            f"{BASE}/purchases/{p1['id']}/return",
            {"lines": [{"purchase_line_id": p1["lines"][0]["id"], "quantity": 1}]},
            format="json",
        )
    )
    assert pr["ref_no"] == f"PR{year}/0001"

    refs = [
        created(pay(api, f"{BASE}/sells/{s1['id']}/payments", D("1.00")))["payment_ref_no"],
        created(pay(api, f"{BASE}/purchases/{p1['id']}/payments", D("1.00")))["payment_ref_no"],
        created(pay(api, f"{BASE}/transactions/{r1['id']}/payments", D("1.00")))["payment_ref_no"],
        created(pay(api, f"{BASE}/transactions/{pr['id']}/payments", D("1.00")))["payment_ref_no"],
        created(pay(api, f"{BASE}/sells/{s2['id']}/payments", D("1.00")))["payment_ref_no"],
    ]
    assert refs == [f"SP{year}/0001", f"PP{year}/0001", f"SP{year}/0002", f"PP{year}/0002", f"SP{year}/0003"]


def test_return_numbers_skip_a_number_typed_on_another_document(api, customer, supplier, loc):
    """Sell returns share the invoice_no column with sells, purchase returns the ref_no column with purchases: a
    sell typed with the next credit-note number, or a purchase with the next PR number, is skipped."""
    year = timezone.localdate().year
    v = new_product(api)
    bought = purchase(api, supplier, loc, [(v, D("10"), D("1.00"))], ref_no=f"PR{year}/0001")
    sold = sell(api, customer, loc, [(v, D("2"), D("5.00"))], invoice_no=f"CN{year}/0001")
    ret = created(
        api.post(
            f"{BASE}/sells/{sold['id']}/return",
            {"lines": [{"sell_line_id": sold["lines"][0]["id"], "quantity": 1}]},
            format="json",
        )
    )
    pret = created(
        api.post(
            f"{BASE}/purchases/{bought['id']}/return",
            {"lines": [{"purchase_line_id": bought["lines"][0]["id"], "quantity": 1}]},
            format="json",
        )
    )
    assert (ret["invoice_no"], pret["ref_no"]) == (f"CN{year}/0002", f"PR{year}/0002")
    # And the other way round: a number the generator already gave a return cannot be typed on a sell.
    response = api.post(
        f"{BASE}/sells",
        {
            "contact_id": customer.pk,
            "location_id": loc.pk,
            "invoice_no": f"CN{year}/0002",
            "lines": [{"variation_id": v, "quantity": 1}],
        },
        format="json",
    )
    assert refused(response)["errors"] == {"invoice_no": ["The invoice no has already been taken."]}


def test_a_return_lowering_one_line_and_raising_another_of_the_same_variation_does_not_depend_on_order(
    api, customer, supplier, loc
):
    v = new_product(api)
    purchase(api, supplier, loc, [(v, D("4"), D("1.00"))])
    doc = sell(api, customer, loc, [(v, D("2"), D("5.00")), (v, D("2"), D("5.00"))])
    first, second = (line["id"] for line in doc["lines"])
    url = f"{BASE}/sells/{doc['id']}/return"
    created(
        api.post(
            url,
            {"lines": [{"sell_line_id": first, "quantity": 1}, {"sell_line_id": second, "quantity": 1}]},
            format="json",
        )
    )
    sell(api, customer, loc, [(v, D("2"), D("5.00"))])
    assert stock(v, loc) == D("0")

    # The first line keeps half a unit more (−0.5 on the shelf), the second gives one more back (+1): net +0.5.
    response = api.post(
        url,
        {"lines": [{"sell_line_id": first, "quantity": D("0.5")}, {"sell_line_id": second, "quantity": 2}]},
        format="json",
    )

    assert response.status_code == 201, response.content[:300]
    assert stock(v, loc) == D("0.5")

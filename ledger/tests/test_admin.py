"""Documents in the back office: scoped, read-only where state is derived, deleted through the services."""

from decimal import Decimal

import pytest

from core.tests.factories import ContactFactory, make_business, make_user
from core.tests.factories import staff_client as staff
from inventory.models import VariationLocationStock
from inventory.services import product_create
from ledger.models import PurchaseLine, SellLinePurchaseLine, Transaction
from ledger.services.purchases import purchase_create
from ledger.services.sells import sell_create


@pytest.fixture
def trade(business):
    """One purchase of 10 and one final sell of 4 at the first location."""
    admin = make_user(business, admin=True)
    location = business.locations.first()
    variation = product_create(
        business=business,
        user=admin,
        data={"name": "Kettle", "purchase_price": Decimal("10"), "sell_price": Decimal("25")},
    ).variations.get()
    purchase = purchase_create(
        business=business,
        user=admin,
        data={
            "contact": ContactFactory(business=business, type="supplier"),
            "location": location,
            "lines": [{"variation": variation, "quantity": Decimal("10"), "purchase_price": Decimal("10")}],
        },
    )
    sell = sell_create(
        business=business,
        user=admin,
        data={
            "contact": ContactFactory(business=business, type="customer"),
            "location": location,
            "lines": [{"variation": variation, "quantity": Decimal("4"), "unit_price": Decimal("25")}],
        },
    )
    return {"admin": admin, "variation": variation, "location": location, "purchase": purchase, "sell": sell}


def stock(trade):
    return VariationLocationStock.objects.get(variation=trade["variation"], location=trade["location"]).qty_available


def test_sells_and_purchases_pages_are_scoped_to_the_business(trade, business):
    other = make_business(name="Elsewhere")
    client = staff(make_user(other, admin=True))
    assert trade["sell"].invoice_no not in client.get("/admin/ledger/selldocument/").content.decode()
    assert client.get(f"/admin/ledger/selldocument/{trade['sell'].pk}/change/").status_code == 302
    own = staff(trade["admin"])
    page = own.get("/admin/ledger/selldocument/?payment_status__exact=due").content.decode()
    assert trade["sell"].invoice_no in page
    assert trade["purchase"].ref_no in own.get("/admin/ledger/purchasedocument/").content.decode()


def test_documents_are_read_only_but_for_the_note(trade):
    client = staff(trade["admin"])
    url = f"/admin/ledger/selldocument/{trade['sell'].pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="additional_notes"' in page
    assert 'name="final_total"' not in page and "Read-only: totals" in page
    assert client.get("/admin/ledger/selldocument/add/").status_code == 403


def test_deleting_a_sell_in_the_admin_puts_its_stock_back_and_releases_fifo(trade):
    assert stock(trade) == Decimal("6")
    client = staff(trade["admin"])
    response = client.post(f"/admin/ledger/selldocument/{trade['sell'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Transaction.objects.filter(pk=trade["sell"].pk).exists()
    assert stock(trade) == Decimal("10")
    assert PurchaseLine.objects.get(transaction=trade["purchase"]).quantity_sold == 0
    assert not SellLinePurchaseLine.objects.exists()


def test_a_purchase_whose_stock_was_sold_cannot_be_deleted(trade):
    client = staff(trade["admin"])
    response = client.post(
        f"/admin/ledger/purchasedocument/{trade['purchase'].pk}/delete/", {"post": "yes"}, follow=True
    )
    assert "has been sold" in response.content.decode()
    assert Transaction.objects.filter(pk=trade["purchase"].pk).exists()
    assert stock(trade) == Decimal("6")


def test_stock_is_read_only_in_the_admin(trade):
    client = staff(trade["admin"])
    assert client.get("/admin/inventory/variationlocationstock/").status_code == 200
    row = VariationLocationStock.objects.get(variation=trade["variation"])
    page = client.get(f"/admin/inventory/variationlocationstock/{row.pk}/change/").content.decode()
    assert 'name="qty_available"' not in page


def test_the_contact_page_shows_what_is_due_and_the_recent_ledger(trade):
    client = staff(trade["admin"])
    customer = trade["sell"].contact
    page = client.get(f"/admin/contacts/contact/{customer.pk}/change/").content.decode()
    assert "$ 100.00" in page  # 4 × 25.00, unpaid
    assert trade["sell"].invoice_no in page
    assert "Opening Balance" in page


def test_a_business_admin_deletes_a_pay_due_payment_with_its_allocations(trade):
    from ledger.models import TransactionPayment
    from ledger.services.pay_due import pay_contact_due

    customer = trade["sell"].contact
    parent = pay_contact_due(
        business=customer.business,
        user=trade["admin"],
        contact=customer,
        data={"amount": Decimal("120"), "method": "cash"},
    )
    customer.refresh_from_db()
    assert customer.balance == Decimal("20")
    client = staff(trade["admin"])
    page = client.get(f"/admin/ledger/transactionpayment/{parent.pk}/change/").content.decode()
    assert trade["sell"].invoice_no in page  # the allocation inline
    response = client.post(f"/admin/ledger/transactionpayment/{parent.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TransactionPayment.objects.filter(payment_for=customer).exists()
    customer.refresh_from_db()
    trade["sell"].refresh_from_db()
    assert customer.balance == 0
    assert trade["sell"].payment_status == "due"


def test_other_staff_cannot_delete_payments(trade, business):
    from ledger.services.payments import payment_add

    payment = payment_add(
        business=business, user=trade["admin"], document=trade["sell"], data={"amount": Decimal("10"), "method": "cash"}
    )
    clerk = staff(make_user(business, "sell.payments"))
    assert clerk.get(f"/admin/ledger/transactionpayment/{payment.pk}/").status_code in (200, 302)
    assert clerk.post(f"/admin/ledger/transactionpayment/{payment.pk}/delete/", {"post": "yes"}).status_code == 403


def test_lines_and_payments_show_inline_on_a_document(trade, business):
    from ledger.services.payments import payment_add

    payment = payment_add(
        business=business, user=trade["admin"], document=trade["sell"], data={"amount": Decimal("10"), "method": "cash"}
    )
    page = staff(trade["admin"]).get(f"/admin/ledger/selldocument/{trade['sell'].pk}/change/").content.decode()
    assert payment.payment_ref_no in page
    assert "Kettle" in page


def test_a_locations_payment_accounts_are_chosen_per_method_not_typed_as_json(business):
    from accounts.services import account_create

    business.enabled_modules = ["account"]
    business.save()
    admin = make_user(business, admin=True)
    till = account_create(business=business, user=admin, data={"name": "Till", "account_number": "T1"})
    location = business.locations.first()
    client = staff(admin)
    url = f"/admin/core/businesslocation/{location.pk}/change/"
    page = client.get(url).content.decode()
    assert "Cash payments go to" in page and "is_enabled" not in page

    form = {"name": location.name, "account_for_cash": till.pk, "account_for_card": ""}
    assert client.post(url, form).status_code == 302
    location.refresh_from_db()
    assert location.default_payment_accounts == {"cash": {"is_enabled": True, "account_id": till.pk}}


def test_documents_filter_by_a_from_to_range_of_days_both_ends_included(trade):
    import datetime

    from django.utils import timezone

    client = staff(trade["admin"])
    sell = trade["sell"]
    day = timezone.localtime(sell.transaction_date).date()
    url = "/admin/ledger/selldocument/"

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        return sell.invoice_no in response.content.decode()

    assert listed(transaction_date__gte=day.isoformat(), transaction_date__to=day.isoformat())  # the one day
    assert listed(transaction_date__to=day.isoformat())  # up to and including it
    later = (day + datetime.timedelta(days=1)).isoformat()
    assert not listed(transaction_date__gte=later)
    assert not listed(transaction_date__to=(day - datetime.timedelta(days=1)).isoformat())
    page = client.get(url).content.decode()
    assert 'name="transaction_date__to"' in page and 'name="transaction_date__gte"' in page
    # A day that is not a date is the admin's own "wrong parameters" answer, never a 500.
    bad = client.get(url, {"transaction_date__to": "someday"})
    assert bad.status_code == 302 and bad["Location"].endswith("?e=1")

"""Builders for trading-document tests: products, purchases and sells made through the production services
(so stock, FIFO allocation, numbering and payment status are the real thing), the contacts they need, and a
footprint of everything those services write.

    widget = make_product(business, user, purchase_price=Decimal("6.00"), sell_price=Decimal("10.00"))
    make_purchase(business, user, supplier=supplier, location=shop, lines=[(widget, "10", "6.00")])
    sell = make_sell(business, user, customer=customer, location=shop, lines=[(widget, "3", "10.00")])

A line is `(product_or_variation, quantity, price)`: a single product stands for its one variation; quantity
and price may be Decimal, int or str (read as Decimal, never through float); price None takes the variation's
default (sell price for sells, purchase price for purchases). Every builder returns the saved model instance.

Also here: `open_shop` (a business ready to trade), `footprint` (compare before/after a refused request),
the contract's field lists (SELL_ROW, PURCHASE_ROW, PAYMENT_ROW, ...), and `download_rows` / `row_ids` to read
list responses in any format.
"""

import csv
import datetime
import io
import itertools
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook

from contacts.models import Contact
from core.models import Activity, ReferenceCounter
from core.tests.factories import ContactFactory
from core.tests.matrix import content_of
from inventory.models import Product, Variation, VariationLocationStock
from inventory.services import product_create
from ledger.models import PurchaseLine, SellLine, SellLinePurchaseLine, Transaction, TransactionPayment
from ledger.services.purchases import purchase_create
from ledger.services.sells import sell_create

# --- contacts ------------------------------------------------------------------------------------------


def make_customer(business, **fields) -> Contact:
    """A live customer contact (ContactFactory row); pass type="both" for a customer-and-supplier."""
    return ContactFactory(business=business, **{"type": "customer", **fields})


def make_supplier(business, **fields) -> Contact:
    """A live supplier contact (ContactFactory row)."""
    return ContactFactory(business=business, **{"type": "supplier", **fields})


# --- products --------------------------------------------------------------------------------------------


def make_product(
    business,
    user=None,
    *,
    name="Widget",
    sku=None,
    purchase_price="6.00",
    sell_price="10.00",
    enable_stock=True,
    unit=None,
) -> Product:
    """A single product (one variation) through inventory.services.product_create."""
    data = {
        "name": name,
        "type": "single",
        "sku": sku,
        "unit": unit,
        "enable_stock": enable_stock,
        "purchase_price": Decimal(purchase_price),
        "sell_price": Decimal(sell_price),
    }
    return product_create(business=business, user=user, data=data)


def make_variable_product(business, user=None, *, name="Shirt", template="Size", variations=None) -> Product:
    """A variable product; `variations` is a list of (name, purchase_price, sell_price), default S and L."""
    variations = variations or [("S", "5.00", "9.00"), ("L", "6.00", "11.00")]
    data = {
        "name": name,
        "type": "variable",
        "variation_template": template,
        "variations": [
            {"name": v, "sub_sku": None, "purchase_price": Decimal(p), "sell_price": Decimal(s)}
            for v, p, s in variations
        ],
    }
    return product_create(business=business, user=user, data=data)


def variation_of(product_or_variation, name=None) -> Variation:
    """The variation a line means: a Variation as is, a single product's only one, or a variable product's
    variation called `name`."""
    if isinstance(product_or_variation, Variation):
        return product_or_variation
    variations = product_or_variation.variations.order_by("id")
    return variations.get(name=name) if name else variations.get()


def stock_of(variation_or_product, location) -> Decimal:
    """qty_available of a variation at a location (0 when it has no stock row)."""
    variation = variation_of(variation_or_product)
    row = VariationLocationStock.objects.filter(variation=variation, location=location).first()
    return row.qty_available if row else Decimal(0)


# --- documents -------------------------------------------------------------------------------------------


def _lines(lines, price_field):
    out = []
    for item, quantity, price in lines:
        variation = Variation.objects.select_related("product__unit").get(pk=variation_of(item).pk)
        default = variation.default_sell_price if price_field == "unit_price" else variation.default_purchase_price
        out.append(
            {
                "variation": variation,
                "quantity": Decimal(str(quantity)),
                price_field: default if price is None else Decimal(str(price)),
            }
        )
    return out


def cash(amount, **fields) -> dict:
    """A payment entry for the `payments` of make_sell / make_purchase: `cash("5.00")`."""
    return {"amount": Decimal(str(amount)), "method": fields.pop("method", "cash"), **fields}


def make_purchase(business, user, *, supplier, location, lines, status="received", payments=(), **fields):
    """A purchase through ledger.services.purchases.purchase_create. `fields` are any other keys of its data
    (transaction_date, ref_no, discount_type, discount_amount, shipping_charges, pay_term_number, ...)."""
    data = {
        "contact": supplier,
        "location": location,
        "status": status,
        "lines": _lines(lines, "purchase_price"),
        "payments": list(payments),
        **fields,
    }
    return purchase_create(business=business, user=user, data=data)


def make_sell(business, user, *, customer, location, lines, status="final", payments=(), **fields):
    """A sell through ledger.services.sells.sell_create. A final sell of a stock-tracked product needs stock
    at the location first (see stock_up). `fields`: transaction_date, invoice_no, discount_type, ..."""
    data = {
        "contact": customer,
        "location": location,
        "status": status,
        "lines": _lines(lines, "unit_price"),
        "payments": list(payments),
        **fields,
    }
    return sell_create(business=business, user=user, data=data)


def stock_up(business, user, *, location, product, quantity="100", price=None, supplier=None, **fields):
    """Put stock on the shelf: a received purchase of `quantity` of `product` (a new supplier unless given)."""
    supplier = supplier or make_supplier(business)
    return make_purchase(
        business, user, supplier=supplier, location=location, lines=[(product, quantity, price)], **fields
    )


def make_opening_balance(business, contact, amount, *, location=None, user=None) -> Transaction:
    """The contact's opening balance, through the service (at the business's first location)."""
    from ledger.services.opening_balance import opening_balance_set

    return opening_balance_set(business=business, user=user, contact=contact, amount=Decimal(str(amount)))


def give_advance(business, contact, amount, *, direction="credit", user=None) -> TransactionPayment:
    """Money the contact holds with us, as an unallocated pay-due payment (what pay due leaves as advance when
    nothing is due): the parent row and the balance, kept equal to Σ(parent − children). `direction` credit:
    the contact paid us ahead (pays sells); debit: we paid a supplier ahead (pays purchases)."""
    amount = Decimal(str(amount))
    parent = TransactionPayment.objects.create(
        business=business,
        payment_for=contact,
        amount=amount,
        method="cash",
        paid_on=timezone.now(),
        is_advance=True,
        payment_type=direction,
        due_payment_type="sell" if direction == "credit" else "purchase",
        created_by=user,
    )
    Contact.all_objects.filter(pk=contact.pk).update(balance=F("balance") + amount)
    return parent


def line_of(document, index=0):
    """The document's sell line or purchase line number `index` (by id)."""
    model = SellLine if document.type == Transaction.Type.SELL else PurchaseLine
    return model.objects.filter(transaction=document).order_by("id")[index]


# --- what the services write -------------------------------------------------------------------------------


def footprint(business) -> dict:
    """Every row the trading services write for a business, to compare before and after a refused request:
    documents, lines (with their sold/returned quantities), payments, stock, FIFO mapping, reference
    counters, contact advance balances, products and the activity log."""
    transactions = Transaction.objects.filter(business=business)
    return {
        "transactions": list(transactions.order_by("id").values_list("id", "final_total", "payment_status")),
        "sell_lines": list(
            SellLine.objects.filter(business=business).order_by("id").values_list("id", "quantity_returned")
        ),
        "purchase_lines": list(
            PurchaseLine.objects.filter(business=business)
            .order_by("id")
            .values_list("id", "quantity_sold", "quantity_returned")
        ),
        "payments": list(
            TransactionPayment.objects.filter(business=business).order_by("id").values_list("id", "amount")
        ),
        "stock": list(
            VariationLocationStock.objects.filter(business=business)
            .order_by("variation_id", "location_id")
            .values_list("variation_id", "location_id", "qty_available")
        ),
        "fifo": list(
            SellLinePurchaseLine.objects.filter(sell_line__business=business)
            .order_by("id")
            .values_list("sell_line_id", "purchase_line_id", "quantity")
        ),
        "counters": sorted(ReferenceCounter.objects.filter(business=business).values_list("ref_type", "count")),
        "balances": list(Contact.all_objects.filter(business=business).order_by("id").values_list("id", "balance")),
        "products": list(Product.objects.filter(business=business).order_by("id").values_list("id", "sku")),
        "variations": Variation.objects.filter(business=business).count(),
        "activities": Activity.objects.filter(business=business).count(),
    }


# --- a ready shop --------------------------------------------------------------------------------------------


@dataclass
class Shop:
    """A business ready to trade: its first two locations (shop, depot), a supplier, a customer, and a Widget
    (buy 6.00, sell 10.00) with `stock` units on hand at the shop from one received purchase."""

    business: object
    user: object
    shop: object
    depot: object
    supplier: Contact
    customer: Contact
    widget: Product
    variation: Variation
    purchase: Transaction


def open_shop(business, user, *, stock="100") -> Shop:
    """See Shop. `depot` is the business's second location (None when it has one); `user` creates everything."""
    shop, *rest = business.locations.order_by("id")[:2]
    depot = rest[0] if rest else None
    supplier = make_supplier(business, name="Supply Co")
    customer = make_customer(business, name="Carla Customer")
    widget = make_product(business, user, name="Widget", purchase_price="6.00", sell_price="10.00")
    purchase = make_purchase(business, user, supplier=supplier, location=shop, lines=[(widget, stock, "6.00")])
    return Shop(business, user, shop, depot, supplier, customer, widget, variation_of(widget), purchase)


def reference_year(business) -> int:
    """The year in reference numbers (SP2026/0001): the current year in the business time zone."""
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(business.time_zone)).year


# --- the contract's field lists (spec/supporting-api.md, contacts reference) ----------------------------------

# SellRow, in the order the contract lists it.
SELL_ROW = [
    "id",
    "invoice_no",
    "transaction_date",
    "status",
    "payment_status",
    "contact",
    "location",
    "final_total",
    "total_paid",
    "total_due",
    "pay_term_number",
    "pay_term_type",
    "due_date",
    "is_direct_sale",
    "is_recurring",
    "subscription_no",
    "recur_parent_id",
    "return_exists",
    "created_by",
    "created_at",
]
# PurchaseRow "mirrors SellRow with ref_no in place of invoice_no": the same fields in the same order (the
# sell-only ones are false/null on purchases).
PURCHASE_ROW = ["ref_no" if f == "invoice_no" else f for f in SELL_ROW]
# What a detail (and a create response) adds beyond the contract's `lines` and `payments`.
DETAIL_EXTRA = ["discount_type", "discount_amount", "shipping_charges", "additional_notes"]
SELL_LINE = [
    "id",
    "variation_id",
    "product_name",
    "variation_name",
    "sub_sku",
    "quantity",
    "quantity_returned",
    "unit_price",
    "line_total",
]
# Purchase lines mirror sell lines with purchase_price for unit_price (the implementation adds quantity_sold).
PURCHASE_LINE = ["purchase_price" if f == "unit_price" else f for f in SELL_LINE]
# ContactPaymentRow of the contacts reference (the implementation adds `note`).
PAYMENT_ROW = [
    "id",
    "amount",
    "is_return",
    "method",
    "method_label",
    "paid_on",
    "payment_ref_no",
    "transaction_no",
    "invoice_no",
    "ref_no",
    "transaction_type",
    "transaction_id",
    "return_parent_id",
    "cheque_number",
    "card_transaction_number",
    "bank_account_number",
    "child_payments",
]
RETURN_ROW = ["id", "invoice_no", "return_parent_id", "transaction_date", "final_total", "payment_status", "lines"]
PRODUCT = ["id", "name", "type", "sku", "unit", "enable_stock", "created_at", "variations"]
VARIATION = ["id", "name", "sub_sku", "default_purchase_price", "default_sell_price", "stock"]
STOCK_ROW = ["location_id", "location_name", "qty_available"]
SUPPLIER_STOCK_ROW = [
    "variation_id",
    "product_label",
    "product_name",
    "variation_name",
    "product_variation_name",
    "product_type",
    "sub_sku",
    "unit",
    "purchase_quantity",
    "total_quantity_returned",
    "total_quantity_sold",
    "total_quantity_transfered",
    "stock_value",
    "current_stock",
]


# --- reading responses ---------------------------------------------------------------------------------------


def download_rows(response) -> list[dict]:
    """The rows of a CSV (checked to start with a UTF-8 BOM) or XLSX download; the response stays readable, so
    this may be called any number of times."""
    data = content_of(response)
    if getattr(response, "streaming", False):
        response.streaming_content = [data]  # a streamed body can be read once: put it back
    if "spreadsheetml" in response.get("Content-Type", ""):
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        # Trailing empty cells may be left out of a row: pad it to the header.
        return [dict(itertools.zip_longest(rows[0], row)) for row in rows[1:]]
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV must start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(text[1:])))


def row_ids(response, key="id") -> list:
    """The `key` of every row of a list response, in order: the JSON `data` rows or the download's rows.
    (core.tests.matrix.ids_in collects ids at any depth, contact and location ids included.)"""
    if response.get("Content-Type", "").startswith("application/json"):
        return [row[key] for row in response.json()["data"]]
    return [int(row[key]) for row in download_rows(response)]


# --- money owed: balances, ledgers, pay due, ledger discounts (contacts-api.txt) -----------------------------


def moment(year, month, day, hour=10, minute=0, zone="UTC"):
    """An aware datetime (UTC unless `zone` names another): a document's or payment's date in money tests. (To move
    a document such as an opening balance to a date, see `backdate` below.)"""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))


def pay_due(business, user, contact, amount, **data) -> TransactionPayment:
    """POST /contacts/{id}/payments through the service: `pay_due(b, u, customer, "50", paid_on=moment(...))`."""
    from ledger.services.pay_due import pay_contact_due

    payload = {"amount": Decimal(str(amount)), "method": data.pop("method", "cash"), **data}
    return pay_contact_due(business=business, user=user, contact=contact, data=payload)


def make_ledger_discount(business, user, contact, amount, *, when, sub_type=None, note=None) -> Transaction:
    """A ledger discount through ledger.services.ledger_discounts (sub_type is needed for `both` contacts)."""
    from ledger.services.ledger_discounts import ledger_discount_create

    data = {"date": when, "amount": Decimal(str(amount)), "note": note, "sub_type": sub_type}
    return ledger_discount_create(business=business, user=user, contact=contact, data=data)


def money_footprint(business) -> dict:
    """footprint() plus what the money endpoints may change beyond it: every document's date, sub type, note and
    status, every payment's links, every contact row, and the account movements payments post."""
    from accounts.models import AccountTransaction

    return {
        **footprint(business),
        "movements": list(
            AccountTransaction.objects.filter(business=business).order_by("id").values_list("id", "amount")
        ),
        "documents": list(
            Transaction.objects.filter(business=business)
            .order_by("id")
            .values_list("id", "type", "sub_type", "transaction_date", "additional_notes", "contact_id")
        ),
        "payment_links": list(
            TransactionPayment.objects.filter(business=business)
            .order_by("id")
            .values_list("id", "parent_id", "transaction_id", "payment_type", "is_advance", "paid_on")
        ),
        "contacts": list(Contact.all_objects.filter(business=business).order_by("id").values()),
    }


# The contract's field lists of the money endpoints (contacts-api.txt), in its order.
BALANCE = [
    "contact_id",
    "due",
    "due_formatted",
    # beyond the reference (RULES §5): the parts behind `due`
    "sell_due",
    "purchase_due",
    "opening_balance_due",
    "sell_return_due",
    "purchase_return_due",
    "ledger_discount",
    "advance_balance",
]
OPENING_BALANCE_TRANSACTION = [
    "id",
    "ref_no",
    "final_total",
    "total_paid",
    "due",
    "due_formatted",
    "payment_status",
    "transaction_date",
    "location_id",
    "location_name",
]
LEDGER_LINE = [
    "date",
    "ref_no",
    "type",
    "location",
    "payment_status",
    "debit",
    "credit",
    "balance",
    "note",
    "transaction_id",
    "transaction_type",
    "payment_method_key",
    "final_total",
    "total_due",
    "total_paid",
    "due_date",
]
# The csv download of a ledger: the format_1 columns (the format_2 totals left out), in this order.
LEDGER_CSV = LEDGER_LINE[:12]
LEDGER_SUMMARY = [
    "start_date",
    "end_date",
    "beginning_balance",
    "balance_due",
    "total_invoice",
    "total_purchase",
    "total_paid",
    "total_reverse_payment",
    "ledger_discount",
    "all_total_invoice",
    "all_invoice_paid",
    "all_total_purchase",
    "all_purchase_paid",
    "all_balance_due",
    "all_ledger_discount",
]
LEDGER_META = ["start_date", "end_date", "location_id", "format", "q"]
AGING = ["current", "1_30", "31_60", "61_90", "over_90", "total"]
LEDGER_PRODUCT = ["product_name", "variation_name", "sub_sku", "quantity", "unit_price", "line_total"]
LEDGER_DISCOUNT_ROW = [
    "id",
    "contact_id",
    "contact_name",
    "contact_type",
    "sub_type",
    "amount",
    "note",
    "transaction_date",
    "created_by",
]
CHILD_PAYMENT = ["id", "amount", "method", "method_label", "paid_on", "payment_ref_no"]
PAYMENT_SUMMARY = ["count", "total_paid", "methods_count", "latest_paid_on"]
PAGE_META = ["current_page", "last_page", "per_page", "total"]
PAY_DUE_RESULT = ["id", "contact_id", "payment_ref_no", "amount", "method", "paid_on", "is_advance", "payment_type"]


# --- money owed: the contact ledger ----------------------------------------------------------------------------


def backdate(document, when) -> Transaction:
    """Move a document to `when` (its transaction_date and due_date): opening balances are dated when they are
    set, so a worked example over a past period dates the account's opening where the story needs it."""
    Transaction.objects.filter(pk=document.pk).update(transaction_date=when, due_date=when)
    document.refresh_from_db()
    return document


def money_json(response) -> dict:
    """A JSON body with every number read as an exact Decimal (amounts are JSON numbers)."""
    import json

    return json.loads(response.content, parse_float=Decimal)


def signed_running(balance: str) -> Decimal:
    """A ledger running balance as shown ("$ 1,234.50 DR", "$ 12.00 CR", "$ 0.00") back to its signed value
    (credit − debit): DR is negative."""
    number, _, side = balance.rpartition(" ") if balance.endswith(("DR", "CR")) else (balance, "", "")
    value = Decimal(number.split(" ")[-1].replace(",", ""))
    return -value if side == "DR" else value


def api_data(client, method: str, url: str, body=None, status: int = 201) -> dict:
    """Call the integration API (`url` under /api/v1/integration), check the status, return `data` with exact
    Decimals."""
    from core.tests.matrix import BASE

    response = getattr(client, method)(f"{BASE}{url}", body, format="json")
    assert response.status_code == status, (url, response.status_code, response.content[:800])
    return money_json(response)["data"]


def ledger_data(client, contact_id: int, start: str, end: str, fmt: str = "format_1", **query) -> dict:
    """GET /contacts/{id}/ledger for [start, end] in a format; its `data` with exact Decimals."""
    params = "&".join(f"{k}={v}" for k, v in {"start_date": start, "end_date": end, "format": fmt, **query}.items())
    return api_data(client, "get", f"/contacts/{contact_id}/ledger?{params}", status=200)


def ledger_rows(lines: list[dict], *, location: bool = True) -> list[tuple]:
    """Ledger lines as (date, ref_no, type, [location,] payment_status, debit, credit, balance) tuples."""
    keys = ("date", "ref_no", "type", *(("location",) if location else ()), "payment_status", "debit", "credit")
    return [(*(line[k] for k in keys), line["balance"]) for line in lines]

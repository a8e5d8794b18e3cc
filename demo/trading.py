"""Products and four months of trading for the demo business, through the real services."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from contacts.models import Contact
from inventory.models import Product
from inventory.services import product_create
from ledger.models import SellLine, Transaction
from ledger.services.payments import payment_add
from ledger.services.purchases import purchase_create, purchase_return_save
from ledger.services.sells import sell_create, sell_return_save

D = Decimal

SINGLE = [
    ("Espresso Beans 1 kg", "kg", "11.40", "19.90"),
    ("House Blend 250 g", "Pc(s)", "3.10", "6.50"),
    ("Ceramic Mug", "Pc(s)", "2.25", "7.95"),
    ("Paper Filters (100)", "Pc(s)", "0.85", "2.49"),
    ("Milk Frother", "Pc(s)", "14.00", "29.00"),
    ("Cold Brew Bottle", "Pc(s)", "4.60", "12.00"),
    ("Descaler 500 ml", "Pc(s)", "2.05", "5.75"),
]
VARIABLE = [
    ("Barista Apron", "Colour", [("Black", "8.00", "18.00"), ("Navy", "8.00", "18.00"), ("Olive", "8.40", "19.00")]),
    (
        "Logo T-Shirt",
        "Size",
        [("S", "5.50", "14.00"), ("M", "5.50", "14.00"), ("L", "5.80", "15.00"), ("XL", "6.10", "15.00")],
    ),
    (
        "Loose Leaf Tea 100 g",
        "Flavour",
        [("Earl Grey", "2.40", "5.90"), ("Sencha", "2.90", "6.90"), ("Rooibos", "2.10", "5.50")],
    ),
]


def seed_trading(*, business, admin, clerk):
    if Product.objects.for_business(business).exists():
        return
    rng = random.Random(3)
    now = timezone.now().replace(microsecond=0)
    locations = list(business.locations.order_by("id"))
    variations = []
    for name, unit, cost, price in SINGLE:
        product = product_create(
            business=business,
            user=admin,
            data={"name": name, "unit": unit, "purchase_price": D(cost), "sell_price": D(price)},
        )
        variations += list(product.variations.all())
    for name, template, values in VARIABLE:
        product = product_create(
            business=business,
            user=admin,
            data={
                "name": name,
                "type": "variable",
                "variation_template": template,
                "variations": [{"name": v, "purchase_price": D(c), "sell_price": D(p)} for v, c, p in values],
            },
        )
        variations += list(product.variations.all())

    contacts = Contact.objects.for_business(business).filter(contact_status="active", is_default=False)
    suppliers = list(contacts.filter(type__in=("supplier", "both")).order_by("id"))
    customers = list(contacts.filter(type__in=("customer", "both")).order_by("id"))

    # Stock arrives first: a purchase per supplier every few weeks, at both locations.
    for week in range(17, 0, -3):
        for location in locations:
            supplier = rng.choice(suppliers)
            lines = [
                {"variation": v, "quantity": D(rng.randint(10, 40)), "purchase_price": v.default_purchase_price}
                for v in rng.sample(variations, 6)
            ]
            status = "received" if week > 2 else rng.choice(["pending", "ordered"])
            purchase = purchase_create(
                business=business,
                user=admin,
                data={
                    "contact": supplier,
                    "location": location,
                    "status": status,
                    "lines": lines,
                    "transaction_date": now - timedelta(weeks=week),
                    "pay_term_number": 30,
                    "pay_term_type": "days",
                },
            )
            share = rng.choice([D(0), D("0.5"), D(1)])
            if share:
                payment_add(
                    business=business,
                    user=admin,
                    document=purchase,
                    data={
                        "amount": (purchase.final_total * share).quantize(D("0.01")),
                        "method": "bank_transfer",
                        "paid_on": purchase.transaction_date + timedelta(days=7),
                    },
                )
    first_purchase = Transaction.objects.for_business(business).filter(type="purchase", status="received").first()
    purchase_return_save(
        business=business,
        user=admin,
        purchase=first_purchase,
        data={
            "lines": [{"purchase_line_id": first_purchase.purchase_lines.first().pk, "quantity": D(2)}],
            "transaction_date": first_purchase.transaction_date + timedelta(days=3),
        },
    )

    # Then three months of sells: mostly paid at once, some on account, a few overdue, drafts and quotations.
    sells = []
    for day in range(90, 0, -1):
        for _ in range(rng.choice([0, 1, 1, 2])):
            location = rng.choice(locations)
            status = rng.choices(["final", "draft", "quotation"], weights=[18, 1, 1])[0]
            lines = [
                {"variation": v, "quantity": D(rng.randint(1, 3)), "unit_price": v.default_sell_price}
                for v in rng.sample(variations, rng.randint(1, 3))
            ]
            data = {
                "contact": rng.choice(customers),
                "location": location,
                "status": status,
                "lines": lines,
                "transaction_date": now - timedelta(days=day, hours=rng.randint(0, 8)),
                "discount_type": rng.choice([None, None, "percentage", "fixed"]),
                "discount_amount": D(rng.choice([0, 5, 10])),
                "shipping_charges": D(rng.choice(["0", "0", "3.5"])),
            }
            if status == "final" and rng.random() < 0.6:
                data["payments"] = [{"method": rng.choice(["cash", "card"])}]
            if rng.random() < 0.25:
                data.update(pay_term_number=14, pay_term_type="days")
            sell = _sell(business, clerk if location == locations[-1] else admin, data)
            if sell is not None:
                sells.append(sell)
    finals = [s for s in sells if s.status == "final"]
    for sell in rng.sample(finals, 4):
        line = SellLine.objects.filter(transaction=sell).first()
        sell_return_save(
            business=business,
            user=admin,
            sell=sell,
            data={
                "lines": [{"sell_line_id": line.pk, "quantity": D(1)}],
                "transaction_date": sell.transaction_date + timedelta(days=2),
            },
        )
    for sell in rng.sample(finals, 8):
        sell.refresh_from_db()
        if sell.payment_status == "due":
            payment_add(
                business=business,
                user=admin,
                document=sell,
                data={
                    "amount": (sell.final_total / 2).quantize(D("0.01")),
                    "method": "cheque",
                    "cheque_number": "100234",
                    "paid_on": sell.transaction_date + timedelta(days=5),
                },
            )


def _sell(business, user, data):
    """A sell, paid in full at the till when it carries a payment; skipped when the shelf is short."""
    from django.core.exceptions import ValidationError

    payments = data.pop("payments", [])
    try:
        sell = sell_create(business=business, user=user, data=data)
    except ValidationError:
        return None
    for payment in payments:
        payment_add(
            business=business,
            user=user,
            document=sell,
            data={"amount": sell.final_total, "method": payment["method"], "paid_on": sell.transaction_date},
        )
    return sell

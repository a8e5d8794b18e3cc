"""A customer's books for the statement tests: every kind of ledger line in the first half of 2026, with products,
an opening balance, payments, a return, a pay-due and a ledger discount, and open documents of every age."""

from decimal import Decimal

import pypdf

from ledger.services.sells import sell_return_save
from ledger.tests.builders import (
    backdate,
    cash,
    line_of,
    make_ledger_discount,
    make_opening_balance,
    make_product,
    make_sell,
    moment,
    open_shop,
    pay_due,
)

FIRST_HALF = {"start": "2026-01-01", "end": "2026-06-30"}


def statement_books(business, user):
    world = open_shop(business, user, stock="500")
    b, u, carla = world.business, world.user, world.customer
    carla.contact_id = "CO0042"
    carla.mobile = "+1 555 0100"
    carla.address_line_1 = "12 Harbour Road"
    carla.city = "Portsmouth"
    carla.country = "United Kingdom"
    carla.email = "carla@example.com"
    carla.save()
    gadget = make_product(b, u, name="Gadget", purchase_price="20.00", sell_price="35.50")
    from ledger.tests.builders import make_purchase

    make_purchase(b, u, supplier=world.supplier, location=world.shop, lines=[(gadget, "50", "20.00")])
    thirty = {"pay_term_number": 30, "pay_term_type": "days"}

    def sell(lines, when, **fields):
        return make_sell(b, u, customer=carla, location=world.shop, lines=lines, transaction_date=when, **fields)

    backdate(make_opening_balance(b, carla, "15"), moment(2025, 12, 1))
    world.sells = [
        sell([(world.widget, "10", None)], moment(2026, 1, 10)),
        sell([(world.widget, "5", None), (gadget, "2", None)], moment(2026, 4, 15), **thirty),
        sell([(gadget, "3", None)], moment(2026, 6, 1), payments=[cash("50", paid_on=moment(2026, 6, 1))]),
        sell([(world.widget, "4", None)], moment(2026, 6, 20), **thirty),
    ]
    world.ret = backdate(
        sell_return_save(
            business=b,
            user=u,
            sell=world.sells[0],
            data={"lines": [{"sell_line_id": line_of(world.sells[0]).pk, "quantity": Decimal("1")}]},
        ),
        moment(2026, 4, 1),
    )
    world.pay = pay_due(b, u, carla, "40", paid_on=moment(2026, 5, 5, 9))
    world.discount = make_ledger_discount(b, u, carla, "2", when=moment(2026, 6, 2), note="Loyalty")
    sell([(world.widget, "7", None)], moment(2026, 7, 5))  # after the period
    world.gadget = gadget
    return world


def pdf_text(content: bytes) -> str:
    """Every page's text as laid out (line by line, left to right), with runs of white space made single spaces."""
    import io

    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page_text(page) for page in reader.pages)


def page_text(page) -> str:
    return " ".join((page.extract_text(extraction_mode="layout") or "").split())


def page_count(content: bytes) -> int:
    import io

    return len(pypdf.PdfReader(io.BytesIO(content)).pages)

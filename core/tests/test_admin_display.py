"""How the back office shows values, and the pages around it: the landing page, styled errors."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client

from contacts.models import Contact
from core.admin_display import activity_changes, label_value_table, money
from core.admin_widgets import LabelValueWidget
from core.tests.factories import make_business


@pytest.fixture
def euro(db):
    business = make_business(name="Euro GmbH")
    business.currency_symbol, business.currency_symbol_placement = "€", "after"
    business.thousand_separator, business.decimal_separator = ".", ","
    business.save()
    return business


def test_money_is_the_business_currency_format_right_aligned(business, euro):
    assert money(Decimal("1234.5000"), business) == '<span class="money">$ 1,234.50</span>'
    assert money(Decimal("-12"), business) == '<span class="money money-negative">$ -12.00</span>'
    assert money(Decimal("7950.10000000000"), euro) == '<span class="money">7.950,10 €</span>'
    assert money(None, business) == "–"


def test_the_activity_trail_says_what_changed_field_by_field(business):
    html = activity_changes(
        {
            "old": {"name": "Old Ltd", "credit_limit": "100", "dob": None},
            "attributes": {"name": "New Ltd", "credit_limit": "2500", "dob": "1990-05-01"},
        },
        Contact,
        business,
    )
    assert "name:</span> <del>Old Ltd</del> → <ins>New Ltd</ins>" in html
    assert "<del>$ 100.00</del> → <ins>$ 2,500.00</ins>" in html
    assert "date of birth:</span> <del>(empty)</del> → <ins>1990-05-01</ins>" in html
    created = activity_changes({"attributes": {"name": "Made", "email": None}}, Contact, business)
    assert "Made" in created and "email" not in created  # a creation lists what was filled in


def test_label_value_lists_read_and_edit_as_rows():
    assert "<th>BIC</th><td>NWBKGB2L</td>" in label_value_table([{"label": "BIC", "value": "NWBKGB2L"}])
    widget = LabelValueWidget()
    data = {"d-label-0": "BIC", "d-value-0": "NWBKGB2L", "d-label-1": "", "d-value-1": "", "d-label-2": "Sort"}
    assert widget.value_from_datadict(data, {}, "d") == [
        {"label": "BIC", "value": "NWBKGB2L"},
        {"label": "Sort", "value": ""},
    ]
    assert 'value="BIC"' in widget.render("d", [{"label": "BIC", "value": "X"}]) and "null" not in widget.render(
        "d", None
    )


def test_the_front_door_links_the_back_office_and_the_api_docs(db):
    page = Client().get("/").content.decode()
    assert 'href="/admin/"' in page and 'href="/api/docs/"' in page


def test_error_pages_are_styled_and_the_500_page_shows_no_internals(business):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and b"This page does not exist" in response.content
    page = render_to_string("500.html")  # rendered without any context, as Django's handler does
    assert "Something went wrong" in page and "Traceback" not in page and "admin/css/base.css" in page

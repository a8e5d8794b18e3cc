"""Products in the back office: created through the API only, edited in the parts no derived state depends on,
every edit in the activity trail, and scoped to the staff member's business."""

from decimal import Decimal

import pytest

from core.models import Activity
from core.tests.factories import make_business, make_user
from core.tests.factories import staff_client as staff
from inventory.models import Product
from inventory.services import product_create


@pytest.fixture
def kettle(business):
    admin = make_user(business, admin=True)
    product = product_create(
        business=business,
        user=admin,
        data={"name": "Kettle", "sku": "KET", "purchase_price": Decimal("10"), "sell_price": Decimal("25")},
    )
    return admin, product


def change_form(product, **changes) -> dict:
    variation = product.variations.get()
    data = {
        "name": product.name,
        "unit": product.unit_id,
        "variations-TOTAL_FORMS": "1",
        "variations-INITIAL_FORMS": "1",
        "variations-MIN_NUM_FORMS": "0",
        "variations-MAX_NUM_FORMS": "1000",
        "variations-0-id": variation.pk,
        "variations-0-product": product.pk,
        "variations-0-name": variation.name,
        "variations-0-default_purchase_price": "10",
        "variations-0-default_sell_price": "25",
    }
    data.update(changes)
    return data


def test_products_are_not_added_in_the_back_office(kettle):
    admin, _ = kettle

    assert staff(admin).get("/admin/inventory/product/add/").status_code == 403


def test_type_sku_and_stock_tracking_are_fixed_and_an_edit_is_logged(kettle):
    admin, product = kettle
    client = staff(admin)

    response = client.post(
        f"/admin/inventory/product/{product.pk}/change/",
        change_form(product, name="Steel kettle", sku="OTHER", type="variable", enable_stock=""),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(pk=product.pk)
    assert (product.name, product.sku, product.type, product.enable_stock) == ("Steel kettle", "KET", "single", True)
    entry = Activity.objects.filter(subject_type__model="product", subject_id=product.pk, event="updated").get()
    assert entry.properties["old"] == {"name": "Kettle"}
    assert entry.properties["attributes"] == {"name": "Steel kettle"}


def test_variation_prices_are_editable_but_not_the_sub_sku(kettle):
    admin, product = kettle
    variation = product.variations.get()

    response = staff(admin).post(
        f"/admin/inventory/product/{product.pk}/change/",
        change_form(product, **{"variations-0-default_sell_price": "27.50", "variations-0-sub_sku": "HACK"}),
    )

    assert response.status_code == 302
    variation.refresh_from_db()
    assert (variation.default_sell_price, variation.sub_sku) == (Decimal("27.50"), "KET")
    entry = Activity.objects.filter(subject_type__model="variation", subject_id=variation.pk, event="updated").get()
    assert Decimal(entry.properties["attributes"]["default_sell_price"]) == Decimal("27.50")


def test_another_business_does_not_see_the_product(kettle):
    _, product = kettle
    stranger = staff(make_user(make_business(name="Else"), admin=True))

    assert "Kettle" not in stranger.get("/admin/inventory/product/").content.decode()
    assert stranger.get(f"/admin/inventory/product/{product.pk}/change/").status_code in (302, 404)

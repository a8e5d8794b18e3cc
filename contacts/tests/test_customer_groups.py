"""The five customer-groups routes (spec "List/Get/Add/Update/Delete customer group"; RULES §2).

The full permission matrix is in test_contact_permissions.py.
"""

import datetime
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from contacts.models import Contact, CustomerGroup
from contacts.tests.helpers import (
    GROUP_FIELDS,
    GROUPS,
    activities_of,
    assert_validation_error,
    body,
    csv_text,
    group_url,
    make_contact,
)
from core.tests.factories import CustomerGroupFactory, SellingPriceGroupFactory
from core.tests.matrix import assert_not_found, assert_unauthorized, csv_rows, ids_in, xlsx_rows
from core.tests.openapi import assert_matches_schema


@pytest.fixture
def wholesale(business):
    return SellingPriceGroupFactory(business=business, name="Wholesale")


# --- list ----------------------------------------------------------------------------------------


def test_list_rows_and_meta(api, business, wholesale):
    retail = CustomerGroupFactory(business=business, name="Retail +10", amount=Decimal("10.00"))
    trade = CustomerGroupFactory(
        business=business, name="Trade", price_calculation_type="selling_price_group", selling_price_group=wholesale
    )

    response = api.get(GROUPS)

    assert response.status_code == 200
    assert_matches_schema(response)
    payload = body(response)
    assert payload["meta"] == {"current_page": 1, "last_page": 1, "per_page": 20, "total": 2}
    first, second = payload["data"]
    assert list(first) == GROUP_FIELDS
    assert (first["id"], first["name"], first["price_calculation_type"], first["amount"]) == (
        retail.pk,
        "Retail +10",
        "percentage",
        Decimal("10.00"),
    )
    assert (first["selling_price_group_id"], first["selling_price_group_name"]) == (None, None)
    assert (second["id"], second["selling_price_group_id"], second["selling_price_group_name"]) == (
        trade.pk,
        wholesale.pk,
        "Wholesale",
    )
    assert second["amount"] == Decimal("0")


def test_list_never_shows_another_business_groups(api, other_business):
    CustomerGroupFactory(business=other_business, name="Foreign")

    assert api.get(GROUPS).json()["data"] == []


@pytest.mark.parametrize(("q", "expected"), [("reta", {"Retail"}), ("WHOLE", {"Trade"}), ("xyz", set())])
def test_q_matches_group_name_or_selling_price_group_name(api, business, wholesale, q, expected):
    CustomerGroupFactory(business=business, name="Retail")
    CustomerGroupFactory(
        business=business, name="Trade", price_calculation_type="selling_price_group", selling_price_group=wholesale
    )

    response = api.get(f"{GROUPS}?q={q}")

    assert {row["name"] for row in response.json()["data"]} == expected


def test_q_matches_the_numeric_id(api, business):
    target = CustomerGroupFactory(business=business, id=4242, name="Target")
    CustomerGroupFactory(business=business, name="Other")

    assert ids_in(api.get(f"{GROUPS}?q=4242")) == {target.pk}


def test_q_of_non_decimal_digits_is_a_plain_search(api, business):
    CustomerGroupFactory(business=business, name="Retail")

    response = api.get(f"{GROUPS}?q=²³")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_q_of_one_character_is_422(api):
    response = api.get(f"{GROUPS}?q=r")

    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["The q field must be at least 2 characters."]}
    assert_matches_schema(response)


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "format=pdf", "updated_since=soon"])
def test_bad_query_is_422(api, query):
    assert api.get(f"{GROUPS}?{query}").status_code == 422


def test_pagination(api, business):
    for i in range(3):
        CustomerGroupFactory(business=business, name=f"G{i}")

    response = api.get(f"{GROUPS}?per_page=2&page=2")

    assert response.json()["meta"] == {"current_page": 2, "last_page": 2, "per_page": 2, "total": 3}
    assert [row["name"] for row in response.json()["data"]] == ["G2"]


def test_csv_has_every_row_with_bom_and_header(api, business, wholesale):
    groups = [CustomerGroupFactory(business=business, name=f"G{i}", amount=Decimal("2.50")) for i in range(25)]
    CustomerGroupFactory(business=business, name="@risky")

    response = api.get(f"{GROUPS}?format=csv&per_page=5")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert f'filename="customer-groups-{business.pk}-' in response["Content-Disposition"]
    assert csv_text(response).startswith("\ufeff" + ",".join(GROUP_FIELDS) + "\r\n")
    rows = csv_rows(response)
    assert len(rows) == 26
    assert [int(r["id"]) for r in rows[:25]] == [g.pk for g in groups]
    assert rows[0]["amount"] == "2.5000"
    assert rows[25]["name"] == "'@risky"


def test_xlsx_has_the_same_header(api, business):
    CustomerGroupFactory(business=business, name="Retail")

    rows = xlsx_rows(api.get(f"{GROUPS}?format=xlsx"))

    assert list(rows[0]) == GROUP_FIELDS
    assert rows[0]["name"] == "Retail"


# --- get -----------------------------------------------------------------------------------------


def test_get_one_group(api, business, wholesale, actors):
    group = CustomerGroupFactory(
        business=business,
        name="Trade",
        price_calculation_type="selling_price_group",
        selling_price_group=wholesale,
        created_by=api.user,
    )

    response = api.get(group_url(group.pk))

    assert response.status_code == 200
    assert_matches_schema(response)
    data = response.json()["data"]
    assert list(data) == GROUP_FIELDS
    assert data["created_by"] == api.user.pk
    assert data["selling_price_group_name"] == "Wholesale"


def test_get_csv_is_one_data_json_row(api, business):
    group = CustomerGroupFactory(business=business, amount=Decimal("12.50"))
    as_json = api.get(group_url(group.pk)).json()["data"]

    response = api.get(f"{group_url(group.pk)}?format=csv")

    assert_matches_schema(response)
    assert f'filename="customer-group-{group.pk}-{business.pk}-' in response["Content-Disposition"]
    [row] = csv_rows(response)
    assert json.loads(row["data_json"]) == as_json


def test_get_unknown_or_foreign_group_is_404(api, other_business):
    foreign = CustomerGroupFactory(business=other_business)

    response = api.get(group_url(foreign.pk))

    assert response.status_code == 404
    assert_matches_schema(response)
    assert_not_found(api, "get", group_url(987654))


# --- create --------------------------------------------------------------------------------------


def test_create_percentage_group(api, business):
    response = api.post(
        GROUPS, {"name": "Retail", "price_calculation_type": "percentage", "amount": "12.5"}, format="json"
    )

    assert response.status_code == 201
    assert_matches_schema(response)
    assert response.json()["message"] == "Customer group added successfully"
    data = body(response)["data"]
    assert (data["name"], data["price_calculation_type"], data["amount"]) == ("Retail", "percentage", Decimal("12.5"))
    group = CustomerGroup.objects.get(pk=data["id"])
    assert (group.business_id, group.created_by_id, group.amount) == (business.pk, api.user.pk, Decimal("12.5000"))


@pytest.mark.parametrize("amount", [{}, {"amount": None}])
def test_amount_is_zero_when_omitted(api, amount):
    response = api.post(GROUPS, {"name": "Flat", "price_calculation_type": "percentage", **amount}, format="json")

    assert body(response)["data"]["amount"] == Decimal("0")


def test_negative_percentage_is_a_discount_down_to_minus_100(api):
    ok = api.post(GROUPS, {"name": "Staff", "price_calculation_type": "percentage", "amount": "-100"}, format="json")
    too_low = api.post(
        GROUPS, {"name": "Free", "price_calculation_type": "percentage", "amount": "-100.01"}, format="json"
    )

    assert body(ok)["data"]["amount"] == Decimal("-100")
    assert_validation_error(too_low, "amount")


def test_selling_price_group_forces_amount_to_zero(api, wholesale):
    response = api.post(
        GROUPS,
        {
            "name": "Trade",
            "price_calculation_type": "selling_price_group",
            "selling_price_group_id": wholesale.pk,
            "amount": "15",
        },
        format="json",
    )

    data = body(response)["data"]
    assert response.status_code == 201
    assert (data["amount"], data["selling_price_group_id"], data["selling_price_group_name"]) == (
        Decimal("0"),
        wholesale.pk,
        "Wholesale",
    )


def test_selling_price_group_type_requires_the_group(api, business):
    response = api.post(GROUPS, {"name": "Trade", "price_calculation_type": "selling_price_group"}, format="json")

    assert_validation_error(response, "selling_price_group_id")
    assert_matches_schema(response)
    assert not CustomerGroup.objects.filter(business=business).exists()


def test_selling_price_group_of_another_business_is_422(api, business, other_business):
    foreign = SellingPriceGroupFactory(business=other_business)

    response = api.post(
        GROUPS,
        {"name": "Trade", "price_calculation_type": "selling_price_group", "selling_price_group_id": foreign.pk},
        format="json",
    )

    data = assert_validation_error(response, "selling_price_group_id")
    assert data["errors"]["selling_price_group_id"] == ["The selected selling price group id is invalid."]
    assert not CustomerGroup.objects.filter(business=business).exists()


def test_percentage_group_never_keeps_a_selling_price_group(api, wholesale):
    response = api.post(
        GROUPS,
        {
            "name": "Retail",
            "price_calculation_type": "percentage",
            "amount": "5",
            "selling_price_group_id": wholesale.pk,
        },
        format="json",
    )

    assert response.json()["data"]["selling_price_group_id"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price_calculation_type": "percentage"}, "name"),
        ({"name": "X"}, "price_calculation_type"),
        ({"name": "X", "price_calculation_type": "fixed"}, "price_calculation_type"),
        ({"name": "X", "price_calculation_type": "percentage", "amount": "ten"}, "amount"),
        ({"name": "X", "price_calculation_type": "percentage", "discount": "1"}, "discount"),
    ],
)
def test_invalid_create_is_422(api, business, payload, field):
    assert_validation_error(api.post(GROUPS, payload, format="json"), field)
    assert not CustomerGroup.objects.filter(business=business).exists()


def test_create_logs_activity(api):
    data = api.post(GROUPS, {"name": "Retail", "price_calculation_type": "percentage", "amount": "5"}, format="json")
    group = CustomerGroup.objects.get(pk=data.json()["data"]["id"])

    [activity] = activities_of(group)
    assert (activity.description, activity.event, activity.causer_id) == ("added", "created", api.user.pk)
    # a created activity lists the values that are set: the group has no selling price group
    expected = {"name": "Retail", "price_calculation_type": "percentage", "amount": "5"}
    assert activity.properties["attributes"] == expected


# --- update --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_is_partial(api, business, method):
    group = CustomerGroupFactory(business=business, name="Retail", amount=Decimal("5.00"))

    response = getattr(api, method)(group_url(group.pk), {"amount": "7.5"}, format="json")

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json()["message"] == "Customer group updated successfully"
    data = body(response)["data"]
    assert (data["name"], data["amount"]) == ("Retail", Decimal("7.5"))


def test_switching_to_selling_price_group_needs_the_group(api, business):
    group = CustomerGroupFactory(business=business, amount=Decimal("5.00"))

    response = api.patch(group_url(group.pk), {"price_calculation_type": "selling_price_group"}, format="json")

    assert_validation_error(response, "selling_price_group_id")
    group.refresh_from_db()
    assert (group.price_calculation_type, group.amount) == ("percentage", Decimal("5.0000"))


def test_switching_to_selling_price_group_zeroes_the_amount(api, business, wholesale):
    group = CustomerGroupFactory(business=business, amount=Decimal("5.00"))

    data = body(
        api.patch(
            group_url(group.pk),
            {"price_calculation_type": "selling_price_group", "selling_price_group_id": wholesale.pk},
            format="json",
        )
    )["data"]

    assert (data["amount"], data["selling_price_group_id"]) == (Decimal("0"), wholesale.pk)


def test_amount_stays_zero_on_a_selling_price_group_group(api, business, wholesale):
    group = CustomerGroupFactory(
        business=business, price_calculation_type="selling_price_group", selling_price_group=wholesale
    )

    data = body(api.patch(group_url(group.pk), {"amount": "9"}, format="json"))["data"]

    assert data["amount"] == Decimal("0")


def test_clearing_the_selling_price_group_of_such_a_group_is_422(api, business, wholesale):
    group = CustomerGroupFactory(
        business=business, price_calculation_type="selling_price_group", selling_price_group=wholesale
    )

    assert_validation_error(
        api.patch(group_url(group.pk), {"selling_price_group_id": None}, format="json"), "selling_price_group_id"
    )


def test_switching_to_percentage_drops_the_selling_price_group(api, business, wholesale):
    group = CustomerGroupFactory(
        business=business, price_calculation_type="selling_price_group", selling_price_group=wholesale
    )

    data = api.patch(group_url(group.pk), {"price_calculation_type": "percentage", "amount": "3"}, format="json")

    assert data.json()["data"]["selling_price_group_id"] is None
    assert body(data)["data"]["amount"] == Decimal("3")


def test_update_with_a_foreign_selling_price_group_is_422(api, business, other_business):
    group = CustomerGroupFactory(business=business)
    foreign = SellingPriceGroupFactory(business=other_business)

    response = api.patch(
        group_url(group.pk),
        {"price_calculation_type": "selling_price_group", "selling_price_group_id": foreign.pk},
        format="json",
    )

    assert_validation_error(response, "selling_price_group_id")


def test_update_null_amount_is_zero(api, business):
    group = CustomerGroupFactory(business=business, amount=Decimal("5.00"))

    assert body(api.patch(group_url(group.pk), {"amount": None}, format="json"))["data"]["amount"] == Decimal("0")


def test_update_without_fields_is_422(api, business):
    group = CustomerGroupFactory(business=business)

    response = api.patch(group_url(group.pk), {}, format="json")

    assert response.status_code == 422
    assert response.json() == {"message": "No valid fields to update"}


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_of_a_foreign_group_is_404(api, other_business, method):
    foreign = CustomerGroupFactory(business=other_business, name="Foreign")

    response = getattr(api, method)(group_url(foreign.pk), {"name": "Mine"}, format="json")

    assert response.status_code == 404
    assert_matches_schema(response)
    foreign.refresh_from_db()
    assert foreign.name == "Foreign"


def test_update_logs_old_and_new_values(api, business):
    group = CustomerGroupFactory(business=business, name="Retail", amount=Decimal("5.00"))

    api.patch(group_url(group.pk), {"name": "Retail Plus", "amount": "5"}, format="json")

    [activity] = activities_of(group)
    assert (activity.description, activity.event) == ("edited", "updated")
    assert activity.properties == {"old": {"name": "Retail"}, "attributes": {"name": "Retail Plus"}}


# --- delete --------------------------------------------------------------------------------------


def test_delete_answers_with_the_id_and_leaves_contacts_without_group(api, business):
    group = CustomerGroupFactory(business=business, name="Retail")
    member = make_contact(business, customer_group=group)

    response = api.delete(group_url(group.pk))

    assert response.status_code == 200
    assert_matches_schema(response)
    assert response.json() == {"message": "Customer group deleted successfully", "data": {"id": group.pk}}
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()
    member = Contact.objects.get(pk=member.pk)
    assert member.customer_group_id is None
    assert api.get(f"/api/v1/integration/contacts/{member.pk}").json()["data"]["customer_group_id"] is None
    assert_not_found(api, "get", group_url(group.pk))


def test_delete_logs_activity_with_the_old_values(api, business):
    group = CustomerGroupFactory(business=business, name="Retail", amount=Decimal("5.00"))
    pk = group.pk

    api.delete(group_url(pk))

    [activity] = activities_of(CustomerGroup(pk=pk))  # the deleted instance has lost its pk
    assert (activity.description, activity.event, activity.causer_id) == ("deleted", "deleted", api.user.pk)
    assert activity.properties["old"]["name"] == "Retail"


def test_contacts_left_without_group_show_up_as_updated(api, business):
    group = CustomerGroupFactory(business=business)
    member = make_contact(business, customer_group=group)
    Contact.all_objects.filter(pk=member.pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    cutoff = timezone.now().isoformat()

    api.delete(group_url(group.pk))

    response = api.get(f"/api/v1/integration/contacts?kind=customer&{urlencode({'updated_since': cutoff})}")
    assert member.pk in ids_in(response)


def test_delete_of_a_foreign_group_is_404(api, other_business):
    foreign = CustomerGroupFactory(business=other_business)

    response = api.delete(group_url(foreign.pk))

    assert response.status_code == 404
    assert_matches_schema(response)
    assert CustomerGroup.objects.filter(pk=foreign.pk).exists()


def test_view_own_is_not_enough_for_customer_groups(actors, business):
    client = actors.client("customer.view_own", "customer.create", "customer.update", "customer.delete")
    group = CustomerGroupFactory(business=business)

    response = client.get(GROUPS)

    assert_unauthorized(response)
    assert_matches_schema(response)
    assert_unauthorized(client.get(group_url(group.pk)))

"""Bad input never reaches a 500 (the hardening of `core/api`): oversize and over-deep bodies, text no column can
store, one id rule, one date rule, empty values as what they are, OPTIONS, and credentials that disagree."""

import json
import logging

import pytest

from contacts.models import Contact
from contacts.tests.helpers import assert_validation_error
from core.api.renderers import MAX_BODY_DEPTH
from core.tests.factories import make_token, make_user
from core.tests.matrix import BASE
from ledger.models import Transaction
from ledger.tests.builders import make_customer, open_shop

CONTACTS = f"{BASE}/contacts"


def post_raw(client, url, text: str, method="POST"):
    """A body sent as the exact JSON text given (so escapes such as \\ud800 reach the server as written)."""
    return client.generic(method, url, text, content_type="application/json")


def contact_body(**fields) -> dict:
    return {"type": "customer", "name": "Jane Doe", "mobile": "0700", **fields}


# --- 413: a body over the limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [CONTACTS, f"{BASE}/sells", f"{BASE}/accounts", f"{BASE}/ledger-discounts", f"{BASE}/customer-groups"],
)
def test_a_body_over_the_memory_limit_is_413_in_the_house_envelope(api, business, settings, url, caplog):
    from accounts.tests.builders import enable_accounts

    enable_accounts(business)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = Contact.all_objects.count(), Transaction.objects.count()
    body = json.dumps(contact_body(note="x" * 2000))

    with caplog.at_level(logging.ERROR):
        response = post_raw(api, url, body)

    assert response.status_code == 413, response.content[:300]
    assert response.json() == {"message": "The request body is larger than the 1,000 bytes this API accepts."}
    assert (Contact.all_objects.count(), Transaction.objects.count()) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_default_limit_is_2_5_mb(api, business):
    response = post_raw(api, CONTACTS, json.dumps(contact_body(custom_field1="x" * 2_700_000)))

    assert response.status_code == 413
    assert "2,621,440 bytes" in response.json()["message"]


def test_a_patch_over_the_limit_is_413_and_changes_nothing(api, business, settings):
    contact = make_customer(business, name="Before")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = post_raw(api, f"{CONTACTS}/{contact.pk}", json.dumps({"name": "After" * 50}), method="PATCH")

    assert response.status_code == 413
    contact.refresh_from_db()
    assert contact.name == "Before"


# --- 400: nesting ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_BODY_DEPTH + 1, 1000, 100_000])
def test_json_nested_too_deep_is_400_malformed_and_logs_no_error(api, business, depth, caplog):
    before = Contact.all_objects.count()
    text = '{"type": "customer", "name": "X", "shipping_custom_field_details": ' + "[" * depth + "]" * depth + "}"

    with caplog.at_level(logging.ERROR):
        response = post_raw(api, CONTACTS, text)

    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed request body")
    assert f"{MAX_BODY_DEPTH} levels" in response.json()["message"]
    assert Contact.all_objects.count() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_json_just_within_the_depth_is_read(api, business):
    nested = "[" * (MAX_BODY_DEPTH - 1) + "]" * (MAX_BODY_DEPTH - 1)
    text = '{"type": "customer", "name": "X", "shipping_custom_field_details": ' + nested + "}"

    response = post_raw(api, CONTACTS, text)

    assert response.status_code == 201, response.content[:300]


# --- 422: text no column can store, in every JSON value ----------------------------------------------------------

NUL = "Null characters are not allowed."
SURROGATE = "Unpaired surrogate characters are not allowed (the text is not valid Unicode)."


@pytest.mark.parametrize(
    ("details", "key", "message"),
    [
        ({"gate\u0000": "3"}, "shipping_custom_field_details", NUL),
        ({"gate": "3\u0000"}, "shipping_custom_field_details.gate", NUL),
        (["ok", "no\u0000"], "shipping_custom_field_details.1", NUL),
        ([{"a": ["\ud800"]}], "shipping_custom_field_details.0.a.0", SURROGATE),
        ({"\udfff": 1}, "shipping_custom_field_details", SURROGATE),
    ],
)
def test_nul_and_lone_surrogates_in_json_values_are_422_on_create(api, business, details, key, message):
    before = Contact.all_objects.count()

    response = post_raw(api, CONTACTS, json.dumps(contact_body(shipping_custom_field_details=details)))

    body = assert_validation_error(response, key)
    assert body["errors"][key] == [message]
    assert Contact.all_objects.count() == before


def test_nul_and_lone_surrogates_are_422_on_patch_and_change_nothing(api, business):
    contact = make_customer(business, name="Kept")

    for value in ({"x": "\u0000"}, ["\ud83d"]):
        response = post_raw(
            api, f"{CONTACTS}/{contact.pk}", json.dumps({"shipping_custom_field_details": value}), method="PATCH"
        )
        assert response.status_code == 422
    response = post_raw(api, f"{CONTACTS}/{contact.pk}", json.dumps({"name": "Ne\ud800w"}), method="PATCH")
    assert_validation_error(response, "name")
    contact.refresh_from_db()
    assert (contact.name, contact.shipping_custom_field_details) == ("Kept", None)


def test_account_details_with_nul_are_422(api, business):
    from accounts.tests.builders import enable_accounts

    enable_accounts(business)
    body = {"name": "Bank", "account_number": "B-1", "account_details": [{"label": "IBAN", "value": "DE\u0000"}]}

    response = post_raw(api, f"{BASE}/accounts", json.dumps(body))

    assert_validation_error(response, "account_details.0.value")


def test_an_unknown_field_whose_name_is_not_unicode_is_422_and_the_answer_is_valid_json(api, business):
    response = post_raw(api, CONTACTS, '{"type": "customer", "name": "X", "na\\ud800me": 1}')

    assert response.status_code == 422
    assert response.json()["errors"] == {"non_field_errors": [SURROGATE]}


# --- one id rule --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [5.0, "5.0", True, -1, 0, 2**63, "abc", [5]])
def test_an_id_that_is_not_a_whole_positive_64_bit_integer_is_422_on_every_body(api, business, bad):
    customer = make_customer(business)
    bad = customer.pk * 1.0 if bad == 5.0 else (f"{customer.pk}.0" if bad == "5.0" else bad)

    discount = api.post(
        f"{BASE}/ledger-discounts", {"contact_id": bad, "date": "2026-01-05", "amount": "5"}, format="json"
    )
    shared = api.post(CONTACTS, {**contact_body(), "assigned_to_users": [bad]}, format="json")

    assert_validation_error(discount, "contact_id")
    assert_validation_error(shared, "assigned_to_users.0")


def test_a_well_formed_unknown_contact_in_a_ledger_discount_is_the_references_404(api, business):
    response = api.post(
        f"{BASE}/ledger-discounts", {"contact_id": 999999, "date": "2026-01-05", "amount": "5"}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("route", ["balance-sheet", "trial-balance"])
@pytest.mark.parametrize("bad", ["-1", str(2**63), "1.0", "x", ""])
def test_a_report_location_that_is_no_id_is_422_an_unknown_one_404(api, business, route, bad):
    from accounts.tests.builders import enable_accounts

    enable_accounts(business)

    malformed = api.get(f"{BASE}/accounts/reports/{route}?location_id={bad}")
    unknown = api.get(f"{BASE}/accounts/reports/{route}?location_id=999999")

    assert_validation_error(malformed, "location_id")
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "Location not found"}


# --- one date rule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31", "1899-12-31", "20261101", "2026-1-1", "01/02/2026"])
def test_dob_takes_what_request_dates_take(api, business, bad):
    response = api.post(CONTACTS, contact_body(dob=bad), format="json")

    assert_validation_error(response, "dob")


@pytest.mark.parametrize(("sent", "stored"), [("", None), (None, None), ("1980-02-29", "1980-02-29")])
def test_dob_empty_is_null_and_a_time_is_ignored(api, business, sent, stored):
    response = api.post(CONTACTS, contact_body(dob=sent), format="json")
    with_time = api.post(CONTACTS, contact_body(dob="1980-02-29 23:59:59"), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["dob"] == stored
    assert with_time.json()["data"]["dob"] == "1980-02-29"


@pytest.mark.parametrize(
    "bad", ["20261101", "2026-1-1", "2026-01-01T10:00:00+02:00", "2026-01-01 10:00", "2026-02-30", "9999-01-01"]
)
def test_body_dates_take_only_y_m_d_or_y_m_d_h_i_s(api, business, bad):
    world = open_shop(business, make_user(business, admin=True))
    before = Transaction.objects.count()
    body = {
        "contact_id": world.customer.pk,
        "location_id": world.shop.pk,
        "transaction_date": bad,
        "lines": [{"variation_id": world.variation.pk, "quantity": "1", "unit_price": "10"}],
    }

    response = api.post(f"{BASE}/sells", body, format="json")

    data = assert_validation_error(response, "transaction_date")
    assert Transaction.objects.count() == before
    if bad != "9999-01-01":
        assert data["errors"]["transaction_date"] == ["The transaction date must be a date as Y-m-d or Y-m-d H:i:s."]


@pytest.mark.parametrize("bad", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00"])
def test_updated_since_keeps_the_calendar_bound(api, business, bad):
    response = api.get(f"{CONTACTS}?kind=customer&updated_since={bad}")

    assert_validation_error(response, "updated_since")


# --- empty text is null; empty query values are values ------------------------------------------------------------


def test_the_walk_in_customer_and_a_contact_without_mobile_have_null(api, business):
    walk_in = Contact.objects.for_business(business).get(is_default=True)
    created = api.post(CONTACTS, {"type": "customer", "name": "No Phone"}, format="json").json()["data"]

    assert api.get(f"{CONTACTS}/{walk_in.pk}").json()["data"]["mobile"] is None
    assert (created["mobile"], created["email"]) == (None, None)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{CONTACTS}?kind=customer&format=", "format"),
        (f"{CONTACTS}?kind=", "kind"),
        (f"{CONTACTS}?kind=customer&updated_since=", "updated_since"),
        (f"{CONTACTS}?kind=customer&per_page=", "per_page"),
        (f"{BASE}/products?type=", "type"),
        (f"{BASE}/accounts?is_closed=", "is_closed"),
        (f"{BASE}/sells?start_date=&end_date=", "start_date"),
    ],
)
def test_an_empty_query_value_is_that_value(api, business, url, field):
    from accounts.tests.builders import enable_accounts

    enable_accounts(business)

    assert_validation_error(api.get(url), field)


def test_an_empty_q_is_no_search(api, business):
    make_customer(business, name="Findable")

    response = api.get(f"{CONTACTS}?kind=customer&q=")

    assert response.status_code == 200
    assert "Findable" in [row["name"] for row in response.json()["data"]]


@pytest.mark.parametrize(
    ("url", "order"),
    [
        (f"{CONTACTS}?kind=nobody&format=pdf&q=x&per_page=0", ["per_page", "q", "format", "kind"]),
        (f"{BASE}/sells?status=gone&format=pdf&q=x", ["q", "format", "status"]),
        (f"{BASE}/products?type=gone&format=pdf&page=0", ["page", "format", "type"]),
    ],
)
def test_a_list_names_its_bad_parameters_in_one_order(api, business, url, order):
    """page, per_page, q, format, then the list's filters: the first one's message is the envelope's message."""
    data = assert_validation_error(api.get(url), *order)

    assert list(data["errors"]) == order
    assert data["message"].startswith(data["errors"][order[0]][0])


# --- OPTIONS -------------------------------------------------------------------------------------------------------


def test_options_says_the_methods_and_nothing_else_and_logs_nothing(actors, business, caplog):
    nobody = actors.client()  # no permissions at all
    with caplog.at_level(logging.WARNING):
        listing = nobody.options(CONTACTS)
        item = nobody.options(f"{CONTACTS}/1")

    assert (listing.status_code, listing.content) == (204, b"")
    assert set(listing["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
    assert {"GET", "PATCH", "PUT", "DELETE"} <= set(item["Allow"].split(", "))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_options_needs_credentials(client, db):
    response = client.options(CONTACTS)

    assert response.status_code == 401


# --- credentials that disagree --------------------------------------------------------------------------------------


def test_a_token_and_a_bogus_key_pair_is_401(client, business, admin_user):
    response = client.get(
        f"{CONTACTS}?kind=customer",
        HTTP_AUTHORIZATION=f"Bearer {make_token(admin_user)}",
        HTTP_X_API_KEY="bogus",
        HTTP_X_API_SECRET="bogus",
    )

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_a_token_and_a_key_pair_of_two_users_is_401_of_the_same_user_200(client, business, admin_user):
    from core.models import ApiCredential
    from core.services.credentials import credential_issue

    other = make_user(business, admin=True)
    own = credential_issue(user=admin_user, kind=ApiCredential.Kind.KEY_PAIR)
    foreign = credential_issue(user=other, kind=ApiCredential.Kind.KEY_PAIR)
    token = make_token(admin_user)

    def get(pair):
        return client.get(
            f"{CONTACTS}?kind=customer",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_X_API_KEY=pair.credential.key,
            HTTP_X_API_SECRET=pair.secret,
        )

    assert get(foreign).status_code == 401
    assert get(own).status_code == 200

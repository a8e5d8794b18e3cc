"""POST /contacts/import (contacts-api "Import contacts"; RULES §12, §2 contacts, §3 opening balances).

File reading is in test_contact_import_files.py, the template in test_contact_import_template.py, the back office
and the command in their own modules, the race on PostgreSQL in test_contact_import_concurrency.py.
"""

import datetime
from decimal import Decimal

import pytest

from contacts.models import Contact
from contacts.tests.helpers import activities_of, body, contact_counter, expire_subscription, footprint, make_contact
from contacts.tests.import_files import IMPORT, import_rows, post_import, row, supplier
from core.tests.matrix import BASE, assert_unauthorized
from core.tests.openapi import assert_matches_schema
from ledger.models import Transaction


def imported(business):
    """The contacts the import created (the walk-in customer and other fixtures left out), in id order."""
    return list(Contact.objects.for_business(business).filter(is_default=False).order_by("id"))


def errors_of(response) -> dict:
    assert response.status_code == 422, (response.status_code, response.json())
    assert_matches_schema(response)
    return response.json()["errors"]


# --- success ------------------------------------------------------------------------------------


def test_a_valid_file_answers_201_with_the_imported_count(api, business):
    response = import_rows(api, [row(), row(first_name="Grace"), supplier(first_name="Parts")])

    assert response.status_code == 201, response.json()
    assert_matches_schema(response)
    data = body(response)
    assert data["message"] == "Contacts imported successfully"
    assert data["data"]["imported"] == 3
    assert data["data"]["by_type"] == {"customer": 2, "supplier": 1, "both": 0}
    assert len(imported(business)) == 3


def test_every_column_lands_in_its_field(api, business):
    cells = row(
        type="3",
        prefix="Dr",
        first_name="Ada",
        middle_name="King",
        last_name="Lovelace",
        supplier_business_name="Engines Ltd",
        contact_id="ADA-1",
        tax_number="GB123",
        pay_term_number="15",
        pay_term_type="Months",
        credit_limit="2500.75",
        email="ada@example.com",
        mobile="+44 20 7946 0001",
        alternate_number="0700 111",
        landline="020 7946 0000",
        city="London",
        state="England",
        country="United Kingdom",
        address_line_1="12 St James's Square",
        address_line_2="Flat 2",
        zip_code="SW1Y 4JH",
        dob="1985-12-10",
        custom_field1="one",
        custom_field2="two",
        custom_field3="three",
        custom_field4="four",
    )
    assert import_rows(api, [cells]).status_code == 201
    contact = imported(business)[0]

    assert contact.type == "both"
    assert contact.name == "Dr Ada King Lovelace"
    assert (contact.prefix, contact.first_name, contact.middle_name, contact.last_name) == (
        "Dr",
        "Ada",
        "King",
        "Lovelace",
    )
    assert contact.supplier_business_name == "Engines Ltd"
    assert contact.contact_id == "ADA-1"
    assert contact.tax_number == "GB123"
    assert (contact.pay_term_number, contact.pay_term_type) == (15, "months")
    assert contact.credit_limit == Decimal("2500.7500")
    assert (contact.email, contact.mobile, contact.alternate_number, contact.landline) == (
        "ada@example.com",
        "+44 20 7946 0001",
        "0700 111",
        "020 7946 0000",
    )
    assert (contact.city, contact.state, contact.country, contact.zip_code) == (
        "London",
        "England",
        "United Kingdom",
        "SW1Y 4JH",
    )
    assert (contact.address_line_1, contact.address_line_2) == ("12 St James's Square", "Flat 2")
    assert contact.dob == datetime.date(1985, 12, 10)
    assert [contact.custom_field1, contact.custom_field2, contact.custom_field3, contact.custom_field4] == [
        "one",
        "two",
        "three",
        "four",
    ]
    assert contact.created_by == api.user
    assert contact.contact_status == "active"
    assert contact.business == business


def test_the_contact_reads_back_through_the_api_like_one_added_by_post(api, business):
    import_rows(api, [row(first_name="Ada", last_name="Lovelace", email="ada@example.com", city="London")])
    added = api.post(
        f"{BASE}/contacts",
        {
            "type": "customer",
            "name": "x",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "city": "London",
            "mobile": "0700000001",
        },
        format="json",
    )
    first, second = imported(business)
    ours, theirs = (body(api.get(f"{BASE}/contacts/{c.pk}"))["data"] for c in (first, second))
    ignore = {"id", "contact_id", "created_at", "updated_at"}
    assert {k: v for k, v in ours.items() if k not in ignore} == {k: v for k, v in theirs.items() if k not in ignore}
    assert added.status_code == 201


def test_empty_optional_cells_are_stored_as_null_and_a_supplier_keeps_no_credit_limit(api, business):
    import_rows(api, [supplier(credit_limit="500")])
    contact = imported(business)[0]

    assert contact.credit_limit is None  # customers and both only (RULES §12)
    assert contact.email is None and contact.tax_number is None and contact.custom_field1 is None
    assert contact.supplier_business_name is None and contact.dob is None


def test_blank_contact_ids_take_co_codes_from_the_counter_skipping_typed_ones(api, business):
    make_contact(business, contact_id="CO0004")
    before = contact_counter(business)  # the walk-in customer holds CO0001: 1

    response = import_rows(api, [row(), row(contact_id="CO0003"), row(), row()])

    assert response.status_code == 201, response.json()
    # Four creates advance the counter by four (2..5); blank rows take their own count, a typed or taken one is
    # skipped: CO0002, [CO0003 typed], CO0004 is taken → CO0006 for the last blank row after CO0005.
    assert [c.contact_id for c in imported(business)][1:] == ["CO0002", "CO0003", "CO0005", "CO0006"]
    assert contact_counter(business) == before + 5


def test_codes_continue_where_post_contacts_left_off(api, business):
    api.post(f"{BASE}/contacts", {"type": "customer", "name": "Before"}, format="json")
    import_rows(api, [row(), row()])
    api.post(f"{BASE}/contacts", {"type": "customer", "name": "After"}, format="json")

    assert [c.contact_id for c in imported(business)] == ["CO0002", "CO0003", "CO0004", "CO0005"]


def test_each_imported_contact_logs_one_imported_activity(api, business):
    import_rows(api, [row(first_name="Ada", email="ada@example.com"), supplier(first_name="Parts")])

    for contact in imported(business):
        trail = list(activities_of(contact))
        assert [(a.description, a.event, a.causer_id) for a in trail] == [("imported", "created", api.user.pk)]
        assert trail[0].properties["attributes"]["name"] == contact.name
        assert trail[0].properties["attributes"]["contact_id"] == contact.contact_id
    listed = body(api.get(f"{BASE}/contacts/{imported(business)[0].pk}/activities"))["data"]["activities"]
    assert [a["description"] for a in listed] == ["imported"]


def test_an_imported_contact_records_what_post_contacts_records(api, business):
    """A created activity lists the values that are set, the same for a contact imported and one created."""
    import_rows(api, [row(first_name="Ada", email="ada@example.com", contact_id="C-1")])
    data = {
        "type": "customer",
        "name": "Ada",
        "first_name": "Ada",
        "mobile": "0700000001",
        "email": "ada@example.com",
        "contact_id": "C-2",
    }
    created = body(api.post(f"{BASE}/contacts", data, format="json"))["data"]
    one = Contact.objects.get(business=business, contact_id="C-1")
    two = Contact.objects.get(pk=created["id"])

    [imported_trail], [created_trail] = activities_of(one), activities_of(two)
    attributes = imported_trail.properties["attributes"]
    assert attributes["first_name"] == "Ada" and attributes["email"] == "ada@example.com"
    assert None not in attributes.values() and "dob" not in attributes  # null fields are left out
    assert {**attributes, "contact_id": "C-2"} == created_trail.properties["attributes"]


# --- opening balances ------------------------------------------------------------------------------


def balance_of(api, contact) -> dict:
    response = api.get(f"{BASE}/contacts/{contact.pk}/balance")
    assert response.status_code == 200
    return body(response)["data"]


def test_opening_balances_create_one_document_per_contact_and_the_dues_they_mean(api, business):
    response = import_rows(
        api,
        [
            row(first_name="Owes", opening_balance="150.50"),
            supplier(first_name="Owed", opening_balance="1200"),
            row(type="3", first_name="Both", opening_balance="75.25", pay_term_number="30", pay_term_type="days"),
            row(first_name="Zero", opening_balance="0"),
            row(first_name="None"),
        ],
    )

    assert response.status_code == 201, response.json()
    data = body(response)["data"]
    assert data["opening_balances"] == 3
    assert data["opening_balance_total"] == Decimal("1425.7500")
    assert data["opening_balance_by_type"] == {
        "customer": Decimal("150.5000"),
        "supplier": Decimal("1200.0000"),
        "both": Decimal("75.2500"),
    }
    owes, owed, both, zero, none = imported(business)
    # A customer owes us, we owe a supplier, `both` owes us (RULES §3); due is positive in each case (RULES §5).
    assert balance_of(api, owes)["due"] == Decimal("150.5")
    assert balance_of(api, owes)["opening_balance_due"] == Decimal("150.5")
    assert balance_of(api, owed)["due"] == Decimal("1200")
    assert balance_of(api, both)["due"] == Decimal("75.25")
    assert balance_of(api, zero)["due"] == Decimal("0")
    assert balance_of(api, none)["due"] == Decimal("0")
    ledger = body(api.get(f"{BASE}/contacts/{owed.pk}/ledger?start_date=2000-01-01&end_date=2999-12-31"))["data"]
    assert ledger["summary"]["all_balance_due"] == Decimal("1200")
    documents = Transaction.objects.filter(business=business, type="opening_balance").order_by("id")
    assert [(d.contact_id, d.final_total, d.status, d.payment_status) for d in documents] == [
        (owes.pk, Decimal("150.5000"), "final", "due"),
        (owed.pk, Decimal("1200.0000"), "final", "due"),
        (both.pk, Decimal("75.2500"), "final", "due"),
    ]
    year = datetime.date.today().year
    assert [d.ref_no for d in documents] == [f"{year}/0001", f"{year}/0002", f"{year}/0003"]
    assert {d.location_id for d in documents} == {business.locations.order_by("id").first().pk}


def test_the_opening_balance_reads_back_like_one_set_by_post(api, business):
    import_rows(api, [row(first_name="Imported", opening_balance="40")])
    api.post(f"{BASE}/contacts", {"type": "customer", "name": "Posted", "opening_balance": "40"}, format="json")
    first, second = imported(business)
    ours, theirs = (body(api.get(f"{BASE}/contacts/{c.pk}/opening-balance"))["data"] for c in (first, second))
    ignore = {"id", "ref_no", "contact_id", "created_at", "updated_at", "transaction_date", "due_date"}
    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours["transaction"].items() if k not in ignore} == {
        k: v for k, v in theirs["transaction"].items() if k not in ignore
    }
    assert ours["transaction"]["final_total"] == Decimal("40")
    assert activities_of(Transaction.objects.get(contact=first)).get().description == "added"


def test_a_negative_opening_balance_is_refused(api, business):
    errors = errors_of(import_rows(api, [row(opening_balance="-5")]))

    assert errors == {
        "rows.1.opening_balance": ["Opening Balance: Ensure this value is greater than or equal to 0 in row no. 1"]
    }
    assert imported(business) == []


# --- the reference's messages, each on its own and all together -----------------------------------

REFERENCE_CASES = [
    (row(type=""), "rows.1.type", "Contact type is required in row no. 1"),
    (row(type="4"), "rows.1.type", "Invalid contact type 4 in row no. 1"),
    (row(type="customer"), "rows.1.type", "Invalid contact type customer in row no. 1"),
    (row(first_name=""), "rows.1.first_name", "First name is required in row no. 1"),
    (row(mobile=""), "rows.1.mobile", "Mobile number is required in row no. 1"),
    (row(email="not-an-email"), "rows.1.email", "Invalid email id in row no. 1"),
    (supplier(pay_term_number=""), "rows.1.pay_term_number", "Pay term is required in row no. 1"),
    (supplier(pay_term_type=""), "rows.1.pay_term_type", "Pay term period is required in row no. 1"),
    (
        row(type="3", pay_term_number="", pay_term_type="days"),
        "rows.1.pay_term_number",
        "Pay term is required in row no. 1",
    ),
    (row(type="3", pay_term_number="5"), "rows.1.pay_term_type", "Pay term period is required in row no. 1"),
    (row()[:26], "rows.1.columns", "Number of columns mismatch"),
    ([*row(), "extra"], "rows.1.columns", "Number of columns mismatch"),
]


@pytest.mark.parametrize(("cells", "key", "message"), REFERENCE_CASES)
def test_each_reference_rule_on_its_own(api, business, cells, key, message):
    before = footprint(business)

    errors = errors_of(import_rows(api, [cells]))

    assert errors == {key: [message]}
    assert footprint(business) == before


def test_a_contact_id_taken_in_the_business_or_repeated_in_the_file(api, business):
    make_contact(business, contact_id="TAKEN")
    errors = errors_of(
        import_rows(api, [row(contact_id="TAKEN"), row(contact_id="TWICE"), row(), row(contact_id="TWICE")])
    )

    assert errors == {
        "rows.1.contact_id": ["Contact ID already exists in row no. 1"],
        "rows.4.contact_id": ["Contact ID already exists in row no. 4"],
    }


def test_a_deleted_contacts_code_is_free_again(api, business):
    gone = make_contact(business, contact_id="FREED")
    api.delete(f"{BASE}/contacts/{gone.pk}")

    assert import_rows(api, [row(contact_id="FREED")]).status_code == 201


def test_a_customer_needs_no_pay_term_and_the_period_is_case_insensitive(api, business):
    response = import_rows(
        api, [row(), supplier(pay_term_type="MONTHS"), row(pay_term_number="7", pay_term_type="Days")]
    )

    assert response.status_code == 201, response.json()
    assert [(c.pay_term_number, c.pay_term_type) for c in imported(business)] == [
        (None, None),
        (30, "months"),
        (7, "days"),
    ]


def test_every_error_of_every_row_is_reported_together(api, business):
    before = footprint(business)
    rows = [
        row(),  # 1: fine
        row(type="", first_name="", mobile="", email="x@"),  # 2: four errors
        supplier(pay_term_number="", pay_term_type=""),  # 3: two
        [""] * 27,  # 4: empty, ignored
        row(type="9", contact_id="DUP"),  # 5
        row(contact_id="DUP", credit_limit="lots", dob="10/12/1985", pay_term_type="weeks"),  # 6
        row()[:20],  # 7
        row(first_name="x" * 300),  # 8
    ]

    response = import_rows(api, rows)

    errors = errors_of(response)
    assert errors == {
        "rows.2.type": ["Contact type is required in row no. 2"],
        "rows.2.first_name": ["First name is required in row no. 2"],
        "rows.2.email": ["Invalid email id in row no. 2"],
        "rows.2.mobile": ["Mobile number is required in row no. 2"],
        "rows.3.pay_term_number": ["Pay term is required in row no. 3"],
        "rows.3.pay_term_type": ["Pay term period is required in row no. 3"],
        "rows.5.type": ["Invalid contact type 9 in row no. 5"],
        "rows.6.contact_id": ["Contact ID already exists in row no. 6"],
        "rows.6.pay_term_type": ['Pay term period: "weeks" is not a valid choice in row no. 6'],
        "rows.6.credit_limit": ["Credit Limit: A valid number is required in row no. 6"],
        "rows.6.dob": ["Date of birth: The dob must be a date as Y-m-d or Y-m-d H:i:s in row no. 6"],
        "rows.7.columns": ["Number of columns mismatch"],
        "rows.8.first_name": ["First Name: Ensure this field has no more than 191 characters in row no. 8"],
        "rows.8.name": ["Name: Ensure this field has no more than 255 characters in row no. 8"],
    }
    assert list(errors) == sorted(errors, key=lambda k: int(k.split(".")[1]))  # in row order
    assert response.json()["message"] == "The file has 14 errors in 6 rows; nothing was imported."
    assert footprint(business) == before
    assert not Transaction.objects.filter(business=business).exists()


def test_one_bad_row_among_valid_ones_writes_nothing(api, business):
    before = footprint(business)

    response = import_rows(api, [row(opening_balance="10")] * 5 + [row(email="bad")] + [supplier(opening_balance="3")])

    assert errors_of(response) == {"rows.6.email": ["Invalid email id in row no. 6"]}
    assert footprint(business) == before
    assert not Transaction.objects.filter(business=business, type="opening_balance").exists()


def test_what_post_contacts_refuses_the_import_refuses(api, business):
    """Same serializer: over-long codes, amounts beyond 4 places or 18 digits, dates outside the calendar."""
    errors = errors_of(
        import_rows(
            api,
            [
                row(contact_id="C" * 192),
                row(credit_limit="1.23456"),
                row(opening_balance="1" * 19),
                row(dob="1985-02-30"),
                row(prefix="P" * 51),
            ],
        )
    )

    assert set(errors) == {
        "rows.1.contact_id",
        "rows.2.credit_limit",
        "rows.3.opening_balance",
        "rows.4.dob",
        "rows.5.prefix",
    }
    for field, cells in (("credit_limit", "1.23456"), ("dob", "1985-02-30")):
        refused = api.post(
            f"{BASE}/contacts", {"type": "customer", "name": "x", field: cells}, format="json"
        ).status_code
        assert refused == 422


# --- permissions, package, demo mode ------------------------------------------------------------------


def test_each_row_needs_the_create_right_of_its_type(actors, business):
    file = [row(), supplier(), row(type="3", pay_term_number="1", pay_term_type="days")]
    cases = {
        ("customer.create",): {"rows.2.type", "rows.3.type"},
        ("supplier.create",): {"rows.1.type", "rows.3.type"},
        ("customer.create", "supplier.create"): set(),
    }
    for permissions, forbidden in cases.items():
        response = import_rows(actors.client(*permissions), file)
        if forbidden:
            assert response.status_code == 403, (permissions, response.json())
            assert_matches_schema(response)
            assert response.json()["message"] == "Unauthorized"
            assert set(response.json()["errors"]) == forbidden
        else:
            assert response.status_code == 201, response.json()
    assert response.json()["errors"] if forbidden else True
    denied = import_rows(actors.client("customer.create"), [row(type="3", pay_term_number="1", pay_term_type="days")])
    assert denied.json()["errors"] == {
        "rows.1.type": ["Creating both contacts needs customer.create and supplier.create (row no. 1)"]
    }


def test_rows_of_one_type_import_with_that_types_right_alone(actors, business):
    assert import_rows(actors.client("customer.create"), [row(), row()]).status_code == 201
    assert import_rows(actors.client("supplier.create"), [supplier()]).status_code == 201


def test_without_any_create_right_the_route_is_403(actors, business):
    for permissions in [(), ("customer.view",), ("customer.view_own", "supplier.view_own"), ("customer.update",)]:
        assert_unauthorized(import_rows(actors.client(*permissions), [row()]))
    assert imported(business) == []


def test_a_forbidden_row_wins_over_invalid_ones_and_writes_nothing(actors, business):
    response = import_rows(actors.client("customer.create"), [row(email="bad"), supplier()])

    assert response.status_code == 403
    assert response.json()["errors"] == {
        "rows.2.type": ["Creating supplier contacts needs supplier.create (row no. 2)"]
    }
    assert imported(business) == []


def test_402_when_packages_are_enforced_and_the_subscription_is_not_active(api, business, settings):
    expire_subscription(business, settings)
    response = import_rows(api, [row()])

    assert response.status_code == 402
    assert_matches_schema(response)
    assert set(response.json()) == {"message"}
    assert imported(business) == []


def test_403_in_demo_mode(api, business, settings):
    settings.ERP_DEMO_MODE = True
    response = import_rows(api, [row()])

    assert response.status_code == 403
    assert response.json() == {"message": "This action is disabled in demo mode."}
    assert imported(business) == []


def test_401_without_credentials(client, db):
    assert client.post(IMPORT).status_code == 401


def test_contacts_land_in_the_callers_business_and_codes_are_per_business(api, business, other_actors, other_business):
    make_contact(other_business, contact_id="SHARED")

    assert import_rows(api, [row(contact_id="SHARED")]).status_code == 201
    assert import_rows(other_actors.client(admin=True), [row(contact_id="SHARED")]).status_code == 422
    assert Contact.objects.get(business=business, contact_id="SHARED").created_by == api.user


# --- dry run --------------------------------------------------------------------------------------


def test_dry_run_answers_what_would_be_imported_and_writes_nothing(api, business):
    before = footprint(business)

    response = import_rows(
        api,
        [
            row(opening_balance="10.10"),
            row(),
            supplier(opening_balance="5"),
            row(type="3", pay_term_number="1", pay_term_type="days"),
        ],
        dry_run="true",
    )

    assert response.status_code == 200, response.json()
    assert_matches_schema(response)
    assert body(response) == {
        "message": "Dry run: 4 contacts would be imported; nothing was written.",
        "data": {
            "dry_run": True,
            "imported": 0,
            "contacts": 4,
            "by_type": {"customer": 2, "supplier": 1, "both": 1},
            "opening_balances": 2,
            "opening_balance_total": Decimal("15.1000"),
            "opening_balance_by_type": {
                "customer": Decimal("10.1000"),
                "supplier": Decimal("5.0000"),
                "both": Decimal("0.0000"),
            },
        },
    }
    assert footprint(business) == before
    assert not Transaction.objects.filter(business=business).exists()
    assert import_rows(api, [row()], dry_run="false").status_code == 201


def test_dry_run_refuses_what_the_import_refuses(api, actors, business):
    assert errors_of(import_rows(api, [row(email="bad")], dry_run="true")) == {
        "rows.1.email": ["Invalid email id in row no. 1"]
    }
    assert import_rows(actors.client("customer.create"), [supplier()], dry_run="true").status_code == 403


def test_unknown_form_fields_are_refused(api, business):
    response = import_rows(api, [row()], dryrun="true")

    assert errors_of(response) == {"dryrun": ["The dryrun field is not allowed."]}
    assert imported(business) == []


def test_without_a_file(api):
    assert errors_of(post_import(api, None)) == {"contacts_csv": ["The contacts csv field is required."]}
    assert errors_of(api.post(IMPORT, {"contacts_csv": "text"}, format="multipart"))["contacts_csv"]


def test_a_json_body_is_415(api):
    assert api.post(IMPORT, {"contacts_csv": "x"}, format="json").status_code == 415

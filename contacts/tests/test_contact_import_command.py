"""python manage.py import_contacts --business ID --user USERNAME FILE [--dry-run] [--json] (operations.md)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contacts.models import Contact
from contacts.tests.helpers import activities_of, footprint
from contacts.tests.import_files import csv_bytes, ods_bytes, row, supplier
from core.tests.factories import make_user


@pytest.fixture
def clerk(business):
    return make_user(business, "customer.create", "supplier.create", username="clerk")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contacts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_contacts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


def file_of(tmp_path, content: bytes, name="contacts.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def imported(business):
    return list(Contact.objects.for_business(business).filter(is_default=False).order_by("id"))


def test_imports_as_the_user_and_prints_a_summary(business, clerk, tmp_path):
    path = file_of(tmp_path, csv_bytes([row(opening_balance="10"), supplier()], delimiter=";", bom=True))

    out, err = run("--business", business.pk, "--user", "clerk", path)

    assert out.strip() == (
        "Imported 2 contacts (1 customer, 1 supplier, 0 both); 1 opening balances totalling 10.0000."
    )
    contacts = imported(business)
    assert [c.created_by for c in contacts] == [clerk, clerk]
    assert [a.description for a in activities_of(contacts[0])] == ["imported"]
    assert "Checking rows" in err  # the progress bar, on stderr


def test_json_prints_one_summary_object(business, clerk, tmp_path):
    path = file_of(tmp_path, ods_bytes([row(), row(type=3, pay_term_number=1, pay_term_type="days")]), "c.ods")

    out, _ = run("--business", business.pk, "--user", "clerk", path, "--json")

    assert json.loads(out) == {
        "dry_run": False,
        "imported": 2,
        "contacts": 2,
        "by_type": {"customer": 1, "supplier": 0, "both": 1},
        "opening_balances": 0,
        "opening_balance_total": 0,
        "opening_balance_by_type": {"customer": 0, "supplier": 0, "both": 0},
        "errors": {},
    }
    assert '"opening_balance_total":0.0000' in out  # exact decimals, as the API writes them


def test_dry_run_writes_nothing(business, clerk, tmp_path):
    before = footprint(business)
    out, _ = run("--business", business.pk, "--user", "clerk", file_of(tmp_path, csv_bytes([row()])), "--dry-run")

    assert out.startswith("Would import 1 contacts") and "Nothing was written (dry run)." in out
    assert footprint(business) == before


def test_errors_go_to_stderr_one_line_each_and_nothing_is_written(business, clerk, tmp_path):
    before = footprint(business)
    path = file_of(tmp_path, csv_bytes([row(email="bad"), row(type="", mobile="")]))

    out, err, reason = fails("--business", business.pk, "--user", "clerk", path)

    assert out == ""
    lines = [line for line in err.splitlines() if line.startswith("row ")]
    assert lines == [
        "row 1, email: Invalid email id in row no. 1",
        "row 2, type: Contact type is required in row no. 2",
        "row 2, mobile: Mobile number is required in row no. 2",
    ]
    assert reason == "The file has 3 errors in 2 rows; nothing was imported."
    assert footprint(business) == before


def test_errors_with_json_are_in_the_one_object(business, clerk, tmp_path):
    path = file_of(tmp_path, csv_bytes([row(email="bad")]))

    out, err, _ = fails("--business", business.pk, "--user", "clerk", path, "--json")

    assert json.loads(out) == {
        "imported": 0,
        "dry_run": False,
        "errors": {"rows.1.email": ["Invalid email id in row no. 1"]},
    }
    assert "row 1, email: Invalid email id in row no. 1" in err


def test_the_users_rights_per_type_apply(business, tmp_path):
    make_user(business, "customer.create", username="sales")
    path = file_of(tmp_path, csv_bytes([row(), supplier()]))

    _, err, reason = fails("--business", business.pk, "--user", "sales", path)

    assert "row 2, type: Creating supplier contacts needs supplier.create (row no. 2)" in err
    assert reason == "Unauthorized"
    assert imported(business) == []


def test_a_file_error_is_one_line(business, clerk, tmp_path):
    _, err, reason = fails("--business", business.pk, "--user", "clerk", file_of(tmp_path, b"", "c.csv"))
    assert "file: The contacts csv file is empty." in err
    assert reason == "The contacts csv file is empty."


def test_bad_arguments(business, other_business, clerk, tmp_path, settings):
    path = file_of(tmp_path, csv_bytes([row()]))
    assert fails("--business", 999999, "--user", "clerk", path)[2] == "No business with id 999999."
    assert "No active user 'clerk' in business" in fails("--business", other_business.pk, "--user", "clerk", path)[2]
    assert fails("--business", business.pk, "--user", "clerk", tmp_path / "missing.csv")[2].startswith("No such file")
    settings.ERP_ENFORCE_PACKAGES = True
    business.subscription_status = "expired"
    business.save()
    assert "subscription is not active" in fails("--business", business.pk, "--user", "clerk", path)[2]
    assert imported(business) == []

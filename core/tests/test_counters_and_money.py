import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection

from core.money import format_currency, round_money
from core.services.counters import next_count, yearly_reference


def test_counters_count_per_business_and_type(business, other_business):
    assert [next_count(business, "sell_payment") for _ in range(3)] == [1, 2, 3]
    assert next_count(business, "purchase") == 1
    assert next_count(other_business, "sell_payment") == 1


def test_yearly_reference_format():
    assert yearly_reference("SP", 7, year=2026) == "SP2026/0007"
    assert yearly_reference("", 12345, year=2026) == "2026/12345"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_counters_never_share_a_number():
    from core.tests.factories import make_business

    business = make_business(name="Race", walk_in=False)
    numbers, errors = [], []

    def take():
        try:
            for _ in range(5):
                numbers.append(next_count(business, "race"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 41))


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("-2.345", 2, "-2.35"), ("10.5", 0, "11"), ("1.23456", 4, "1.2346")],
)
def test_round_money_is_half_up(value, precision, expected):
    assert round_money(Decimal(value), precision) == Decimal(expected)


def _business(**kwargs):
    defaults = {
        "currency_symbol": "$",
        "currency_symbol_placement": "before",
        "currency_precision": 2,
        "thousand_separator": ",",
        "decimal_separator": ".",
    }
    return SimpleNamespace(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("amount", "options", "text"),
    [
        ("1234.5", {}, "$ 1,234.50"),
        ("-12", {}, "$ -12.00"),
        ("1234567.891", {}, "$ 1,234,567.89"),
        (
            "1234.5",
            {
                "currency_symbol": "€",
                "currency_symbol_placement": "after",
                "thousand_separator": ".",
                "decimal_separator": ",",
            },
            "1.234,50 €",
        ),
        ("1234", {"currency_symbol": "¥", "currency_precision": 0}, "¥ 1,234"),
        ("0.005", {}, "$ 0.01"),
    ],
)
def test_format_currency(amount, options, text):
    assert format_currency(Decimal(amount), _business(**options)) == text

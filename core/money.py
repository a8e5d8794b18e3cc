"""Money: Decimal only, explicit half-up rounding, one formatter for the business currency."""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

MONEY = {"max_digits": 22, "decimal_places": 4}
# The scale every amount and quantity is written at on the wire and in exports (RULES §10).
WIRE_PLACES = MONEY["decimal_places"]
WIRE_QUANTUM = Decimal(1).scaleb(-WIRE_PLACES)
# Wide enough for any value a database can hand back (a SQLite float, a PostgreSQL sum of many rows).
_WIRE_CONTEXT = Context(prec=80, rounding=ROUND_HALF_UP)
_WIRE_ZERO = Decimal(0).quantize(WIRE_QUANTUM)
# Every stored amount stays below this (18 integer digits).
MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
# Quantities of stock: the same exact decimal, 4 places.
QUANTITY = {"max_digits": 22, "decimal_places": 4}

# Symbol and minor-unit precision of the currencies offered at set-up; any other ISO code
# is accepted with the code itself as its symbol and a precision of 2.
CURRENCIES: dict[str, tuple[str, int]] = {
    "USD": ("$", 2),
    "EUR": ("€", 2),
    "GBP": ("£", 2),
    "INR": ("₹", 2),
    "JPY": ("¥", 0),
    "CNY": ("¥", 2),
    "AUD": ("A$", 2),
    "CAD": ("C$", 2),
    "CHF": ("CHF", 2),
    "SEK": ("kr", 2),
    "NOK": ("kr", 2),
    "DKK": ("kr", 2),
    "PLN": ("zł", 2),
    "BRL": ("R$", 2),
    "MXN": ("$", 2),
    "ZAR": ("R", 2),
    "NGN": ("₦", 2),
    "KES": ("KSh", 2),
    "AED": ("د.إ", 2),
    "SAR": ("﷼", 2),
    "PKR": ("₨", 2),
    "BDT": ("৳", 2),
    "IDR": ("Rp", 2),
    "PHP": ("₱", 2),
    "SGD": ("S$", 2),
    "NZD": ("NZ$", 2),
    "KRW": ("₩", 0),
    "TRY": ("₺", 2),
}


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Never let binary floating point into a calculation: go through its shortest repr.
        return Decimal(repr(value))
    return Decimal(str(value))


def db_decimal(value) -> Decimal:
    """Database sums as exact decimals (SQLite hands back floats; quantising to the stored 4 places undoes
    their binary noise)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(WIRE_QUANTUM)


def wire_decimal(value: Decimal) -> Decimal:
    """An amount at the stored scale, 4 places (`5.2` -> `5.2000`, `28.00000000` -> `28.0000`), rounded half-up.

    The one output conversion of money: JSON, CSV, XLSX and admin columns all write amounts through it, whatever
    scale the database or a calculation produced."""
    quantized = value.quantize(WIRE_QUANTUM, context=_WIRE_CONTEXT)
    return quantized if quantized else _WIRE_ZERO  # never "-0.0000"


def wire_text(value: Decimal) -> str:
    return str(wire_decimal(value))


def check_storable(total: Decimal, *, field: str, what: str) -> None:
    """A stored total (an advance balance, an account balance) must fit the money column, or the write that would
    take it there is a 422 naming the amount sent."""
    if abs(total) >= MONEY_LIMIT:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            {field: [f"This would take {what} to {wire_text(total)}; amounts must stay below {MONEY_LIMIT:,.0f}."]}
        )


def round_money(value, precision: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-precision)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def format_currency(value, business) -> str:
    """`$ 1,234.50`, `$ -12.00`, or `1.234,50 €` with the business's separators and placement."""
    return currency_formatter(business)(value)


def currency_formatter(business) -> Callable[[object], str]:
    """format_currency for one business, its settings read once: an export formats an amount on every line."""
    precision = business.currency_precision
    quantum = Decimal(1).scaleb(-precision)
    spec = f",.{precision}f"
    thousands, point, symbol = business.thousand_separator, business.decimal_separator, business.currency_symbol
    after = business.currency_symbol_placement == "after"

    def format_amount(value) -> str:
        amount = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
        sign = "-" if amount < 0 else ""
        whole, _, fraction = format(abs(amount), spec).partition(".")
        number = f"{sign}{whole.replace(',', thousands)}{point + fraction if fraction else ''}"
        return f"{number} {symbol}" if after else f"{symbol} {number}"

    return format_amount

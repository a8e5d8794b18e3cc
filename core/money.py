"""Money: Decimal only, explicit half-up rounding, one formatter for the business currency."""

from decimal import ROUND_HALF_UP, Decimal

MONEY = {"max_digits": 22, "decimal_places": 4}
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


def round_money(value, precision: int = 2) -> Decimal:
    quantum = Decimal(1).scaleb(-precision)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def format_currency(value, business) -> str:
    """`$ 1,234.50`, `$ -12.00`, or `1.234,50 €` with the business's separators and placement."""
    amount = round_money(value, business.currency_precision)
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,.{business.currency_precision}f}"
    whole, _, fraction = digits.partition(".")
    whole = whole.replace(",", business.thousand_separator)
    number = f"{sign}{whole}{business.decimal_separator + fraction if fraction else ''}"
    if business.currency_symbol_placement == "after":
        return f"{number} {business.currency_symbol}"
    return f"{business.currency_symbol} {number}"

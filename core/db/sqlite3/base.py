"""Django's SQLite backend, reading decimals without ever raising.

SQLite keeps numbers as binary doubles (15 significant digits). Django's converter quantizes a column to its
declared scale inside a context of `max_digits`, which raises `InvalidOperation` for any stored value at or past
10^(max_digits - decimal_places), such as a sum or a row written before the API refused 16-digit amounts. Here the
same conversion runs in a context wide enough for any double, so reading a stored row never fails; the API
refuses what SQLite cannot hold exactly before it is written (core.api.fields.ExactDecimal)."""

import decimal

from django.db.backends.sqlite3 import base, operations
from django.db.models.expressions import Col

_WIDE = decimal.Context(prec=400)
_FIFTEEN = decimal.Context(prec=15).create_decimal_from_float


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression):
        if isinstance(expression, Col):
            quantum = decimal.Decimal(1).scaleb(-expression.output_field.decimal_places)

            def converter(value, expression, connection):
                if value is not None:
                    return _FIFTEEN(value).quantize(quantum, context=_WIDE)

        else:

            def converter(value, expression, connection):
                if value is not None:
                    return _FIFTEEN(value)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

"""Helpers for the raw SQL the ledger engine and the reports run: parameters the adapter understands and one
way to search text."""

from django.db import connection


def db_datetimes(*moments) -> list:
    """Datetimes as the database adapter wants them in raw SQL (SQLite compares text: UTC, its own format)."""
    return [connection.ops.adapt_datetimefield_value(moment) for moment in moments]


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE ... ESCAPE '\\'`, upper-cased, with the wildcards the user typed taken literally."""
    escaped = text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_any_sql(columns, text: str) -> tuple[list[str], list]:
    """Case-insensitive "contains `text`" over each column: one condition per column (OR them) and its
    parameters. Non-ASCII letters fold too: PostgreSQL's UPPER follows the database's UTF-8 ctype, and on
    SQLite `UPPER` is replaced by Python's (see `register_sqlite_functions`)."""
    pattern = like_pattern(text)
    conditions = [f"UPPER(COALESCE({column}, '')) LIKE %s ESCAPE '\\'" for column in columns]
    return conditions, [pattern] * len(conditions)


def _unicode_upper(value):
    return value.upper() if isinstance(value, str) else value


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite's built-in UPPER folds ASCII only; give it Python's so "müller" finds "Müller" as on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UPPER", 1, _unicode_upper, deterministic=True)

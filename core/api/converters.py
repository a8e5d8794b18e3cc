from django.urls import register_converter

from core.api.serializers import MAX_ID


class IdConverter:
    """`<id:pk>` in API routes: a record id that fits 64 bits; anything else is simply not a route (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("not a record id")
        return number

    def to_url(self, value) -> str:
        return str(value)


def register():
    register_converter(IdConverter, "id")

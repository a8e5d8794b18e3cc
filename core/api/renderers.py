"""The JSON of the API: money written as the exact decimal it is (never through a float), read back the same way."""

import codecs
from decimal import Decimal

import simplejson
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OTHER_TYPES = JSONEncoder()  # dates, lazy strings, UUIDs... as DRF writes them


class ExactJSONEncoder(simplejson.JSONEncoder):
    """Decimals are written with all their digits (`use_decimal`); everything else as DRF does."""

    def default(self, o):
        return _OTHER_TYPES.default(o)


def json_dumps(value, **options) -> str:
    options.setdefault("separators", (",", ":"))
    return simplejson.dumps(
        value, cls=ExactJSONEncoder, use_decimal=True, ensure_ascii=False, allow_nan=False, **options
    )


class JsonRenderer(JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        text = json_dumps(data, indent=indent) if indent else json_dumps(data)
        # Fully escaped line and paragraph separators keep the output a strict JavaScript subset.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


class ExactJSONParser(JSONParser):
    """JSON numbers with a fraction are read as Decimal, so "1234567890123456.78" keeps its last digits."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return simplejson.load(codecs.getreader(encoding)(stream), parse_float=Decimal, allow_nan=False)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class AlwaysJsonNegotiation(DefaultContentNegotiation):
    """The API answers JSON whatever the Accept header says; exports are chosen with `format=`."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

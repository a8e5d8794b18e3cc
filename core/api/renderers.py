"""The JSON of the API: money written as the exact decimal it is (never through a float), at the stored scale, and
read back the same way."""

import codecs
from decimal import Decimal
from types import SimpleNamespace

import simplejson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from core.money import wire_text

_OTHER_TYPES = JSONEncoder()  # dates, lazy strings, UUIDs... as DRF writes them

#: How deep a request body may nest arrays and objects: far more than any endpoint takes, far less than the
#: interpreter's recursion limit, so no body can exhaust the stack of the code that reads it.
MAX_BODY_DEPTH = 32


class ExactJSONEncoder(simplejson.JSONEncoder):
    """Decimals are written at the stored scale, 4 places, with all their digits (RULES §10: `12.5` is
    `12.5000`, whatever scale the database or a calculation produced); everything else as DRF does."""

    def default(self, o):
        if isinstance(o, Decimal):
            return simplejson.RawJSON(wire_text(o))
        return _OTHER_TYPES.default(o)


def json_dumps(value, **options) -> str:
    options.setdefault("separators", (",", ":"))
    # use_decimal=False: Decimals reach default() above, which writes them at 4 places.
    return simplejson.dumps(
        value, cls=ExactJSONEncoder, use_decimal=False, ensure_ascii=False, allow_nan=False, **options
    )


class JsonRenderer(JSONRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        text = json_dumps(data, indent=indent) if indent else json_dumps(data)
        # Fully escaped line and paragraph separators keep the output a strict JavaScript subset; a lone
        # surrogate (which only an echoed request can contain) is written as its JSON escape, not as bad UTF-8.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode("utf-8", "backslashreplace")


def nesting_depth(value) -> int:
    """How deep arrays and objects nest in a parsed body (iteratively: the check itself cannot recurse)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_BODY_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class ExactJSONParser(JSONParser):
    """JSON numbers with a fraction are read as Decimal, so "1234567890123456.78" keeps its last digits.

    The body is read up to DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond it) and may nest MAX_BODY_DEPTH levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        try:
            value = simplejson.loads(codecs.decode(raw, encoding), parse_float=Decimal, allow_nan=False)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_BODY_DEPTH} levels") from None
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(value) > MAX_BODY_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_BODY_DEPTH} levels")
        return value


class FormatNegotiation(DefaultContentNegotiation):
    """`?format=` (DRF's URL_FORMAT_OVERRIDE) picks the view's renderer of that format: csv, xlsx. Without one, the
    API answers JSON whatever the Accept header says. A format no renderer has (`json`, `format_2`, `pdf`, empty) is
    answered by the first renderer, JSON, and left to the view's query contract: an unknown value is its 422, never
    DRF's 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if wanted:
            for renderer in renderers:
                if renderer.format == wanted:
                    return renderer, renderer.media_type
        return self.unformatted(request, renderers, format_suffix)

    def unformatted(self, request, renderers, format_suffix):
        return renderers[0], renderers[0].media_type


class AcceptNegotiation(DefaultContentNegotiation):
    """DRF's negotiation by the Accept header alone."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class SchemaNegotiation(FormatNegotiation):
    """The schema answers YAML by default, JSON for `?format=json` or an Accept header that asks for JSON."""

    def unformatted(self, request, renderers, format_suffix):
        return AcceptNegotiation().select_renderer(request, renderers, format_suffix)

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer


class JsonRenderer(JSONRenderer):
    charset = "utf-8"


class AlwaysJsonNegotiation(DefaultContentNegotiation):
    """The API answers JSON whatever the Accept header says; exports are chosen with `format=`."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

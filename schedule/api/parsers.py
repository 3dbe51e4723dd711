"""JSON that nests too deeply is a 400, like any other JSON the parser cannot read.

Python's JSON decoder recurses once per level: a body of 100,000 ``[`` raises
RecursionError, which is not a ValueError, so DRF's parser let it through as a 500.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the data is nested too deeply.") from None

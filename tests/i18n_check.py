"""Finders of user-facing English that is not marked for translation, and a reader of
gettext catalogues; used by tests/test_i18n.py.

Templates: the text a visitor reads (text nodes and the attributes that are read
aloud or shown: title, alt, placeholder, aria-label...) must come from a variable or a
``{% translate %}``/``{% blocktranslate %}`` tag (``{{ _("...") }}`` in Jinja2).
Python: string literals handed to the places whose text reaches a visitor (messages,
ValidationError, HTTP bodies, form labels, admin descriptions, dicts of labels and
errors) must go through gettext. A few words that are the same in every language
(the product's name) are allowed.
"""

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

LETTER = re.compile(r"[^\W\d_]")
SLOT = "\ue000"  # stands for a variable's value in a template's text
# Names that read the same in every language.
ALLOWED_WORDS = re.compile(r"\b(Lineup|iCal|JSON|XML|frab|API|Mastodon|GitHub|LinkedIn)\b")
READ_ATTRIBUTES = {
    "title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription",
    "aria-valuetext", "label", "data-confirm",
}  # fmt: skip
GETTEXT_NAMES = {
    "_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy", "gettext_noop",
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _needs_translation(text: str) -> bool:
    return bool(LETTER.search(ALLOWED_WORDS.sub("", text.replace(SLOT, " "))))


def _looks_like_text(text: str) -> bool:
    """For string arguments in tags and filters: words (a space or a capital), not a
    code such as "md" or "lg"."""
    return _needs_translation(text) and (" " in text.strip() or text[:1].isupper())


class _Skeleton(HTMLParser):
    """Collects unmarked text from HTML whose template parts are already taken out."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path, self.found, self.raw = path, [], 0

    def _line(self) -> int:
        return self.getpos()[0]

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw += 1
        button = tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")
        for name, value in attrs:
            shown = name in READ_ATTRIBUTES or (button and name == "value")
            if shown and value and _needs_translation(value):
                self.found.append(Finding(self.path, self._line(), value.replace(SLOT, "{…}")))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.raw:
            self.raw -= 1

    def handle_data(self, data):
        if not self.raw and _needs_translation(data):
            text = data.strip().replace(SLOT, "{…}")
            self.found.append(Finding(self.path, self._line(), text))


# Django templates ---------------------------------------------------------------

_STRING = re.compile(r"""(["'])((?:(?!\1).)*)\1""")
# Filters and tags whose string arguments are shown as they are.
_SHOWN_FILTER = re.compile(r"""\|(?:default|default_if_none|yesno)\s*:\s*(["'])(.*?)\1""")


def django_template(path: Path, root: Path) -> list[Finding]:
    name = str(path.relative_to(root))
    source = path.read_text()
    found: list[Finding] = []
    skeleton: list[str] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type == TokenType.TEXT:
            skeleton.append(token.contents)
        elif token.token_type == TokenType.VAR:
            for _quote, text in _SHOWN_FILTER.findall(token.contents):
                if _looks_like_text(text):
                    found.append(Finding(name, token.lineno, text))
            literal = _STRING.fullmatch(token.contents.split("|")[0].strip())
            if literal and _needs_translation(literal.group(2)):
                found.append(Finding(name, token.lineno, literal.group(2)))
            skeleton.append(SLOT)
        elif token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0]
            if tag in ("blocktranslate", "blocktrans"):
                skip_until = "end" + tag
                skeleton.append(SLOT)
            elif tag in ("comment", "verbatim"):
                skip_until = "end" + tag
            elif tag == "block" and token.contents.split()[1].endswith("class"):  # class names
                skip_until = "endblock"
            elif tag in ("translate", "trans"):
                skeleton.append(SLOT)
            elif tag in ("include", "with") and " with " in f" {token.contents} ":
                # {% include "x.html" with label="Shown text" %}: shown, so marked.
                for key, _quote, text in re.findall(r"""(\w+)=(["'])(.*?)\2""", token.contents):
                    if key not in ("class", "id", "name") and _looks_like_text(text):
                        found.append(Finding(name, token.lineno, text))
    parser = _Skeleton(name)
    parser.feed("".join(skeleton))
    parser.close()
    return found + parser.found


# Jinja2 templates -----------------------------------------------------------------


def jinja_template(path: Path, root: Path, environment) -> list[Finding]:
    name = str(path.relative_to(root))
    found: list[Finding] = []
    skeleton: list[str] = []
    in_variable = False
    recent: list[tuple[str, str]] = []  # the variable's tokens so far
    for lineno, kind, value in environment.lex(path.read_text()):
        if kind == "data":
            skeleton.append(value)
        elif kind == "variable_begin":
            in_variable, recent = True, []
            skeleton.append(SLOT)
        elif kind == "variable_end":
            in_variable = False
        elif in_variable:
            if kind == "string" and not _in_call(recent, GETTEXT_NAMES | NAMING_CALLS):
                text = ast.literal_eval(value)
                if _needs_translation(text):
                    found.append(Finding(name, lineno, text))
            recent.append((kind, value))
    parser = _Skeleton(name)
    parser.feed("".join(skeleton))
    parser.close()
    return found + parser.found


# Calls whose string arguments name something rather than show it (config/jinja2.py):
# a static file's path, a route, a Django template.
NAMING_CALLS = {"static", "url", "django"}


def _in_call(tokens: list[tuple[str, str]], names: set[str]) -> bool:
    """Whether the innermost open call of these tokens is one of ``names``."""
    depth = 0
    for index in range(len(tokens) - 1, -1, -1):
        kind, value = tokens[index]
        if kind == "operator" and value == ")":
            depth += 1
        elif kind == "operator" and value == "(":
            if depth == 0:
                return index > 0 and tokens[index - 1][1] in names
            depth -= 1
    return False


# Python -------------------------------------------------------------------------

# Calls whose (first) string arguments reach a visitor or an organizer.
SINK_CALLS = {
    "success", "error", "warning", "info", "add_message", "message_user",
    "ValidationError", "ParseError", "NotFound", "PermissionDenied", "APIException",
    "HttpResponse", "HttpResponseBadRequest", "HttpResponseForbidden",
    "HttpResponseNotFound", "HttpResponseGone", "BoardError", "StaleChange",
    "ImportProblem", "AgendaRefused", "BodyTooLarge", "Throttled", "note",
}  # fmt: skip
# Keyword arguments (anywhere) and class attributes that are shown.
SHOWN_NAMES = {
    "label", "help_text", "verbose_name", "verbose_name_plural", "description",
    "empty_label", "empty_value_display", "short_description", "title", "message",
    "default_detail", "placeholder", "site_header", "site_title", "index_title",
    "detail", "error", "hint", "heading",
}  # fmt: skip
# A sentence kept in a name (MESSAGE = "Too many tries; wait a minute.") is shown later.
SENTENCE = re.compile(r"[A-Za-z]+ [a-z]+ [a-z]+.*[.!?]$")
# Dict keys whose values are shown (error bodies, labels handed to templates).
SHOWN_KEYS = SHOWN_NAMES | {"status_text", "summary", "text", "reason", "problem"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _needs_translation(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):  # "..." % x, "..." + x
        return _is_text(node.left) or _is_text(node.right)
    return False


def _text_of(node: ast.AST) -> str:
    return ast.unparse(node)[:80]


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


# Not read by visitors or organizers in their language: log lines (for operators) and the
# API's OpenAPI reference, which is English like the API's own field names.
SKIPPED_RECEIVERS = {"logger", "log", "logging"}
SKIPPED_CALLS = {"OpenApiResponse", "OpenApiParameter", "OpenApiExample", "extend_schema"}
SKIPPED_CALLS |= {"extend_schema_view", "extend_schema_field", "extend_schema_serializer"}


def _shown_parts(node: ast.AST) -> list[ast.AST]:
    """An error's text, also inside {"field": ["message", ...]} (DRF's field errors)."""
    if isinstance(node, ast.Dict):
        return [part for value in node.values for part in _shown_parts(value)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [part for item in node.elts for part in _shown_parts(item)]
    return [node]


def _html_words(node: ast.AST, name: str) -> list[Finding]:
    """The words in format_html's template (its {} are values, marked where they are made)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return []
    parser = _Skeleton(name)
    parser.feed(node.value.replace("{}", SLOT))
    parser.close()
    return [Finding(name, node.lineno, f.text) for f in parser.found]


def _adds_a_note(node: ast.Call) -> bool:
    """notes.append(...), self.notes.append(...): an import's repair note, shown."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("append", "insert")):
        return False
    receiver = func.value
    return getattr(receiver, "id", None) == "notes" or getattr(receiver, "attr", None) == "notes"


def _skipped(node: ast.Call) -> bool:
    func = node.func
    receiver = getattr(func.value, "id", None) if isinstance(func, ast.Attribute) else None
    return receiver in SKIPPED_RECEIVERS or _call_name(node) in SKIPPED_CALLS


def python_file(path: Path, root: Path) -> list[Finding]:
    name = str(path.relative_to(root))
    tree = ast.parse(path.read_text(), filename=name)
    found: list[Finding] = []

    def flag(node: ast.AST) -> None:
        if _is_text(node):
            found.append(Finding(name, node.lineno, _text_of(node)))

    skipped: set[int] = set()  # ids of the nodes inside a skipped call
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _skipped(node):
            skipped |= {id(inner) for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Call):
            called = _call_name(node)
            if called == "format_html" and node.args:
                found += _html_words(node.args[0], name)
            if called in GETTEXT_NAMES or called in ("format_html", "format_lazy"):
                continue
            if called in SINK_CALLS or _adds_a_note(node):
                for arg in node.args[:3]:
                    for shown in _shown_parts(arg):
                        flag(shown)
            for keyword in node.keywords:
                if keyword.arg in SHOWN_NAMES:
                    flag(keyword.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in SHOWN_KEYS:
                    example = key.value == "placeholder" and isinstance(value, ast.Constant)
                    if not (example and " " not in str(value.value)):  # "#0b5cad", a URL
                        flag(value)
        elif isinstance(node, ast.Assign):
            value = node.value
            sentence = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if sentence and SENTENCE.match(value.value.strip()):
                flag(value)
                continue
            for target in node.targets:
                attr = target.attr if isinstance(target, ast.Attribute) else None
                named = target.id if isinstance(target, ast.Name) else attr
                if named in SHOWN_NAMES:
                    flag(node.value)
                elif named == "fieldsets" and isinstance(node.value, ast.List):
                    for fieldset in node.value.elts:  # (title, {...}): the admin shows titles
                        if isinstance(fieldset, ast.Tuple) and fieldset.elts:
                            flag(fieldset.elts[0])
    return found


# Catalogues ---------------------------------------------------------------------


@dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    strings: list[str]
    fuzzy: bool
    line: int

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ones and the header left out).

    Entries are the blocks between blank lines, as makemessages writes them.
    """
    entries: list[Entry] = []
    text = path.read_text()
    line_number = 1
    for block in text.split("\n\n"):
        start = line_number
        line_number += block.count("\n") + 2
        fields: dict[str, str] = {}
        flags: set[str] = set()
        current = None
        for raw in block.strip().splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
            elif line:
                current, _, value = line.partition(" ")
                fields[current] = _unquote(value)
        if fields.get("msgid"):
            strings = [fields[k] for k in sorted(fields) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    fields.get("msgctxt"),
                    fields["msgid"],
                    fields.get("msgid_plural"),
                    strings,
                    "fuzzy" in flags,
                    start,
                )
            )
    return entries

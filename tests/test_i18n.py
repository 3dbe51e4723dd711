"""Lineup in the visitor's language: nothing shown unmarked, every catalogue complete.

The page behaviour (language from the browser, the switcher, dates, cache per
language) is tested in tests/events/test_languages.py.
"""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

from tests import i18n_check

ROOT = Path(settings.BASE_DIR)
PYTHON_DIRS = ("config", "events", "schedule", "speakers", "lib")
# Not shown to visitors or organizers on a page: terminal output of commands, and the
# demo's conference content (data, like what organizers write).
PYTHON_SKIPPED = ("migrations", "management", "demo")
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]


def _django_templates() -> list[Path]:
    jinja = ROOT / "templates" / "jinja2"
    return sorted(p for p in (ROOT / "templates").rglob("*.html") if jinja not in p.parents)


def _python_files() -> list[Path]:
    files = []
    for folder in PYTHON_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if not any(part in PYTHON_SKIPPED for part in path.relative_to(ROOT).parts):
                files.append(path)
    return files


def _report(findings) -> str:
    return "unmarked for translation:\n" + "\n".join(str(f) for f in findings)


def test_templates_mark_every_word_they_show():
    findings = []
    for path in _django_templates():
        findings += i18n_check.django_template(path, ROOT)
    env = engines["jinja2"].env
    for path in sorted((ROOT / "templates" / "jinja2").rglob("*.jinja")):
        findings += i18n_check.jinja_template(path, ROOT, env)
    assert not findings, _report(findings)


def test_python_marks_every_message_it_shows():
    findings = []
    for path in _python_files():
        findings += i18n_check.python_file(path, ROOT)
    assert not findings, _report(findings)


def test_the_checker_finds_unmarked_words(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Schedule" %}</h1>\n'
        "<p>{% blocktranslate with n=count %}{{ n }} talks{% endblocktranslate %}</p>\n"
        "{# a comment #}<p>{{ session.title }} · {{ room }}</p><p>Lineup</p>\n"
        '<a title="Open the grid" href="/">{{ x|default:"None yet" }}</a>\n'
        '<input type="submit" value="Save"><span aria-label="{% translate "Day" %}">x</span>\n'
        "<p>Happening {{ when }} now</p>\n"
    )
    found = [f.text for f in i18n_check.django_template(page, tmp_path)]
    assert sorted(found) == sorted(["None yet", "Open the grid", "Save", "x", "Happening {…} now"])

    rows = tmp_path / "rows.jinja"
    rows.write_text(
        '<p>{{ _("Cancelled") }} {{ row.type or "Break" }}</p><b>{{ row.title }}</b><i>Room</i>'
        '<a href="{{ url("event_list") }}"><img src="{{ static("logo.svg") }}" alt=""></a>'
    )
    env = engines["jinja2"].env
    assert [f.text for f in i18n_check.jinja_template(rows, tmp_path, env)] == ["Break", "Room"]

    module = tmp_path / "views.py"
    module.write_text(
        "from django.contrib import messages\n"
        "def view(request, n):\n"
        '    messages.success(request, _("Saved."))\n'
        '    messages.error(request, f"{n} sessions refused.")\n'
        '    raise ValidationError("Too long" % n)\n'
        'FIELD = dict(label="Room", help_text=_("Where"), name="room")\n'
        'ERRORS = {"detail": "Unknown track.", "code": "unknown", "title": gettext("Fine")}\n'
        'REFUSED = "Too many tries from here; wait a minute."\n'
        'PATTERN = "%(value)s"\n'
        'self.notes.append(f"line {n}: a link was left out.")\n'
        'fieldsets = [(None, {}), ("On your site", {}), (_("Kind"), {})]\n'
        'LINK = format_html(\'<a href="{}">Board</a> {}\', url, _("Sessions"))\n'
    )
    found = sorted((f.line, f.text) for f in i18n_check.python_file(module, tmp_path))
    assert found == [
        (4, "f'{n} sessions refused.'"),
        (5, "'Too long' % n"),
        (6, "'Room'"),
        (7, "'Unknown track.'"),
        (8, "'Too many tries from here; wait a minute.'"),
        (10, "f'line {n}: a link was left out.'"),
        (11, "'On your site'"),
        (12, "Board"),
    ]


def _catalogues() -> list[Path]:
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def test_every_language_ships_its_catalogues():
    shipped = {path.parts[-3] for path in _catalogues()}
    assert shipped == set(TRANSLATED)
    for code in TRANSLATED:
        assert (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_translated_whole_and_compiled(code):
    for po in sorted((ROOT / "locale" / code / "LC_MESSAGES").glob("*.po")):
        entries = i18n_check.read_po(po)
        assert entries, po
        fuzzy = [e.msgid for e in entries if e.fuzzy]
        untranslated = [e.msgid for e in entries if not all(e.strings)]
        assert not fuzzy, f"{po}: fuzzy entries {fuzzy}"
        assert not untranslated, f"{po}: untranslated entries {untranslated}"
        # The committed .mo holds exactly these translations (make compilemessages).
        with po.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
        expected = {}
        for e in entries:
            msgid = f"{e.context}\x04{e.msgid}" if e.context else e.msgid
            if e.plural is None:
                expected[msgid] = e.strings[0]
            else:
                for index, string in enumerate(e.strings):
                    expected[(msgid, index)] = string
        compiled = {k: v for k, v in compiled.items() if k != ""}
        assert compiled == expected, f"{po}: the .mo is stale: make compilemessages"


def test_catalogues_hold_every_marked_string(tmp_path):
    """What makemessages collects from the sources now is what each catalogue holds.

    Needs GNU gettext's xgettext (scripts/install-test-deps.sh installs it)."""
    for folder in (*PYTHON_DIRS, "templates", "static/js"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("vendor"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    (tmp_path / "locale").mkdir()
    for domain, extensions in (("django", "html,py,jinja"), ("djangojs", "js")):
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "de", "-d", domain]
            + ["-e", extensions],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings"},
        )
        fresh = tmp_path / "locale" / "de" / "LC_MESSAGES" / f"{domain}.po"
        wanted = {e.key for e in i18n_check.read_po(fresh)} if fresh.exists() else set()
        for code in TRANSLATED:
            shipped_po = ROOT / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
            shipped = {e.key for e in i18n_check.read_po(shipped_po)} if wanted else set()
            assert shipped == wanted, (
                f"{shipped_po} is behind the sources (make messages, then translate): "
                f"missing {sorted(wanted - shipped, key=str)[:20]}, "
                f"stale {sorted(shipped - wanted, key=str)[:20]}"
            )

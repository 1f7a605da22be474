"""The az and ru catalogs cover every string in the templates and code, and the .mo files match.

`make messages` is run in a copy of the project, so that the test sees exactly what a translator
would after pulling: any msgid that is new (empty) or changed (fuzzy) since the catalogs were last
translated fails here, named. It needs GNU gettext (msgfmt, msgattrib), as the Makefile does.
"""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import needs

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["az", "ru"]

# Translations that are rightly the same as the English: proper names and technical identifiers,
# a range with no words, and words the language shares with English.
SAME_AS_ENGLISH = {
    "az": {"JSON API", "Status", "%(start)s – %(end)s"},
    "ru": {"JSON API", "%(start)s – %(end)s"},
}

# %(name)s placeholders, HTML tags and entities: a translation keeps every one of them.
MARKUP = re.compile(r"%\(\w+\)[sd]|</?[a-z][^>]*>|&\w+;")

NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.pyc", "db.sqlite3*", "staticfiles", "media", "results",
    ".pytest_cache", ".ruff_cache", "node_modules",
)  # fmt: skip


def _po(root, language):
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def _mo(root, language):
    return root / "locale" / language / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def gettext_tools():
    if not (shutil.which("msgfmt") and shutil.which("msgattrib") and shutil.which("make")):
        needs("GNU gettext (msgfmt, for the catalog tests)", "`sudo apt-get install gettext`")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A copy of the project after `make messages` (makemessages, then compilemessages)."""
    copy = tmp_path_factory.mktemp("project") / "main"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    # -o: the copy has no virtualenv; run the target with this interpreter instead of making one.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", "messages",
         f"PY={sys.executable}"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return copy, result


def _msgids(po_file, *msgattrib_options):
    """The msgids msgattrib selects (`--untranslated`, `--only-fuzzy`), header left out."""
    out = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-location", *msgattrib_options, str(po_file)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.findall(r'^msgid "(.*)"$', out, re.MULTILINE)
    return [ast.literal_eval(f'"{msgid}"') for msgid in found if msgid]  # PO escapes are C's


def _catalog(mo_file):
    with open(mo_file, "rb") as f:
        return gettext.GNUTranslations(f)


def test_make_messages_runs_clean(gettext_tools, regenerated):
    _copy, result = regenerated
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    assert "error" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_in_the_templates_and_code_is_translated(gettext_tools, regenerated, language):
    copy, result = regenerated
    assert result.returncode == 0, result.stderr
    po_file = _po(copy, language)
    untranslated = _msgids(po_file, "--untranslated")
    fuzzy = _msgids(po_file, "--only-fuzzy")
    assert not untranslated, f"{language}: missing or empty: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (changed since translated): {fuzzy}"
    # The catalog really holds the project's strings, not an empty file.
    assert len(_catalog(_mo(copy, language))._catalog) > 500


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_file_matches_the_po_file(gettext_tools, tmp_path, language):
    """`make run` uses the committed .mo files, so they must say what the .po files say."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(_po(ROOT, language))], check=True)
    committed = _catalog(_mo(ROOT, language))
    compiled = _catalog(fresh)
    assert committed._catalog == compiled._catalog, "run `make messages` and commit the .mo files"
    assert [committed.plural(n) for n in range(200)] == [compiled.plural(n) for n in range(200)]


def test_russian_has_three_plural_forms():
    ru = _catalog(_mo(ROOT, "ru"))
    assert ru.info()["plural-forms"].startswith("nplurals=3;")
    # день: 1, 21 | дня: 2, 3, 22 | дней: 5, 11, 12, 25, 111
    assert [ru.plural(n) for n in (1, 21, 101, 2, 3, 22, 5, 11, 12, 14, 25, 111)] == [
        0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2
    ]  # fmt: skip
    assert ru.ngettext("%(n)s day", "%(n)s days", 22) == "%(n)s дня"


def test_azerbaijani_has_two_plural_forms():
    az = _catalog(_mo(ROOT, "az"))
    assert az.info()["plural-forms"].startswith("nplurals=2;")
    assert [az.plural(n) for n in (0, 1, 2, 5, 21)] == [1, 0, 1, 1, 1]


def _pairs(catalog):
    """(msgid, translation) for every message and every plural form, header left out."""
    for key, translated in catalog._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1]  # drop a msgctxt
        if msgid:
            yield msgid, translated


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_left_in_english(language):
    catalog = _catalog(_mo(ROOT, language))
    english = sorted(
        msgid
        for msgid, translated in _pairs(catalog)
        if translated.strip() == msgid.strip() and msgid not in SAME_AS_ENGLISH[language]
    )
    assert not english, f"{language}: not translated: {english}"
    empty = sorted(msgid for msgid, translated in _pairs(catalog) if not translated.strip())
    assert not empty, f"{language}: empty: {empty}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    catalog = _catalog(_mo(ROOT, language))
    broken = [
        (msgid, translated)
        for msgid, translated in _pairs(catalog)
        if sorted(MARKUP.findall(translated)) != sorted(MARKUP.findall(msgid))
    ]
    assert not broken, f"{language}: placeholders or markup differ: {broken}"

"""Every public page speaks Azerbaijani under /az/ and Russian under /ru/, with no English left.

"English left" is checked against the catalog itself: for every msgid whose translation differs
from it, the English text (its literal parts of at least MIN_LENGTH characters, so that a short
word does not match by chance) must not appear in what the page shows.
"""

import datetime
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cases import models as m

LOCALE = Path(__file__).resolve().parents[2] / "locale"
MIN_LENGTH = 12
SHOWN_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
HIDDEN = {"script", "style", "code"}
# What is not text in a msgid: placeholders, template variables, code, HTML tags and entities.
NOT_TEXT = re.compile(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|<code>.*?</code>|<[^>]+>|&\w+;")


@pytest.fixture
def world(db, make_detainee, make_event, make_case, make_article, make_source):
    """One plainly fictional published person with a case, a charge, an affiliation and ECHR."""
    journalist = m.Occupation.objects.create(
        slug="journalist", name="journalist", name_az="jurnalist", name_ru="журналист"
    )
    organization = m.Organization.objects.create(slug="fictional-org", name="Fictional Org")
    case = make_case("Fictional public case")
    person = make_detainee("Testname Fictional", gender="female", bio="A fictional person.")
    person.occupations.add(journalist)
    m.Affiliation.objects.create(
        detainee=person, organization=organization, start=datetime.date(2019, 1, 1),
        start_precision=m.Precision.YEAR, end=datetime.date(2023, 4, 1),
        end_precision=m.Precision.MONTH,
    )  # fmt: skip
    membership = m.CaseDefendant.objects.create(case=case, detainee=person)
    m.Charge.objects.create(defendant=membership, article=make_article("206.3.2"), action="brought")
    make_event(person, "detention", "2024-04-29", case=case, refresh=False)
    make_event(person, "remand", "2024-05-01", case=case, term_months=4, refresh=False)
    make_event(person, "release", "2025-03-01", precision=m.Precision.MONTH).sources.add(
        make_source()
    )
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    application = m.EchrApplication.objects.create(
        number="1234/20", title="Fictional v. X", group=group, lodged_on=datetime.date(2020, 1, 7)
    )
    application.applicants.add(person)
    return {"detainee": person, "case": case, "group": group}


def _pages(world):
    return [
        "/",
        "/detainees/",
        "/detainees/?status=released&sort=name",
        f"/detainees/{world['detainee'].slug}/",
        "/cases/",
        f"/cases/{world['case'].slug}/",
        "/echr/",
        f"/echr/groups/{world['group'].slug}/",
        "/stats/",
        "/about/methodology/",
        "/data/",
    ]


class _ShownText(HTMLParser):
    """The text a reader sees (or hears): text nodes and a few attributes.

    Left out: scripts, styles and <code>, which shows identifiers that stay English by design
    (API field names and values, CSV column names, URLs).
    """

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _shown_text(html):
    parser = _ShownText()
    parser.feed(html)
    # `name` marks an identifier in the API schema's descriptions (an enum value), like <code>.
    return re.sub(r"\s+", " ", re.sub(r"`[^`]*`", "", " ".join(parser.parts)))


def _english_strings(language):
    """The English interface texts of at least MIN_LENGTH characters that `language` translates."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    english = set()
    for key, translated in catalog.items():
        msgid = (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        if msgid and translated != msgid:
            for part in NOT_TEXT.split(msgid):
                part = re.sub(r"\s+", " ", part).strip(" .,:;()")
                if len(part) >= MIN_LENGTH:
                    english.add(part)
    # A translation may keep an identifier that is also a msgid ("imprisonment", a CSV value in
    # the data dictionary): such a string on the page proves nothing.
    translations = " ".join(catalog.values())
    return {part for part in english if part not in translations}


def _english_on(text, language):
    return sorted(s for s in _english_strings(language) if s in text)


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_public_page_is_translated(client, world, language):
    for url in _pages(world):
        response = client.get(f"/{language}{url}")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        assert not _english_on(_shown_text(html), language), (url, _english_on(html, language))


def _api_docs(client, language):
    """The API documentation, less the names of its objects (schema identifiers: DetaineeList)."""
    response = client.get("/api/v1/docs/", headers={"accept-language": language})
    assert response.status_code == 200
    html = re.sub(r'<h3 id="schema-[^"]*-title">[^<]*</h3>', "", response.content.decode())
    html = re.sub(r'<a href="#schema-[^"]*">[^<]*</a>', "", html)
    # An enumeration's values in the Type column are identifiers too ("string: released, ...").
    return re.sub(r"\b(?:string|integer): [\w, ]+", "", html)


@pytest.mark.parametrize("language", ["az", "ru"])
def test_api_documentation_follows_accept_language(client, world, language):
    """The API is not language-prefixed: its documentation page follows Accept-Language."""
    html = _api_docs(client, language)
    assert f'<html lang="{language}">' in html
    assert not _english_on(_shown_text(html), language)


def test_api_documentation_is_not_kept_in_the_first_language_asked(client, world):
    _api_docs(client, "az")
    html = _api_docs(client, "ru")
    # The slug parameter's description, in Russian rather than in the Azerbaijani asked first.
    assert "Постоянный идентификатор: последняя часть адреса страницы." in html
    assert "Daimi identifikator" not in html


def test_the_check_finds_english_on_the_english_pages(client, world):
    """The same check on the unprefixed English pages does find the catalog's strings."""
    for url in [*_pages(world), "/api/v1/docs/"]:
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html, url
        assert _english_on(_shown_text(html), "ru"), url

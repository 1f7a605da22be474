"""The public detainee listing: filters, sorts, facet counts, search, pagination, bad input."""

import datetime
import re

import pytest
from django.db import connection

from cases import models as m

D = datetime.date


def names(response):
    return [row.strip() for row in re.findall(r'class="name"[^>]*>([^<]+)<', response.text)]


@pytest.fixture
def world(db, make_detainee, make_event, make_case, make_article):
    """Five fictional published people, one draft and one retracted, with varied facts."""
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    lawyer = m.Occupation.objects.create(slug="lawyer", name="lawyer")
    union = m.Organization.objects.create(slug="fictional-union", name="Fictional Union")
    parent = make_case("Fictional Media case")
    split = make_case("Fictional split case", parent=parent)
    other_case = make_case("Fictional other case")
    hidden_case = make_case("Fictional hidden case", state=m.State.DRAFT)
    smuggling = make_article("206.3.2")
    fraud = make_article("178.1")
    laundering = make_article("193-1.3.1")

    def person(name, *, gender="female", occupations=(), case=None, article=None, events=(),
               state=m.State.PUBLISHED, extra_articles=()):  # fmt: skip
        p = make_detainee(name, gender=gender, state=state)
        p.occupations.set(occupations)
        if case:
            membership = m.CaseDefendant.objects.create(case=case, detainee=p)
            for charged in [article, *extra_articles] if article else []:
                m.Charge.objects.create(defendant=membership, article=charged, action="brought")
        for kind, date, extra in events:
            make_event(p, kind, date, refresh=False, **extra)
        p.refresh_derived()
        return p

    people = {
        "aysel": person(
            "Testname Aysel Məmmədova", occupations=[journalist], case=parent, article=smuggling,
            events=[("detention", "2023-11-20", {}), ("remand", "2023-11-21", {})],
        ),
        "bahruz": person(
            "Testname Bahruz Qasımov", gender="male", occupations=[journalist, lawyer], case=split,
            article=smuggling,
            events=[("detention", "2024-04-29", {}),
                    ("verdict", "2025-06-20", {"sentence_kind": "imprisonment",
                                               "sentence_years": 8})],
        ),
        "ceyhun": person(
            "Testname Ceyhun Xəlilov", gender="male", occupations=[lawyer], case=other_case,
            article=fraud, extra_articles=[laundering],
            events=[("detention", "2020-01-10", {}), ("release", "2021-01-10", {}),
                    ("detention", "2024-05-05", {}),
                    ("verdict", "2024-12-01", {"sentence_kind": "imprisonment",
                                               "sentence_years": 3})],
        ),
        "dilara": person("Testname Dilara Şükürova", events=[("house_arrest", "2024-02-01", {})]),
        "elvin": person("Testname Elvin Çələbi", gender="male", case=hidden_case),
        "draft": person("Testname Draft Hidden", occupations=[journalist], state=m.State.DRAFT,
                        events=[("detention", "2024-01-01", {})]),
        "retracted": person("Testname Retracted Hidden", occupations=[journalist],
                            state=m.State.RETRACTED, events=[("detention", "2024-01-01", {})]),
    }  # fmt: skip
    m.DetaineeName.objects.create(detainee=people["aysel"], name="Айсель Мамедова")
    people["aysel"].refresh_derived()
    m.Affiliation.objects.create(detainee=people["bahruz"], organization=union)
    m.Affiliation.objects.create(detainee=people["draft"], organization=union)
    application = m.EchrApplication.objects.create(number="1111/20", title="Fictional v. X")
    application.applicants.add(people["ceyhun"], people["draft"])
    return people


ALL_PUBLIC = ["Aysel", "Bahruz", "Ceyhun", "Dilara", "Elvin"]


def first_names(response):
    return [n.split()[1] for n in names(response)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL_PUBLIC),
        ("status=pre_trial", ["Aysel"]),
        ("status=imprisoned&status=house_arrest", ["Bahruz", "Ceyhun", "Dilara"]),
        ("occupation=journalist", ["Aysel", "Bahruz"]),
        ("occupation=journalist&occupation=lawyer", ["Aysel", "Bahruz", "Ceyhun"]),
        ("organization=fictional-union", ["Bahruz"]),
        ("case=fictional-media-case", ["Aysel", "Bahruz"]),  # includes its split-off case
        ("case=fictional-split-case", ["Bahruz"]),
        ("article=206", ["Aysel", "Bahruz"]),
        ("article=206.3.2", ["Aysel", "Bahruz"]),
        ("article=178", ["Ceyhun"]),
        ("article=20", []),
        ("article=193-1", ["Ceyhun"]),
        ("article=193-1.3.1", ["Ceyhun"]),
        ("article=193", []),
        ("gender=male", ["Bahruz", "Ceyhun", "Elvin"]),
        ("detained_from=2024-01-01", ["Bahruz", "Ceyhun"]),
        ("detained_to=2020-12-31", ["Ceyhun"]),
        # Both bounds hold for one detention: Ceyhun's 2020 and 2024 arrests do not combine.
        ("detained_from=2020-06-01&detained_to=2023-12-31", ["Aysel"]),
        ("echr=yes", ["Ceyhun"]),
        ("echr=no", ["Aysel", "Bahruz", "Dilara", "Elvin"]),
        ("held_on=2020-01-10", ["Ceyhun"]),  # the day of detention counts
        ("held_on=2021-01-10", []),  # the day of release does not
        ("held_on=2024-06-01", ["Aysel", "Bahruz", "Ceyhun"]),  # house arrest is not custody
        ("occupation=journalist&status=imprisoned", ["Bahruz"]),
    ],
)
def test_each_filter_selects_published_people_only(client, world, query, expected):
    response = client.get(f"/detainees/?{query}")
    assert response.status_code == 200
    assert first_names(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ALL_PUBLIC),
        ("-detained", ["Ceyhun", "Bahruz", "Aysel", "Dilara", "Elvin"]),
        ("detained", ["Aysel", "Bahruz", "Ceyhun", "Dilara", "Elvin"]),
        ("-sentence", ["Bahruz", "Ceyhun", "Aysel", "Dilara", "Elvin"]),
    ],
)
def test_each_sort(client, world, sort, expected):
    assert first_names(client.get(f"/detainees/?sort={sort}")) == expected


def test_sort_by_last_update(client, world):
    m.Detainee.objects.filter(pk=world["dilara"].pk).update(
        updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    assert first_names(client.get("/detainees/?sort=-updated"))[0] == "Dilara"


@pytest.mark.parametrize(
    "query",
    ["Məmmədova", "mammadova", "MAMMADOVA", "Мамедова", "Memmedova", "aysel mammadova",
     "Mammadova Aysel"],
)  # fmt: skip
def test_name_search_ignores_case_letters_script_and_transliteration(client, world, query):
    assert first_names(client.get("/detainees/", {"q": query})) == ["Aysel"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Qasimov", "Bahruz"), ("Gasimov", "Bahruz"), ("Khalilov", "Ceyhun"), ("Xalilov", "Ceyhun"),
     ("Shukurova", "Dilara"), ("Chalabi", "Elvin"), ("Chelebi", "Elvin")],
)  # fmt: skip
def test_transliteration_variants_find_the_person(client, world, query, expected):
    assert first_names(client.get("/detainees/", {"q": query})) == [expected]


def test_search_never_finds_unpublished_people(client, world):
    response = client.get("/detainees/", {"q": "Hidden"})
    assert names(response) == []
    assert "No published entry matches" in response.text


def facets(client, query=""):
    """{(facet, value): count} read back from the rendered filter options."""
    text = client.get(f"/detainees/?{query}").text
    pattern = r'name="(\w+)" value="([^"]+)"[^>]*>\s*[^<]*<span class="count"[^>]*>\((\d+)\)'
    return {(name, value): int(n) for name, value, n in re.findall(pattern, text)}


def test_facet_counts_count_published_people_only(client, world):
    counts = facets(client)
    assert counts[("occupation", "journalist")] == 2  # the draft and retracted journalists excluded
    assert counts[("organization", "fictional-union")] == 1
    assert counts[("echr", "yes")] == 1
    assert counts[("gender", "female")] == 2
    assert ("case", "fictional-hidden-case") not in counts


def test_facet_counts_apply_every_other_filter(client, world):
    counts = facets(client, "occupation=journalist&gender=male")
    # Under occupation=journalist: one male (Bahruz), one female (Aysel).
    assert counts[("gender", "male")] == 1
    assert counts[("gender", "female")] == 1
    # Under gender=male, the occupation facet ignores its own selection: lawyer counts too.
    assert counts[("occupation", "journalist")] == 1
    assert counts[("occupation", "lawyer")] == 2
    # Status counts under both filters.
    assert counts[("status", "imprisoned")] == 1
    assert ("status", "pre_trial") not in counts


def test_pagination_keeps_the_filters(client, world, make_detainee):
    journalist = m.Occupation.objects.get(slug="journalist")
    for n in range(12):
        make_detainee(f"Testname Paged{n:02}").occupations.add(journalist)
    response = client.get("/detainees/?occupation=journalist&per_page=10&sort=name")
    assert "14 people" in response.text
    next_link = re.search(r'rel="next" href="([^"]+)"', response.text).group(1)
    assert "occupation=journalist" in next_link and "per_page=10" in next_link
    second = client.get(f"/detainees/{next_link.replace('&amp;', '&')}")
    assert len(names(second)) == 4
    assert "Page 2 of 2" in second.text


def test_active_filters_can_be_removed_one_by_one(client, world):
    text = client.get("/detainees/?status=imprisoned&status=house_arrest&gender=male").text
    links = {
        label.strip(): href.replace("&amp;", "&")
        for href, label in re.findall(r'<li><a href="(\?[^"]*)"[^>]*>([^<]+)<', text)
    }
    assert links["Status: house arrest"] == "?status=imprisoned&gender=male"
    # A parameter's values in a fixed (sorted) order: the canonical address of that listing.
    assert links["Gender: male"] == "?status=house_arrest&status=imprisoned"


BAD_PARAMETERS = [
    "status=<script>alert(1)</script>",
    "detained_from=2024-13-45",
    "detained_to=yesterday",
    "held_on=2024-02-30",
    "page=-1",
    "page=0",
    "page=99999999",
    "page=abc",
    "per_page=100000",
    "article='; DROP TABLE cases_detainee; --",
    "article=" + "9" * 5000,
    "q=" + "x" * 5000,
    "q=%00%01%02",
    "q=!!!",
    "occupation=no-such-occupation",
    "organization=<b>",
    "case=fictional-hidden-case",
    "gender=unknown-value",
    "echr=maybe",
    "sort=password",
    "sort=-name;drop",
    "unknown=1&other[]=2",
    "status=pre_trial&status=pre_trial&status=",
]


@pytest.mark.parametrize("query", BAD_PARAMETERS)
def test_malformed_parameters_never_give_a_server_error(client, world, query):
    response = client.get(f"/detainees/?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "Fictional hidden case" not in response.text


def test_malformed_values_get_a_clear_message(client, world):
    text = client.get("/detainees/?detained_from=2024-13-45&status=nope&article=x").text
    assert "Some filters were not understood and were ignored" in text
    assert "Enter a date as YYYY-MM-DD" in text
    assert "Write an article number like 206.3.2" in text


def test_out_of_range_page_shows_the_last_page(client, world):
    response = client.get("/detainees/?page=99999999&per_page=10")
    assert first_names(response) == ALL_PUBLIC


def test_empty_state(client, db):
    response = client.get("/detainees/")
    assert "0 people" in response.text
    assert "No published entry matches" in response.text


def test_a_misspelt_name_suggests_near_misses_on_postgresql(client, world):
    response = client.get("/detainees/", {"q": "Mammadowa"})
    assert names(response) == []
    if connection.vendor == "postgresql":
        assert "Did you mean:" in response.text
        assert "Testname Aysel Məmmədova" in response.text
    else:  # SQLite has no trigrams: the empty state stays plain
        assert "Did you mean:" not in response.text
    assert "Hidden" not in client.get("/detainees/", {"q": "Hiden"}).text


def test_cached_counts_follow_every_change_to_the_data(client, world, make_detainee):
    before = client.get("/detainees/").text
    assert re.search(r'id="result-count"[^>]*>5 people<', before)
    newcomer = make_detainee("Testname Zaur Newcomer", gender="male")
    assert re.search(r'id="result-count"[^>]*>6 people<', client.get("/detainees/").text)
    newcomer.occupations.add(m.Occupation.objects.get(slug="lawyer"))  # an m2m change
    assert 'value="lawyer"' in client.get("/detainees/").text
    counts = facets(client)
    assert counts[("occupation", "lawyer")] == 3
    newcomer.state = m.State.RETRACTED
    newcomer.save()
    assert re.search(r'id="result-count"[^>]*>5 people<', client.get("/detainees/").text)
    assert facets(client)[("occupation", "lawyer")] == 2


@pytest.mark.parametrize("prefix", ["/az", "/ru"])
def test_the_listing_answers_in_every_language(client, world, prefix):
    response = client.get(f"{prefix}/detainees/?occupation=journalist")
    assert response.status_code == 200
    assert first_names(response) == ["Aysel", "Bahruz"]


def test_charges_and_split_offs_in_unpublished_cases_never_select_anyone(
    client, world, make_case, make_article
):
    hidden_split = make_case("Fictional hidden split", state=m.State.DRAFT,
                             parent=m.Case.objects.get(slug="fictional-other-case"))  # fmt: skip
    membership = m.CaseDefendant.objects.create(case=hidden_split, detainee=world["dilara"])
    m.Charge.objects.create(defendant=membership, article=make_article("777.7"), action="brought")
    assert first_names(client.get("/detainees/?article=777.7")) == []
    assert first_names(client.get("/detainees/?case=fictional-other-case")) == ["Ceyhun"]


def test_a_dropped_charge_counts_only_when_asked_for(client, world):
    """`dropped=yes` widens the article filter to charges since dropped, in the listing, its
    facet counts, the API and the export alike; without it a dropped charge does not count."""
    membership = m.CaseDefendant.objects.get(detainee=world["ceyhun"])
    m.Charge.objects.create(
        defendant=membership, article=m.LegalArticle.objects.get(number="178.1"),
        action="dropped",
    )  # fmt: skip
    assert first_names(client.get("/detainees/?article=178.1")) == []
    assert first_names(client.get("/detainees/?article=178.1&dropped=yes")) == ["Ceyhun"]
    assert facets(client, "article=178.1").get(("gender", "male"), 0) == 0
    assert facets(client, "article=178.1&dropped=yes")[("gender", "male")] == 1
    # The standing sub-article still counts without the option.
    assert first_names(client.get("/detainees/?article=193-1")) == ["Ceyhun"]
    api = client.get("/api/v1/detainees/?article=178.1&dropped=yes").json()
    assert [row["slug"] for row in api["results"]] == [world["ceyhun"].slug]
    assert client.get("/api/v1/detainees/?article=178.1").json()["results"] == []
    export = client.get("/detainees/export.csv?article=178.1&dropped=yes")
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert len(rows) == 2 and world["ceyhun"].slug in rows[1]
    # The box stays ticked on the page it gives.
    assert 'name="dropped" value="yes" checked' in client.get("/detainees/?dropped=yes").text

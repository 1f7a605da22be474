"""/api/v1/: read-only JSON with the listing's filters; published entries, public fields only."""

import json

import pytest
from django.apps import apps
from drf_spectacular.validation import validate_schema

from cases import models as m

from .conftest import CANARY, LISTING_QUERIES, listing_slugs

LISTING_PARAMETERS = [
    "q", "status", "occupation", "organization", "case", "article", "gender", "detained_from",
    "detained_to", "echr", "held_on", "sort", "page",
]  # fmt: skip


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def api_slugs(client, query=""):
    data = get_json(client, f"/api/v1/detainees/?{query}&per_page=100")
    return [row["slug"] for row in data["results"]]


@pytest.mark.parametrize("query", LISTING_QUERIES)
def test_the_api_lists_the_listings_rows_in_its_order(client, world, query):
    slugs = api_slugs(client, query)
    assert slugs == listing_slugs(client, query)
    assert slugs


def test_pagination_follows_the_listings_names(client, world):
    first = get_json(client, "/api/v1/detainees/?per_page=2&gender=male")
    assert first["count"] == 2
    data = get_json(client, "/api/v1/detainees/?per_page=2")
    assert data["count"] == 5
    assert len(data["results"]) == 2
    assert data["next"] == "http://testserver/api/v1/detainees/?page=2&per_page=2"
    last = get_json(client, "/api/v1/detainees/?per_page=2&page=3")
    assert len(last["results"]) == 1


def test_page_size_is_capped(client, world, make_detainee):
    for n in range(101):
        make_detainee(f"Testname Many{n:03d}")
    data = get_json(client, "/api/v1/detainees/?per_page=100000")
    assert len(data["results"]) == 100
    assert len(get_json(client, "/api/v1/detainees/?per_page=abc")["results"]) == 25


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("status=<script>alert(1)</script>", "status"), ("detained_from=2024-13-45", "detained_from"),
     ("detained_to=yesterday", "detained_to"), ("held_on=2024-02-30", "held_on"),
     ("article='; DROP TABLE cases_detainee; --", "article"), ("q=" + "x" * 5000, "q"),
     ("occupation=no-such-occupation", "occupation"), ("organization=<b>", "organization"),
     ("case=canary-draft-case", "case"), ("gender=unknown-value", "gender"),
     ("echr=maybe", "echr"), ("sort=password", "sort")],
)  # fmt: skip
def test_a_malformed_filter_answers_400_naming_it(client, world, query, parameter):
    response = client.get(f"/api/v1/detainees/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()
    assert list(errors) == [parameter]
    assert errors[parameter][0]  # a message a person can read


def test_an_unpublished_case_is_refused_like_a_missing_one(client, world):
    hidden = client.get("/api/v1/detainees/?case=canary-draft-case").json()["case"][0]
    missing = client.get("/api/v1/detainees/?case=no-such-case").json()["case"][0]
    assert hidden.replace("canary-draft-case", "X") == missing.replace("no-such-case", "X")


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=99999"])
def test_a_page_that_does_not_exist_answers_404(client, world, query):
    response = client.get(f"/api/v1/detainees/?{query}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_unknown_parameters_are_ignored(client, world):
    assert len(api_slugs(client, "unknown=1&other[]=2")) == 5


@pytest.mark.parametrize(
    "url",
    ["/api/v1/detainees/testname-canary-draft-person/",
     "/api/v1/detainees/testname-canary-retracted-person/",
     "/api/v1/detainees/testname-canary-in-review-person/", "/api/v1/cases/canary-draft-case/"],
)  # fmt: skip
def test_an_unpublished_entry_answers_like_a_missing_one(client, world, url):
    hidden = client.get(url)
    missing = client.get(url.replace("canary", "missing"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_a_detainee_in_full(client, world):
    data = get_json(client, f"/api/v1/detainees/{world['aysel'].slug}/")
    assert data["name"] == "Testname Aysel Məmmədova"
    assert data["url"] == f"http://testserver/detainees/{world['aysel'].slug}/"
    assert [n["name"] for n in data["other_names"]] == ["Айсель Мамедова", "Aysel Mammadova"]
    assert data["status"] == "pre_trial"
    assert [e["kind"] for e in data["events"]] == ["detention", "remand"]
    assert data["events"][0]["court"]["name"] == "Fictional District Court"
    assert data["events"][0]["case"]["slug"] == "fictional-media-case"
    assert [(c["case"], c["article"]["number"]) for c in data["charges"]] == [
        ("fictional-media-case", "206.3.2")
    ]
    assert [s["url"] for s in data["sources"]] == ["https://news.example.org/public-report"]
    assert [s["url"] for s in data["events"][0]["sources"]] == [
        "https://news.example.org/public-report"
    ]


def test_an_event_in_an_unpublished_case_keeps_its_case_hidden(client, world):
    data = get_json(client, f"/api/v1/detainees/{world['formula'].slug}/")
    assert [e["case"] for e in data["events"]] == [None]
    assert [c["slug"] for c in data["cases"]] == ["fictional-split-of-an-unpublished-case"]
    case = get_json(client, "/api/v1/cases/fictional-split-of-an-unpublished-case/")
    assert case["parent"] is None


def test_an_application_lists_published_applicants_only(client, world):
    data = get_json(client, "/api/v1/echr-applications/2222/21/")
    assert [a["slug"] for a in data["applicants"]] == [world["bahruz"].slug]
    assert data["group"]["slug"] == "fictional-group"
    assert data["api_url"] == "http://testserver/api/v1/echr-applications/2222/21/"


# --- Nothing unpublished, nothing staff-only, anywhere ----------------------------------------


def staff_only_names():
    for model in apps.get_app_config("cases").get_models():
        for field in model._meta.get_fields():
            if "staff only" in str(getattr(field, "help_text", "")).lower():
                yield field.name


# Staff-only names that are also the names of public fields elsewhere (a contact's `name`, a
# pending change's `summary`): their values are canaries, which the walk looks for instead.
PUBLIC_NAMES = {"name", "kind", "summary"}
FORBIDDEN_KEYS = set(staff_only_names()) - PUBLIC_NAMES | {
    "contacts", "pending_changes", "confidential", "state", "search_text", "is_synthetic",
}  # fmt: skip


def keys(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from keys(item)


def walk(client):
    """Every answer of the API: the root, every page of every list and every detail."""
    root = get_json(client, "/api/v1/")
    seen = {"/api/v1/": root}
    for list_url in root.values():
        url = f"{list_url}?per_page=2"
        while url:
            page = get_json(client, url)
            seen[url] = page
            for row in page["results"]:
                seen[row["api_url"]] = get_json(client, row["api_url"])
            url = page["next"]
    return seen


def test_every_answer_is_public_only(client, world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    answers = walk(client)
    assert len(answers) > 15
    assert {url for url in answers if "/detainees/" in url and "page" not in url} == {
        f"http://testserver/api/v1/detainees/{world[key].slug}/"
        for key in ["aysel", "bahruz", "formula", "dilara", "elvin"]
    }
    for url, data in answers.items():
        text = json.dumps(data, ensure_ascii=False)
        assert CANARY not in text.lower(), url
        assert "confidential.example.org" not in text, url
        assert "777.7" not in text, url  # an article charged only in a draft case
        assert not set(keys(data)) & FORBIDDEN_KEYS, url


def test_the_forbidden_keys_include_the_internal_fields():
    internal = {"internal_notes", "internal_note", "retraction_reason", "note", "version"}
    assert internal | {"created_by", "email", "phone"} <= FORBIDDEN_KEYS


# --- Schema, documentation, throttling --------------------------------------------------------


def test_the_schema_is_valid_and_lists_the_listings_parameters(client, db):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/detainees/"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert set(LISTING_PARAMETERS) | {"per_page"} <= set(parameters)
    assert parameters["held_on"] == {"type": "string", "format": "date"}
    assert parameters["page"] == {"type": "integer"}
    assert parameters["status"]["type"] == "array"
    assert set(parameters["status"]["items"]["enum"]) == set(m.Status.values)
    assert parameters["occupation"] == {"type": "array", "items": {"type": "string"}}
    assert "published" not in json.dumps(parameters)  # no publication state as a parameter
    assert set(schema["paths"]) == {
        "/api/v1/detainees/", "/api/v1/detainees/{slug}/", "/api/v1/cases/",
        "/api/v1/cases/{slug}/", "/api/v1/echr-applications/",
        "/api/v1/echr-applications/{number}/", "/api/v1/execution-groups/",
        "/api/v1/execution-groups/{slug}/",
    }  # fmt: skip


def test_the_schema_names_no_staff_only_field(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    for name, component in schema["components"]["schemas"].items():
        assert not set(component.get("properties", {})) & FORBIDDEN_KEYS, name


def test_the_docs_are_readable_without_javascript(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    text = response.text
    assert "<script" not in text
    assert "GET /api/v1/detainees/" in text
    for name in LISTING_PARAMETERS:
        assert f"<code>{name}</code>" in text


def test_anonymous_clients_are_throttled(client, world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min"},
    }
    for _n in range(3):
        assert client.get("/api/v1/detainees/").status_code == 200
    response = client.get("/api/v1/detainees/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "throttled" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_the_api_is_read_only(client, world):
    for method in [client.post, client.put, client.patch, client.delete]:
        assert method("/api/v1/detainees/").status_code == 405
        assert method(f"/api/v1/detainees/{world['aysel'].slug}/").status_code == 405


# --- Queries ----------------------------------------------------------------------------------

# count; the page of detainees; their other names, occupations, ECHR applications and
# published cases.
LIST_QUERIES = 6


@pytest.mark.parametrize("per_page", [10, 100])
def test_detainee_list_queries(client, world, make_detainee, django_assert_num_queries, per_page):
    journalist = m.Occupation.objects.get(slug="journalist")
    for n in range(120):
        person = make_detainee(f"Testname Crowd{n:03d}")
        person.occupations.add(journalist)
        m.DetaineeName.objects.create(detainee=person, name=f"Тестимя {n}")
    with django_assert_num_queries(LIST_QUERIES):
        data = get_json(client, f"/api/v1/detainees/?per_page={per_page}")
    assert len(data["results"]) == per_page


def test_detainee_list_filter_lookups(client, world, django_assert_num_queries):
    with django_assert_num_queries(LIST_QUERIES + 1):  # + the occupation slugs looked up
        get_json(client, "/api/v1/detainees/?occupation=journalist&status=pre_trial")


def test_detainee_detail_queries(client, world, django_assert_num_queries):
    # detainee; other names, their sources; occupations, and again with their sources (two
    # queries); ECHR applications; published cases; affiliations with organizations, their
    # sources; events with cases, courts and facilities, their sources; memberships in
    # published cases, their charges with articles, the charges' sources; the detainee's
    # sources. (A prefetch with nothing to fetch for costs no query: bahruz has no other name.)
    with django_assert_num_queries(15):
        get_json(client, f"/api/v1/detainees/{world['bahruz'].slug}/")


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/cases/", 3),  # count, cases with parents and courts, defendants
        # case; defendants; split cases; memberships with detainees, charges, their sources;
        # the case's sources
        ("/api/v1/cases/fictional-media-case/", 7),
        # count, applications with groups, violations, applicants, sources
        ("/api/v1/echr-applications/", 5),
        ("/api/v1/echr-applications/2222/21/", 4),  # the same without the count
        ("/api/v1/execution-groups/", 2),  # count, groups with lead cases and counts
        # group; applications; CM documents; sources
        ("/api/v1/execution-groups/fictional-group/", 4),
    ],
)
def test_other_endpoints_queries(client, world, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        get_json(client, url)

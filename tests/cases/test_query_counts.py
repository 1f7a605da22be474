"""Every public page runs a fixed number of queries, however many rows it shows."""

import pytest

from cases import models as m


@pytest.fixture
def crowd(db, make_detainee, make_event, make_case, make_article, make_source):
    """30 fictional published people with occupations, events, charges, sources and a case."""
    occupations = [
        m.Occupation.objects.create(slug=f"occupation-{n}", name=f"occupation {n}")
        for n in range(3)
    ]
    organization = m.Organization.objects.create(slug="fictional-org", name="Fictional Org")
    case = make_case("Fictional crowd case")
    split = make_case("Fictional crowd split", parent=case)
    article = make_article("206.3.2")
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    violation = m.ConventionArticle.objects.create(code="5§1")
    people = []
    for n in range(30):
        person = make_detainee(f"Testname Crowd{n:03}")
        person.occupations.set(occupations[: 1 + n % 3])
        m.Affiliation.objects.create(detainee=person, organization=organization, role="member")
        membership = m.CaseDefendant.objects.create(case=case if n % 2 else split, detainee=person)
        charge = m.Charge.objects.create(defendant=membership, article=article, action="brought")
        charge.sources.add(make_source())
        for kind, date in [("detention", "2024-01-10"), ("remand", "2024-01-11")]:
            make_event(person, kind, date, refresh=False, case=membership.case).sources.add(
                make_source()
            )
        person.refresh_derived()
        application = m.EchrApplication.objects.create(
            number=f"{n + 1}/20", title=f"Crowd{n} v. X", group=group
        )
        application.applicants.add(person)
        application.violations.add(violation)
        people.append(person)
    return {"people": people, "case": case, "group": group}


LISTING_QUERIES = [
    # query string, queries: data version, count, the facets' one query, page rows, occupations
    ("", 5),
    ("status=pre_trial&occupation=occupation-1", 6),  # + the occupation slugs looked up
    ("q=crowd01&sort=-detained", 5),
    ("held_on=2024-06-01&echr=yes&article=206&gender=unknown", 5),
    ("case=fictional-crowd-case", 6),  # + the case slug looked up
]


@pytest.mark.parametrize("per_page", [10, 100])
@pytest.mark.parametrize(("query", "expected"), LISTING_QUERIES)
def test_listing_queries(client, crowd, django_assert_num_queries, query, expected, per_page):
    with django_assert_num_queries(expected):
        response = client.get(f"/detainees/?{query}&per_page={per_page}")
    assert response.status_code == 200


# Every public page first reads the data version its cache is keyed by (one query), then, on a
# cache miss: the detainee, its other names (their sources: none here), occupations, their
# sources, the detainee's public sources; events, their sources; case memberships, their charges,
# the charges' sources; co-defendants; ECHR applications, their violations, their sources;
# affiliations, their sources.
DETAIL_QUERIES = 17


@pytest.mark.parametrize("index", [0, 29])
def test_detainee_page_queries(client, crowd, django_assert_num_queries, index):
    person = crowd["people"][index]
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(person.get_absolute_url())
    assert response.status_code == 200


def test_case_page_queries(client, crowd, django_assert_num_queries):
    # data version; case with parent and court; split cases; defendants; their charges; events;
    # event sources; case sources.
    with django_assert_num_queries(8):
        response = client.get(crowd["case"].get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('class="charge-brought"') == 15


@pytest.mark.parametrize("page", [1, 2])
def test_case_list_queries(client, crowd, django_assert_num_queries, page):
    with django_assert_num_queries(3):  # data version, count, page of cases with their counts
        assert client.get(f"/cases/?page={page}").status_code == 200


@pytest.mark.parametrize("page", [1, 3])
def test_echr_list_queries(client, crowd, django_assert_num_queries, page):
    # data version; groups with counts; count; page of applications; violations; applicants.
    with django_assert_num_queries(6):
        assert client.get(f"/echr/?page={page}").status_code == 200


def test_echr_group_queries(client, crowd, django_assert_num_queries):
    # data version; group with lead case; applications; violations; applicants; CM documents;
    # sources.
    with django_assert_num_queries(7):
        response = client.get(crowd["group"].get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('class="application"') == 30


def test_home_queries(client, crowd, django_assert_num_queries):
    # data version; people held; new detentions in 30 days; latest updates.
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("per_page", [10, 100])
def test_cached_listing_queries(client, crowd, django_assert_num_queries, per_page):
    url = f"/detainees/?status=pre_trial&per_page={per_page}"
    client.get(url)
    with django_assert_num_queries(1):  # the data version: the page itself comes from the cache
        assert client.get(url).status_code == 200
    with django_assert_num_queries(3):  # another page: data version, its rows, their occupations
        assert client.get(f"{url}&page=2").status_code == 200


def test_the_page_cache_can_be_turned_off(client, crowd, django_assert_num_queries, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get("/detainees/")
    # version, rows, occupations: the count and facets stay cached, the page is rendered again
    with django_assert_num_queries(3):
        assert client.get("/detainees/").status_code == 200

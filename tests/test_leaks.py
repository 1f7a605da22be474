"""No public surface reveals an unpublished entry or an internal field, not even as a count.

Every draft, entry in review, retracted entry, pending change, staff-only field and confidential
source below carries the word "canary"; every public URL is requested under every filter and
must never contain it, and every count must count the one published person only.
"""

import datetime
import json
import re

import pytest
from django.urls import reverse

from cases import models as m
from tests.test_permission_matrix import RULES, public, published_only

D = datetime.date
STATS_CHARTS = ["held", "new-and-released", "occupations", "articles", "cases", "gender",
                "sentences"]  # fmt: skip


@pytest.fixture
def world(db, make_detainee, make_event, make_case, make_article, make_source, researcher):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    organization = m.Organization.objects.create(slug="fictional-org", name="Fictional Org")
    article = make_article("206.3.2")
    public_case = make_case("Fictional public case")
    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    application = m.EchrApplication.objects.create(
        number="1234/20", title="Fictional v. X", group=group,
        internal_notes="canary application note",
    )  # fmt: skip

    def person(name, state, case):
        p = make_detainee(name, state=state, gender="female")
        p.occupations.add(journalist)
        m.Affiliation.objects.create(detainee=p, organization=organization)
        membership = m.CaseDefendant.objects.create(case=case, detainee=p)
        m.Charge.objects.create(defendant=membership, article=article, action="brought")
        event = make_event(p, "detention", "2024-04-29", case=case)
        event.sources.add(make_source(title=f"{name} report"))
        if state == m.State.PUBLISHED:
            application.applicants.add(p)
        else:  # an application naming an unpublished person is not public either
            m.EchrApplication.objects.create(
                number=f"{9000 + list(m.State).index(state)}/21",
                title=f"Canary {state} v. X",
                group=group,
            ).applicants.add(p)
        return p

    visible = person("Testname Public Person", m.State.PUBLISHED, public_case)
    m.Detainee.objects.filter(pk=visible.pk).update(
        internal_notes="canary internal note", review_comment="canary review comment",
        retraction_reason="canary retraction reason",
    )  # fmt: skip
    m.Contact.objects.create(detainee=visible, kind="lawyer", name="Canary Lawyer",
                             phone="+000 canary")  # fmt: skip
    secret = make_source(url="https://canary.example.org/confidential", title="canary source",
                         confidential=True)  # fmt: skip
    visible.sources.add(secret)
    visible.events.get().sources.add(secret)
    # On each fact that carries sources of its own: a spelling, an occupation, an application.
    m.DetaineeName.objects.create(detainee=visible, name="Testname Other Spelling").sources.add(
        secret, make_source(url="https://news.example.org/spelling", publisher="Spelling Daily")
    )
    m.DetaineeOccupation.objects.get(detainee=visible).sources.add(secret)
    m.EchrApplication.objects.get(number="1234/20").sources.add(secret)
    m.Event.objects.filter(detainee=visible).update(internal_note="canary event note")
    m.PendingChange.objects.create(
        detainee=visible, author=researcher, base_version=visible.version,
        summary="canary pending summary",
        data={"add_events": [{"kind": "release", "date": "2025-01-01",
                              "description_en": "canary pending release"}]},
    )  # fmt: skip
    hidden_case = make_case("Canary draft case", state=m.State.DRAFT)
    for state in (m.State.DRAFT, m.State.IN_REVIEW, m.State.RETRACTED):
        person(
            f"Canary {state} person", state, hidden_case if state == m.State.DRAFT else public_case
        )
    m.Case.objects.create(name="Canary retracted case", state=m.State.RETRACTED)
    return {"visible": visible, "case": public_case, "group": group}


LISTING_QUERIES = [
    "", "q=draft+person", "q=person", "q=testname", "status=pre_trial", "occupation=journalist",
    "organization=fictional-org", "case=fictional-public-case", "case=canary-draft-case",
    "article=206", "gender=female", "echr=yes", "echr=no", "held_on=2024-06-01",
    "detained_from=2024-01-01&detained_to=2024-12-31", "sort=-detained", "per_page=100",
]  # fmt: skip


def _public_urls(world):
    urls = []
    kwargs = {
        "cases:detainee-detail": {"slug": world["visible"].slug},
        "api:detainee-detail": {"slug": world["visible"].slug},
        "cases:case-detail": {"slug": world["case"].slug},
        "api:case-detail": {"slug": world["case"].slug},
        "cases:echr-group": {"slug": "fictional-group"},
        "api:execution-group-detail": {"slug": "fictional-group"},
        "api:echr-application-detail": {"number": "1234/20"},
        "password_reset_confirm": {"uidb64": "MQ", "token": "x"},
        "cases:stats-csv": {"chart": "held"},
    }
    for name, (_kind, rule, _post) in RULES.items():
        if rule in (public, published_only):
            urls.append(reverse(name, kwargs=kwargs.get(name, {})))
    for query in LISTING_QUERIES:
        urls += [f"/detainees/?{query}", f"/detainees/export.csv?{query}",
                 f"/api/v1/detainees/?{query}"]  # fmt: skip
        urls += [f"/stats/?{query}"]
        urls += [f"/stats/{chart}.csv?{query}" for chart in STATS_CHARTS]
    # Unpublished entries' addresses answer exactly like missing ones.
    urls += ["/detainees/canary-draft-person/", "/cases/canary-draft-case/",
             "/api/v1/detainees/canary-in_review-person/", "/no-such-page/"]  # fmt: skip
    return urls


def _body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.django_db
def test_no_public_surface_shows_a_canary(client, world):
    seen = {}
    for url in _public_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        body = _body(response)
        seen[url] = body
        # A page may echo what the visitor typed (the search box, an error about a bad value).
        for echoed in ("canary-draft-case", "canary-draft-person", "canary-in_review-person"):
            body = body.replace(echoed, "")
        assert "canary" not in body.lower(), f"canary on {url}"
    assert "Testname Public Person" in seen["/detainees/"]
    # The spelling's public source is cited beside it; the confidential one never is.
    assert "Spelling Daily" in seen[f"/detainees/{world['visible'].slug}/"]
    assert "news.example.org/spelling" in seen[f"/api/v1/detainees/{world['visible'].slug}/"]


def _listing_count(text):
    return int(re.search(r'id="result-count"[^>]*>(\d+) (?:person|people)<', text).group(1))


@pytest.mark.django_db
def test_every_count_counts_the_published_person_only(client, world):
    for query in LISTING_QUERIES:
        if query in ("q=draft+person", "case=canary-draft-case", "echr=no"):
            continue
        text = client.get(f"/detainees/?{query}").text
        assert _listing_count(text) == 1, query
        facet_counts = [int(n) for n in re.findall(r'<span class="count"[^>]*>\((\d+)\)', text)]
        assert facet_counts and max(facet_counts) == 1, query
        api = json.loads(client.get(f"/api/v1/detainees/?{query}").content)
        assert api["count"] == 1, query
        rows = _body(client.get(f"/detainees/export.csv?{query}")).strip().splitlines()
        assert len(rows) == 2, query  # the header and one person
    assert _listing_count(client.get("/detainees/?q=draft+person").text) == 0
    home = client.get("/").text
    assert re.search(r"<strong>1</strong>\s+person held now", home)
    case_list = client.get("/cases/").text
    assert "Canary" not in case_list
    assert re.search(r"<td>1</td>", case_list)  # the public case's defendant count
    # The group holds the public application and three naming unpublished people only.
    assert re.search(r"\b1 application\b", client.get("/echr/").text)
    group = json.loads(client.get("/api/v1/execution-groups/fictional-group/").content)
    assert group["application_count"] == 1 and len(group["applications"]) == 1

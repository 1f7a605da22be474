"""One definition per count: every number the product shows is the number of rows its link returns.

A property test over generated data: several seeded worlds of fictional people with random
timelines (detentions, verdicts, releases, pardons), cases with split-offs, and charges that are
brought, added, requalified, dropped and acquitted. In each world:
- every facet option shown with a count n returns exactly n people when followed, under several
  other filters (the page, read as a visitor reads it, and the FilterSet for more combinations);
- every "held now by X" statistic equals the listing filtered by X and held_on=<today>.
"""

import datetime
import random
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from cases import models as m
from cases import stats
from cases.filters import DetaineeFilter

SEEDS = [1, 2, 3, 4, 5, 6]
NUMBERS = ["206.3.2", "206.3.1", "206.1", "193-1.3.1", "193-1.3.2", "178.3", "213.1", "308.2"]
K = m.Event.Kind


def day(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange((end - start).days))


def build_world(seed, make_article):
    rng = random.Random(seed)
    today = timezone.localdate()
    articles = [make_article(n) for n in NUMBERS]
    occupations = [
        m.Occupation.objects.create(slug=f"occupation-{n}", name=f"Fictional occupation {n}")
        for n in range(3)
    ]
    published = [
        m.Case.objects.create(name=f"Fictional case {n}", state="published") for n in "ABC"
    ]
    split = m.Case.objects.create(name="Fictional case A2", state="published", parent=published[0])
    draft = m.Case.objects.create(name="Fictional draft case", state="draft")
    cases = [*published, split, draft]
    for n in range(36):
        state = rng.choice(["published"] * 8 + ["draft", "retracted"])
        person = m.Detainee.objects.create(
            name=f"Testname Generated {seed}-{n}", state=state,
            gender=rng.choice(["female", "male", "unknown"]),
        )  # fmt: skip
        person.occupations.set(rng.sample(occupations, rng.randrange(3)))
        start = day(rng, datetime.date(2013, 1, 1), today - datetime.timedelta(days=400))
        for case in rng.sample(cases, rng.choice([0, 1, 1, 2])):
            membership = m.CaseDefendant.objects.create(case=case, detainee=person)
            for article in rng.sample(articles, rng.randrange(1, 4)):
                brought = day(rng, start, start + datetime.timedelta(days=60))
                m.Charge.objects.create(
                    defendant=membership, article=article, action="brought", date=brought
                )
                ending = rng.choice([None, None, "dropped", "acquitted", "requalified"])
                later = brought + datetime.timedelta(days=rng.randrange(1, 200))
                if ending == "requalified":
                    m.Charge.objects.create(
                        defendant=membership, article=rng.choice(articles),
                        requalified_from=article, action="requalified", date=later,
                    )  # fmt: skip
                elif ending:
                    m.Charge.objects.create(
                        defendant=membership, article=article, action=ending, date=later
                    )
            # The proceeding's own timeline, in order.
            events = [(K.DETENTION, start, {})]
            verdict = start + datetime.timedelta(days=rng.randrange(100, 300))
            outcome = rng.choice(["held", "sentenced", "served", "pardoned", "acquitted"])
            if outcome != "held":
                sentence = "acquittal" if outcome == "acquitted" else "imprisonment"
                events.append(
                    (K.VERDICT, verdict, {"sentence_kind": sentence, "sentence_years": 2})
                )
            if outcome in ("served", "pardoned"):
                end = verdict + datetime.timedelta(days=rng.randrange(30, 200))
                events.append((K.RELEASE if outcome == "served" else K.PARDON, end, {}))
            for kind, date, extra in events:
                if date < today:
                    m.Event.objects.create(
                        detainee=person, case=case, kind=kind, date=date, **extra
                    )
            start = verdict + datetime.timedelta(days=rng.randrange(250, 500))
            if start >= today:
                break
        person.refresh_derived()


def people_for(params):
    return DetaineeFilter(
        QueryDict(urlencode(params, doseq=True)), queryset=m.Detainee.objects.published()
    ).qs.count()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_every_facet_count_is_what_its_link_returns(client, make_article, seed):
    build_world(seed, make_article)
    today = timezone.localdate().isoformat()
    bases = [
        {}, {"held_on": today}, {"gender": "male"}, {"occupation": "occupation-0"},
        {"case": "fictional-case-a"}, {"article": "206"}, {"status": "imprisoned"},
        {"held_on": "2019-06-01", "article": "206.3"}, {"article": "206", "dropped": "yes"},
    ]  # fmt: skip
    checked = 0
    for base in bases:
        facets = DetaineeFilter(
            QueryDict(urlencode(base)), queryset=m.Detainee.objects.published()
        ).facet_counts()
        for facet, options in facets.items():
            if isinstance(options, dict):
                options = [(value, "", n) for value, n in options.items()]
            for value, _label, n in options:
                # A facet counts under every other filter: its own selection is replaced.
                params = {**{k: v for k, v in base.items() if k != facet}, facet: value}
                assert people_for(params) == n, (base, facet, value)
                checked += 1
    assert checked > 30


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_the_counts_on_the_page_are_what_their_links_return(client, make_article, seed):
    build_world(seed, make_article)
    for query in ["", f"held_on={timezone.localdate().isoformat()}"]:
        page = client.get(f"/detainees/?{query}").text
        pattern = r'name="(\w+)" value="([^"]+)"[^>]*>\s*[^<]*<span class="count"[^>]*>\((\d+)\)'
        options = re.findall(pattern, page)
        assert options
        for name, value, n in options:
            followed = client.get(f"/detainees/?{query}&{name}={value}").text
            shown = re.search(r'id="result-count"[^>]*>(\d+) (?:person|people)<', followed)
            assert int(shown.group(1)) == int(n), (query, name, value)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_every_held_now_statistic_is_what_the_listing_returns_for_today(make_article, seed):
    build_world(seed, make_article)
    today = timezone.localdate().isoformat()
    published = m.Detainee.objects.published()
    held = {"held_on": today}
    assert published.held().count() == people_for(held)
    expected = []
    for slug, _label, n in stats.by_case(published):
        expected.append(({**held, "case": slug}, n))
    top, detailed = stats.articles(published)
    for _code, number, n in [*top, *detailed]:
        expected.append(({**held, "article": number}, n))
    for slug, _label, n in stats.by_occupation(published):
        expected.append(({**held, "occupation": slug}, n))
    for value, _label, n in stats.by_gender(published):
        expected.append(({**held, "gender": value}, n))
    assert len(expected) > 8
    for params, n in expected:
        assert people_for(params) == n, params


@pytest.mark.django_db
def test_a_pardoned_proceeding_no_longer_counts_for_who_is_held_now(
    make_detainee, make_case, make_article, make_event
):
    """Anar Mammadli's pattern: charged in 2013, pardoned in 2016, held again since 2024 in a
    new case: held now under the new case's article only."""
    old_case, new_case = make_case("Fictional 2013 case"), make_case("Fictional 2024 case")
    person = make_detainee("Testname Pardoned Again")
    for case, number in [(old_case, "192.2.2"), (new_case, "206.3.2")]:
        membership = m.CaseDefendant.objects.create(case=case, detainee=person)
        m.Charge.objects.create(defendant=membership, article=make_article(number))
    make_event(person, "detention", "2013-12-16", case=old_case, refresh=False)
    make_event(person, "verdict", "2014-05-26", case=old_case, refresh=False,
               sentence_kind="imprisonment", sentence_years=5)  # fmt: skip
    make_event(person, "pardon", "2016-03-17", case=old_case, refresh=False)
    make_event(person, "detention", "2024-04-29", case=new_case)
    published = m.Detainee.objects.published()
    assert stats.by_article(published, top_level=True) == [("FCC", "206", 1)]
    assert [slug for slug, _l, _n in stats.by_case(published)] == ["fictional-2024-case"]
    today = timezone.localdate().isoformat()
    assert people_for({"held_on": today, "article": "192"}) == 0
    assert people_for({"held_on": "2015-01-01", "article": "192"}) == 1  # held then, in it
    assert people_for({"article": "192"}) == 1  # charged under it, whenever
    closed = m.CaseDefendant.objects.get(case=old_case)
    assert (closed.closed, closed.closed_on) == (True, datetime.date(2016, 3, 17))
    assert not m.CaseDefendant.objects.get(case=new_case).closed

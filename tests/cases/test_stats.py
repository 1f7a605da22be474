"""Statistics: exact counts on a small fictional timeline, filters, CSV, bad input, query counts.

The timeline, January to April 2024 (month ends: 31 Jan, 29 Feb, 31 Mar, 30 Apr):
- Alpha (journalist): detained 15 Jan, released 31 Mar, the last day of a month.
- Bravo (journalist, female): detained "in March 2024" (known to the month only), sentenced to
  6 months; charged under 206.3.2 and 206.1.
- Charlie (lawyer, male): detained 10 Jan, released 5 Feb, detained again 2 Apr, sentenced to
  7 years; charged under 206.3.2 (later dropped) and 178.3; also in a draft case.
- Delta: under house arrest from 10 Feb.
- A draft and a retracted person, detained in January, never counted anywhere.
"""

import csv
import datetime
import io
import re

import pytest

from cases import models as m
from cases import stats
from cases.templatetags.cases_tags import date_label

D = datetime.date
MONTHS = [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)]
TODAY = D(2026, 11, 25)
RANGE = "from=2024-01&to=2024-04"


@pytest.fixture
def timeline(db, make_detainee, make_event, make_case, make_article):
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    lawyer = m.Occupation.objects.create(slug="lawyer", name="lawyer")
    case = make_case("Fictional case one")
    draft_case = make_case("Fictional draft case", state=m.State.DRAFT)

    def charge(person, case, number, action="brought"):
        membership, _ = m.CaseDefendant.objects.get_or_create(case=case, detainee=person)
        m.Charge.objects.create(defendant=membership, article=make_article(number), action=action)

    alpha = make_detainee("Testname Alpha", gender="male")
    alpha.occupations.add(journalist)
    make_event(alpha, "detention", "2024-01-15", refresh=False)
    make_event(alpha, "release", "2024-03-31")

    bravo = make_detainee("Testname Bravo", gender="female")
    bravo.occupations.add(journalist)
    make_event(bravo, "detention", "2024-03-01", precision=m.Precision.MONTH, refresh=False)
    make_event(bravo, "verdict", "2024-05-10", sentence_kind="imprisonment", sentence_months=6)
    charge(bravo, case, "206.3.2")
    charge(bravo, case, "206.1")

    charlie = make_detainee("Testname Charlie", gender="male")
    charlie.occupations.add(lawyer)
    make_event(charlie, "detention", "2024-01-10", refresh=False)
    make_event(charlie, "release", "2024-02-05", refresh=False)
    make_event(charlie, "detention", "2024-04-02", refresh=False)
    make_event(charlie, "verdict", "2024-06-10", sentence_kind="imprisonment", sentence_years=7)
    charge(charlie, case, "206.3.2")
    charge(charlie, case, "178.3")
    charge(charlie, case, "206.3.2", action="dropped")
    charge(charlie, draft_case, "999")

    delta = make_detainee("Testname Delta", gender="other")
    make_event(delta, "house_arrest", "2024-02-10")

    for state in (m.State.DRAFT, m.State.RETRACTED):
        hidden = make_detainee(f"Testname Hidden {state}", state=state, gender="other")
        hidden.occupations.add(journalist)
        make_event(hidden, "detention", "2024-01-01", refresh=False)
        make_event(hidden, "house_arrest", "2024-03-15", refresh=False)
        make_event(hidden, "detention", "2024-04-15", refresh=False)
        make_event(hidden, "verdict", "2024-06-01", sentence_kind="life")
        charge(hidden, case, "206.3.2")
        charge(hidden, case, "500.1")
    return {"journalist": journalist}


def published():
    return m.Detainee.objects.published()


def test_held_on_each_month_end(timeline):
    assert stats.held_by_month(published(), MONTHS, TODAY) == [
        (D(2024, 1, 31), 2, 0),  # Alpha, Charlie
        (D(2024, 2, 29), 1, 1),  # Alpha; Charlie released 5 Feb; Delta under house arrest
        (D(2024, 3, 31), 1, 1),  # Bravo from 1 March; Alpha released on 31 March is not held
        (D(2024, 4, 30), 2, 1),  # Bravo, Charlie detained a second time
    ]


def test_month_under_way_is_counted_today(timeline):
    assert stats.held_by_month(published(), [D(2024, 4, 1)], D(2024, 4, 1)) == [
        (D(2024, 4, 1), 1, 1)  # Charlie is detained again on 2 April
    ]


def test_a_later_range_counts_the_same_as_the_whole_history(timeline):
    # Alpha began before March and ended in it; Charlie's first period ended before March;
    # Delta's house arrest began before March and lasts.
    later = MONTHS[2:]
    assert stats.held_by_month(published(), later, TODAY) == [
        (D(2024, 3, 31), 1, 1),
        (D(2024, 4, 30), 2, 1),
    ]
    assert stats.flows_by_month(published(), later) == [
        (D(2024, 3, 1), 1, 1),
        (D(2024, 4, 1), 1, 0),
    ]


def test_detentions_and_releases_per_month(timeline):
    assert stats.flows_by_month(published(), MONTHS) == [
        (D(2024, 1, 1), 2, 0),
        (D(2024, 2, 1), 0, 1),
        (D(2024, 3, 1), 1, 1),
        (D(2024, 4, 1), 1, 0),
    ]


def test_breakdowns_of_those_held_now(timeline):
    assert stats.by_occupation(published()) == [
        ("journalist", "journalist", 1),
        ("lawyer", "lawyer", 1),
    ]
    assert stats.by_article(published(), top_level=True) == [("FCC", "178", 1), ("FCC", "206", 1)]
    # Every article with its parts, as the listing's article filter counts: 206.3 includes
    # 206.3.2.
    assert stats.by_article(published()) == [
        ("FCC", "178", 1),
        ("FCC", "178.3", 1),
        ("FCC", "206", 1),
        ("FCC", "206.1", 1),
        ("FCC", "206.3", 1),
        ("FCC", "206.3.2", 1),  # Charlie's was dropped
    ]
    assert stats.by_case(published()) == [("fictional-case-one", "Fictional case one", 2)]
    assert stats.by_gender(published()) == [
        ("female", "female", 1),
        ("male", "male", 1),
        ("other", "other", 0),  # Delta is under house arrest, not held
        ("unknown", "unknown", 0),
    ]
    bins, life, total_years = stats.sentences(published())
    assert bins == [("<1", 1), ("1-3", 0), ("3-5", 0), ("5-7", 0), ("7-10", 1), ("10+", 0)]
    assert (life, total_years) == (0, 7.5)


def test_current_charge_is_the_latest_by_date_not_by_entry_order(
    db, make_detainee, make_event, make_case, make_article
):
    person = make_detainee("Testname Echo")
    make_event(person, "detention", "2024-01-05")
    membership = m.CaseDefendant.objects.create(case=make_case(), detainee=person)

    def log(number, action, date):
        m.Charge.objects.create(
            defendant=membership, article=make_article(number), action=action,
            date=date and D.fromisoformat(date),
        )  # fmt: skip

    # Each pair is logged in the opposite order to the dates it happened on.
    log("300.1", "dropped", "2024-05-01")
    log("300.1", "brought", "2024-01-10")  # brought, then dropped in May: not standing
    log("300.2", "added", "2024-06-01")
    log("300.2", "dropped", "2024-02-01")  # dropped in February, added again in June
    log("300.3", "brought", "2024-01-10")
    log("300.3", "dropped", "2024-01-10")  # the same day: the later row decides
    log("300.4", "dropped", "2024-02-01")
    log("300.4", "brought", None)  # an unknown date comes last, as on the person's page
    assert stats.by_article(published()) == [
        ("FCC", "300", 1),  # one person, charged under two of its parts
        ("FCC", "300.2", 1),
        ("FCC", "300.4", 1),
    ]
    assert stats.by_article(published(), top_level=True) == [("FCC", "300", 1)]


def test_drafts_and_retracted_entries_count_for_nothing(timeline):
    everyone = m.Detainee.objects.all()
    assert stats.held_by_month(everyone, MONTHS, TODAY)[0][1] == 4  # the fixture's hidden pair
    held = stats.held_by_month(published(), MONTHS, TODAY)
    assert [row[1] for row in held] == [2, 1, 1, 2]
    assert stats.sentences(published())[1] == 0
    assert "500" not in str(stats.by_article(published(), top_level=True))


def test_filters_are_respected(client, timeline):
    response = client.get(f"/stats/held.csv?{RANGE}&occupation=journalist")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [
        ["2024-01-31", "1", "0"],
        ["2024-02-29", "1", "0"],
        ["2024-03-31", "1", "0"],
        ["2024-04-30", "1", "0"],
    ]
    page = client.get(f"/stats/?{RANGE}&occupation=journalist").text
    assert "Occupation: journalist" in page
    assert "/detainees/?occupation=journalist" in page


def _csv(client, chart, query=RANGE):
    response = client.get(f"/stats/{chart}.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    # UTF-8 with a byte order mark, like the listing's export, so spreadsheets read its letters.
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_downloads_match_the_tables(client, timeline):
    assert _csv(client, "held") == [
        ["Day", "In custody", "Under house arrest"],
        ["2024-01-31", "2", "0"],
        ["2024-02-29", "1", "1"],
        ["2024-03-31", "1", "1"],
        ["2024-04-30", "2", "1"],
    ]
    assert _csv(client, "new-and-released")[1:] == [
        ["2024-01", "2", "0"], ["2024-02", "0", "1"], ["2024-03", "1", "1"], ["2024-04", "1", "0"],
    ]  # fmt: skip
    assert _csv(client, "articles")[1:] == [
        ["FCC 178", "1"], ["FCC 206", "1"], ["FCC 178.3", "1"], ["FCC 206.1", "1"],
        ["FCC 206.3", "1"], ["FCC 206.3.2", "1"],
    ]  # fmt: skip
    assert _csv(client, "cases")[1:] == [["Fictional case one", "2"]]
    assert _csv(client, "gender")[1:3] == [["female", "1"], ["male", "1"]]
    assert _csv(client, "sentences")[1:] == [
        ["under 1 year", "1"], ["1 to 3 years", "0"], ["3 to 5 years", "0"],
        ["5 to 7 years", "0"], ["7 to 10 years", "1"], ["10 years or more", "0"],
        ["life imprisonment", "0"],
    ]  # fmt: skip
    page = client.get(f"/stats/?{RANGE}").text
    for chart in stats.CHART_NAMES:
        for row in _csv(client, chart)[1:]:
            # The table writes a month or day as the language does; the CSV keeps ISO dates.
            cells = f'<th scope="row">{date_label(row[0])}</th>' + "".join(
                f'<td class="n">{n}</td>' for n in row[1:]
            )
            assert cells in page, (chart, row)
        assert f'href="/stats/{chart}.csv?' in page
    assert page.count('role="img"') == len(stats.CHART_NAMES)


@pytest.mark.parametrize(
    "query",
    [
        "from=2024-13", "from=abc&to=2024-00", "from=2025-01&to=2024-01", "from=1000-01",
        "from=0001-01&to=9999-12", "occupation=nope", "held_on=yesterday", "article=<script>",
        "from[]=x", "to=2024-02-30", "gender=nope&case=nope&sort=x",
    ],
)  # fmt: skip
def test_malformed_parameters_never_fail(client, timeline, query):
    assert client.get(f"/stats/?{query}").status_code == 200
    assert client.get(f"/stats/held.csv?{query}").status_code == 200


def test_malformed_month_is_named(client, timeline):
    page = client.get("/stats/?from=2024-13").text
    assert "write a month as YYYY-MM" in page


def test_unknown_chart_is_404(client, db):
    assert client.get("/stats/nope.csv").status_code == 404


def test_default_range_is_36_months_up_to_this_month():
    months, messages = stats.month_range({}, TODAY)
    assert (months[0], months[-1], len(months), messages) == (
        D(2023, 12, 1),
        D(2026, 11, 1),
        36,
        [],
    )
    months, _ = stats.month_range({"from": "2020-01", "to": "2030-01"}, TODAY)
    assert (months[0], months[-1]) == (D(2020, 1, 1), D(2026, 11, 1))


def test_methodology_page(client, db):
    page = client.get("/about/methodology/").text
    assert "released on 31 March is not counted" in page
    assert "counts as held" in page


@pytest.mark.parametrize("url", [f"/stats/?{RANGE}", "/about/methodology/"])
def test_pages_have_no_inline_style_or_script(client, timeline, url):
    # The Content-Security-Policy refuses inline styles and scripts: the rules live in site.css.
    page = client.get(url).text
    assert "<style" not in page and "style=" not in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))


@pytest.mark.parametrize("people", [2, 12])
@pytest.mark.parametrize("query", [f"{RANGE}", "from=2020-01&to=2024-12"])
def test_stats_queries_do_not_grow(
    client, make_detainee, make_event, timeline, django_assert_num_queries, people, query
):
    for n in range(people):
        person = make_detainee(f"Testname Crowd{n}")
        person.occupations.add(timeline["journalist"])
        make_event(person, "detention", f"2024-0{1 + n % 4}-0{1 + n % 9}")
    # data version, held per month (custody and house arrest), detentions and releases,
    # occupations, articles (both levels), cases, gender, sentences
    with django_assert_num_queries(8):
        assert client.get(f"/stats/?{query}").status_code == 200
    # + the occupation looked up by its slug
    with django_assert_num_queries(9):
        assert client.get(f"/stats/?{query}&occupation=journalist").status_code == 200


@pytest.mark.parametrize(
    ("top", "labels"),
    [
        (1, ["0", "1"]),
        (2, ["0", "1", "2"]),
        (5, ["0", "1", "2", "3", "4", "5"]),
        (10, ["0", "2", "4", "6", "8", "10"]),
        (200, ["0", "50", "100", "150", "200"]),
    ],
)
def test_axis_ticks_count_whole_people(top, labels):
    assert [tick["label"] for tick in stats._y_ticks(top, 100)] == labels


@pytest.mark.django_db
def test_stats_csvs_write_a_formula_like_name_as_text(client, make_detainee, make_event, make_case):
    """The statistics CSVs go through the export's writer: no cell runs as a formula."""
    case = make_case('=HYPERLINK("https://evil.example.org","click")')
    person = make_detainee("Testname Formula")
    m.CaseDefendant.objects.create(case=case, detainee=person)
    make_event(person, "detention", "2024-04-29", case=case)
    rows = _csv(client, "cases", "")
    assert rows[1] == ['\'=HYPERLINK("https://evil.example.org","click")', "1"]

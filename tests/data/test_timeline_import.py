"""The timeline import on real files: a whole record per person, checked page by page, in the
export and in the API; existing people through review; a second import changes nothing."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import imports, services, timelines
from cases import models as m

D = datetime.date
SRC = "https://news.example.org/fictional-timeline-report"
CASE = "Fictional timeline case"


@pytest.fixture
def reference(db, make_article):
    m.Court.objects.create(
        slug="fictional-court", name="Fictional District Court", aliases="Fictional Court of Baku"
    )
    m.Court.objects.create(slug="fictional-grave-court", name="Fictional Court on Grave Crimes")
    for number in ["206.3.2", "193-1.3.1", "213.1"]:
        make_article(number)


@pytest.fixture
def existing(reference, make_detainee, make_event):
    person = make_detainee("Testname Kamran Existing")
    make_event(person, "detention", "2024-01-10")
    return person


def row(person, event, date, **values):
    return {"person": person, "event": event, "date": date, "source_urls": SRC, **values}


AYNUR, RAUF = "Testname Aynur Timeline", "Testname Rauf Timeline"


def timeline_rows():
    return [
        row(AYNUR, "detention", "2024-04-29", case=CASE),
        row(AYNUR, "remand", "2024-04-30", case=CASE, court="Fictional Court of Baku",
            term="3m28d", description="Remanded in custody."),
        row(AYNUR, "charge_brought", "2024-04-30", case=CASE, articles="206.3.2, 193-1.3.1"),
        row(AYNUR, "extension", "2024-08-22", case=CASE, court="fictional-court", term="3m"),
        row(AYNUR, "charge_dropped", "2024-11", case=CASE, articles="193-1.3.1",
            notes="Staff only: the lawyer confirmed."),
        row(AYNUR, "verdict", "2025-05-26", case=CASE, court="Fictional Grave Crimes Court",
            sentence="imprisonment 5y6m", articles="206.3.2"),
        row(AYNUR, "pardon", "2026-03", case=CASE),
        row(RAUF, "police_supervision", "2025-04-08"),
        row(RAUF, "charge_brought", "2025-04-08", articles="213.1"),
        row(RAUF, "remand", "2025-08-04", description="Supervision replaced by custody."),
        row("/detainees/testname-kamran-existing/", "release", "2024-06"),
        row("testname-kamran-existing", "charge_brought", "2024-01-11", case=CASE,
            articles="213.1"),
    ]  # fmt: skip


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=timelines.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def check(path, user):
    return timelines.check_file(path.read_bytes(), user=user, filename=path.name)[0]


def apply(path, user):
    return timelines.apply(path.read_bytes(), user=user, filename=path.name)


def publish_all(moderator):
    for person in m.Detainee.objects.filter(state=m.State.DRAFT):
        services.publish(entry=person, moderator=moderator)
    for change in m.PendingChange.objects.filter(state="pending"):
        services.approve_change(change=change, moderator=moderator)


@pytest.mark.django_db
def test_a_timeline_file_gives_each_page_the_export_and_the_api_what_it_says(
    tmp_path, client, researcher, moderator, existing
):
    path = write_csv(tmp_path / "timeline.csv", timeline_rows())
    result = check(path, researcher)
    assert not result.has_errors, result.messages()
    assert [r.action for r in result.rows] == ["create"] * 10 + ["propose update"] * 2
    apply(path, researcher)
    # The published person's rows wait for review, as one change; the new people are drafts.
    assert m.PendingChange.objects.filter(detainee=existing, state="pending").count() == 1
    assert client.get("/detainees/testname-aynur-timeline/").status_code == 404
    publish_all(moderator)

    aynur = m.Detainee.objects.get(name=AYNUR)
    assert (aynur.status, aynur.status_since, aynur.status_since_precision) == (
        m.Status.PARDONED,
        D(2026, 3, 1),
        "month",
    )
    events = list(aynur.events.values_list("kind", "date", "term_months", "term_days"))
    assert events == [
        ("detention", D(2024, 4, 29), None, None),
        ("remand", D(2024, 4, 30), 3, 28),
        ("remand_extension", D(2024, 8, 22), 3, None),
        ("verdict", D(2025, 5, 26), None, None),
        ("pardon", D(2026, 3, 1), None, None),
    ]
    verdict = aynur.events.get(kind="verdict")
    assert (verdict.sentence_kind, verdict.sentence_years, verdict.sentence_months) == (
        "imprisonment",
        5,
        6,
    )
    assert verdict.court.slug == "fictional-grave-court"  # word order and small words
    assert aynur.events.get(kind="remand").court.slug == "fictional-court"  # an alias
    charges = list(
        m.Charge.objects.filter(defendant__detainee=aynur)
        .order_by("date", "id")
        .values_list("article__number", "action", "date_precision")
    )
    assert charges == [
        ("206.3.2", "brought", "day"), ("193-1.3.1", "brought", "day"),
        ("193-1.3.1", "dropped", "month"), ("206.3.2", "convicted", "day"),
    ]  # fmt: skip
    membership = aynur.memberships.get()
    assert membership.case.name == CASE and membership.closed  # closed by the pardon

    page = client.get("/detainees/testname-aynur-timeline/").text
    for text in ["Remanded in custody.", "193-1.3.1", "206.3.2", "5 years 6 months", "March 2026"]:
        assert text in page, text
    assert "lawyer confirmed" not in page  # the notes column is staff only

    rauf = m.Detainee.objects.get(name=RAUF)
    assert (rauf.status, rauf.in_custody_since) == (m.Status.PRE_TRIAL, D(2025, 8, 4))
    proceeding = rauf.memberships.get().case
    assert proceeding.individual and proceeding.state == m.State.PUBLISHED
    assert "Supervision replaced by custody." in client.get(f"/detainees/{rauf.slug}/").text

    existing.refresh_from_db()
    assert (existing.status, existing.released_on, existing.released_on_precision) == (
        m.Status.RELEASED,
        D(2024, 6, 1),
        "month",
    )

    export = b"".join(client.get("/detainees/export.csv").streaming_content).decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(export))}
    assert rows[AYNUR]["status"] == "pardoned"
    assert rows[RAUF]["in_custody_since"] == "2025-08-04"
    assert rows["Testname Kamran Existing"]["released_on"] == "2024-06"

    api = client.get(f"/api/v1/detainees/{aynur.slug}/").json()
    assert [(c["article"]["number"], c["action"]) for c in api["charges"]] == [
        ("206.3.2", "brought"), ("193-1.3.1", "brought"), ("193-1.3.1", "dropped"),
        ("206.3.2", "convicted"),
    ]  # fmt: skip
    listing = client.get(f"/api/v1/detainees/?q={existing.name}").json()
    assert listing["results"][0]["released_on_precision"] == "month"

    # Counted as the file says: the dropped charge does not count, the pardon closed the case.
    def names(query):
        return {d["name"] for d in client.get(f"/api/v1/detainees/?{query}").json()["results"]}

    assert AYNUR in names("article=206")
    assert AYNUR not in names("article=193-1")
    assert AYNUR in names("article=206&held_on=2025-01-01")
    assert AYNUR not in names(f"article=206&held_on={timezone.localdate().isoformat()}")


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(tmp_path, researcher, moderator, existing):
    path = write_csv(tmp_path / "timeline.csv", timeline_rows())
    apply(path, researcher)
    counts = (m.Event.objects.count(), m.Charge.objects.count(), m.PendingChange.objects.count())
    again = check(path, researcher)
    assert {r.action for r in again.rows} == {"unchanged"}, again.messages()
    apply(path, researcher)
    assert (
        m.Event.objects.count(),
        m.Charge.objects.count(),
        m.PendingChange.objects.count(),
    ) == counts
    publish_all(moderator)
    assert {r.action for r in check(path, researcher).rows} == {"unchanged"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"event": "arrested"}, "event", "Unknown event “arrested”"),
        ({"date": "2024-13-01"}, "date", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ({"event": "remand", "term": "three months"}, "term", "3m, 3m28d or 45d"),
        ({"event": "detention", "term": "3m"}, "term", "Only a remand"),
        ({"event": "detention", "sentence": "imprisonment 5y"}, "sentence", "carries a sentence"),
        ({"event": "verdict", "sentence": "flogging 5y"}, "sentence", "imprisonment 5y6m"),
        ({"event": "charge_brought"}, "articles", "needs the articles"),
        ({"event": "detention", "articles": "213.1"}, "articles", "Only a step of the charges"),
        ({"articles": "999.9", "event": "charge_brought"}, "articles", "Unknown article 999.9"),
        ({"court": "Moon Court"}, "court", "Unknown court"),
        ({"court": "Fictional Distrct Court"}, "court", "Did you mean “Fictional District Court”"),
        ({"source_urls": ""}, "source_urls", "Required"),
        ({"person": "/detainees/nobody-here/"}, "person", "No entry you may see"),
        ({"person": "Testname Kamran Existinq"}, "person", "testname-kamran-existing"),
        ({"notes": "a\x00b"}, "notes", "NUL character"),
    ],
)
def test_each_problem_is_named_and_nothing_is_written(
    tmp_path, researcher, existing, values, column, words
):
    rows = [
        row(AYNUR, "detention", "2024-04-29"),
        {**row(RAUF, "detention", "2024-05-01"), **values},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    result = check(path, researcher)
    assert result.rows[0].action == "create"
    assert any(c == column and words in msg for c, msg in result.rows[1].errors), result.messages()
    with pytest.raises(imports.ImportRefused):
        apply(path, researcher)
    assert not m.Detainee.objects.filter(name__in=[AYNUR, RAUF]).exists()


@pytest.mark.django_db
def test_a_release_before_the_first_detention_is_refused(tmp_path, researcher, reference):
    rows = [row(AYNUR, "release", "2024-01-01"), row(AYNUR, "detention", "2024-04-29")]
    result = check(write_csv(tmp_path / "order.csv", rows), researcher)
    assert result.has_errors
    assert "comes before the first detention" in " ".join(result.messages())


@pytest.mark.django_db
def test_the_template_and_the_command(tmp_path, researcher, reference, capsys):
    call_command("import_timeline", "--template")
    template = capsys.readouterr().out
    path = tmp_path / "template.csv"
    path.write_text(template, encoding="utf-8")
    call_command("import_timeline", "--columns")
    described = capsys.readouterr().out
    assert all(f"{column}" in described for column in timelines.COLUMNS)
    m.Case.objects.create(name="Example case", state="published")
    m.LegalArticle.objects.get_or_create(code=m.LegalCode.objects.get(), number="206.3.2")
    call_command("import_timeline", str(path), "--user", "researcher", "--dry-run")
    assert "Checked (nothing written): 5 rows (5 create)" in capsys.readouterr().out
    assert not m.Detainee.objects.exists()
    call_command("import_timeline", str(path), "--user", "researcher")
    assert m.Detainee.objects.get().events.count() == 3


@pytest.mark.django_db
def test_upload_preview_confirm_in_the_workspace(tmp_path, researcher, client_for, existing):
    client = client_for(researcher)
    page = client.get("/staff/import/timeline/")
    assert page.status_code == 200 and "person" in page.text and "/staff/import/" in page.text
    template = client.get("/staff/import/timeline/template.csv")
    assert template["Content-Disposition"].endswith('"timeline-template.csv"')
    path = write_csv(tmp_path / "timeline.csv", timeline_rows())
    with path.open("rb") as f:
        response = client.post("/staff/import/timeline/", {"file": f})
    assert response.status_code == 200
    assert AYNUR in response.text and "Import these rows" in response.text
    assert "/staff/import/timeline/confirm/" in response.text
    assert not m.Detainee.objects.filter(name=AYNUR).exists()
    # The arrest import's confirmation does not take the timeline file.
    assert client.post("/staff/import/confirm/")["Location"] == "/staff/import/"
    assert not m.Detainee.objects.filter(name=AYNUR).exists()
    response = client.post("/staff/import/timeline/confirm/")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert m.Detainee.objects.get(name=AYNUR).events.count() == 5
    assert m.PendingChange.objects.filter(detainee=existing).count() == 1


@pytest.mark.django_db
def test_the_preview_names_each_error(tmp_path, researcher, client_for, reference):
    path = write_csv(tmp_path / "bad.csv", [row(AYNUR, "arrested", "2024-04-29")])
    with path.open("rb") as f:
        response = client_for(researcher).post("/staff/import/timeline/", {"file": f})
    assert "Row 2, column event: Unknown event “arrested”" in response.text
    assert "Import these rows" not in response.text

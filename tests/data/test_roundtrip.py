"""Round trip: the listing's CSV export, imported into an empty database and published, gives
back the same public data (the columns an import row carries, and everything derived from them)."""

import csv
import io

import pytest

from cases import imports, services
from cases import models as m

SOURCE = "https://news.example.org/fictional-roundtrip-report"


@pytest.fixture
def published(make_detainee, make_event, make_case, make_article, make_source):
    """Published people as the export describes them: one detention each, a case and charges,
    other spellings in Azerbaijani and Cyrillic, a date known to the month, formula-like text."""
    journalist = m.Occupation.objects.create(slug="journalist", name="Journalist")
    union = m.Organization.objects.create(slug="fictional-union", name="=Fictional Union")
    source = make_source(url=SOURCE)
    case = make_case("Fictional newsroom case")
    articles = [make_article("206.3.2"), make_article("213.1")]
    rows = [
        ("Testname Aysel Məmmədova", ["Тестнаме Айсель Мамедова", "Aysel Mammadova"], "female",
         "2024-04-29", m.Precision.DAY, articles),
        ("=Testname Formula", ["+Testname Plus", "-Testname Minus", "@Testname At"], "other",
         "2024-05-01", m.Precision.MONTH, articles[:1]),
        ("Testname Rauf Quliyev", [], "male", "2023-11-20", m.Precision.DAY, []),
    ]  # fmt: skip
    for name, other_names, gender, date, precision, charged in rows:
        person = make_detainee(name, gender=gender)
        for other in other_names:
            m.DetaineeName.objects.create(detainee=person, name=other)
        person.occupations.add(journalist)
        person.sources.add(source)
        m.Affiliation.objects.create(detainee=person, organization=union)
        make_event(person, "detention", date, precision=precision, case=case)
        membership = m.CaseDefendant.objects.create(case=case, detainee=person)
        for article in charged:
            m.Charge.objects.create(defendant=membership, article=article)


def export(client):
    response = client.get("/detainees/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def public_rows(content):
    """The export's rows by slug, without the time of the last update (a new database's)."""
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return {row["slug"]: {k: v for k, v in row.items() if k != "updated_at"} for row in rows}


def test_export_then_import_into_an_empty_database_gives_the_same_public_data(
    published, client, researcher, moderator
):
    before = export(client)
    assert len(public_rows(before)) == 3
    # An empty database of cases, with the same vocabularies (occupations, codes, articles).
    m.Detainee.objects.all().delete()
    m.Case.objects.all().delete()
    m.Source.objects.all().delete()
    assert public_rows(export(client)) == {}

    result = imports.apply(before, user=researcher, filename="export.csv")
    assert result.summary()[imports.Row.CREATE] == 3
    for detainee in m.Detainee.objects.all():
        assert detainee.state == m.State.DRAFT
        services.publish(entry=detainee, moderator=moderator)

    after = export(client)
    assert public_rows(after) == public_rows(before)
    # Formula-like text is the text again in the database, and guarded again in the file.
    assert m.Detainee.objects.filter(name="=Testname Formula").exists()
    assert m.Organization.objects.get().name == "=Fictional Union"
    assert "'=Testname Formula" in after.decode("utf-8-sig")


def test_an_export_row_with_several_cases_is_refused_with_a_message(
    published, client, moderator, make_case
):
    person = m.Detainee.objects.get(name="Testname Rauf Quliyev")
    m.CaseDefendant.objects.create(case=make_case("Fictional second case"), detainee=person)
    content = export(client)
    m.Detainee.objects.all().delete()
    m.Case.objects.all().delete()
    result = imports.check_file(content, user=moderator, filename="export.csv")
    errors = [line for line in result.messages() if "case" in line]
    assert any("One case per row" in line for line in errors), result.messages()
    with pytest.raises(imports.ImportRefused):
        imports.apply(content, user=moderator, filename="export.csv")
    assert not m.Detainee.objects.exists()

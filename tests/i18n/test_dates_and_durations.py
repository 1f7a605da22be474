"""Dates at their precision and durations, each written the way its language writes them."""

import datetime

import pytest
from django.utils import translation

from cases.i18n import write_duration
from cases.models import Precision, format_partial_date

APRIL_29 = datetime.date(2024, 4, 29)
MAY_1 = datetime.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("language", "value", "precision", "expected"),
    [
        ("en", APRIL_29, Precision.DAY, "29 April 2024"),
        ("en", APRIL_29, Precision.MONTH, "April 2024"),
        ("en", APRIL_29, Precision.YEAR, "2024"),
        ("az", APRIL_29, Precision.DAY, "29 aprel 2024"),
        ("az", APRIL_29, Precision.MONTH, "aprel 2024"),
        ("az", APRIL_29, Precision.YEAR, "2024"),
        ("ru", APRIL_29, Precision.DAY, "29 апреля 2024"),
        ("ru", APRIL_29, Precision.MONTH, "апрель 2024"),
        ("ru", APRIL_29, Precision.YEAR, "2024"),
        ("ru", MAY_1, Precision.DAY, "1 мая 2024"),
        ("ru", MAY_1, Precision.MONTH, "май 2024"),
        ("az", datetime.date(2024, 6, 1), Precision.MONTH, "iyun 2024"),
    ],
)
def test_partial_dates_in_each_language(language, value, precision, expected):
    with translation.override(language):
        assert format_partial_date(value, precision) == expected


def test_a_moment_is_written_as_its_day():
    moment = datetime.datetime(2024, 4, 29, 12, 0, tzinfo=datetime.UTC)
    with translation.override("ru"):
        assert format_partial_date(moment) == "29 апреля 2024"


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 day"),
        ("en", 575, "575 days"),
        ("en", 1234, "1,234 days"),
        ("ru", 1, "1 день"),
        ("ru", 2, "2 дня"),
        ("ru", 5, "5 дней"),
        ("ru", 11, "11 дней"),
        ("ru", 21, "21 день"),
        ("ru", 1234, "1\xa0234 дня"),
        ("az", 1, "1 gün"),
        ("az", 575, "575 gün"),
    ],
)
def test_durations_take_each_language_s_plural(language, n, expected):
    with translation.override(language):
        assert write_duration(n, "days") == expected


@pytest.mark.parametrize(
    ("n", "word"), [(1, "день"), (2, "дня"), (5, "дней"), (21, "день"), (575, "дней")]
)
def test_russian_custody_phrases_agree_with_the_number(n, word):
    with translation.override("ru"):
        assert f"{n} {word}" in write_duration(n, "held")
        assert f"{n} {word}" in write_duration(n, "in_custody_in_all")


@pytest.mark.django_db
def test_detainee_page_writes_dates_and_days_in_the_page_s_language(client, kamran):
    ru = client.get(f"/ru/detainees/{kamran.slug}/").text
    assert "29 апреля 1990" in ru  # born, known to the day
    assert "21 день" in ru  # held for 21 days
    assert "2 месяца" in ru  # the remand's term
    az = client.get(f"/az/detainees/{kamran.slug}/").text
    assert "29 aprel 1990" in az
    assert "21 gün" in az
    en = client.get(f"/detainees/{kamran.slug}/").text
    assert "29 April 1990" in en
    assert "Held for 21 days" in en


@pytest.mark.parametrize(
    ("language", "label", "expected"),
    [
        ("en", "2024-04-30", "30 April 2024"),
        ("ru", "2024-04-30", "30 апреля 2024"),
        ("az", "2024-04", "aprel 2024"),
        ("ru", "2024-04", "апрель 2024"),
        ("ru", "2024-02-30", "2024-02-30"),  # not a day: left as it is
        ("ru", "CC 206.3.2", "CC 206.3.2"),
    ],
)
def test_chart_rows_name_their_month_or_day_in_the_language(language, label, expected):
    from cases.templatetags.cases_tags import date_label

    with translation.override(language):
        assert date_label(label) == expected


def test_the_statistics_table_writes_months_in_the_page_s_language(
    client, make_detainee, make_event
):
    make_event(make_detainee("Testname Stats Fictional"), "detention", "2024-05-10")
    text = client.get("/ru/stats/?from=2024-01&to=2024-06").text
    assert '<th scope="row">31 мая 2024</th>' in text  # held on the last day of May
    assert '<th scope="row">май 2024</th>' in text  # detentions and releases in May
    # The CSV keeps the ISO form, in every language.
    assert "2024-05-31" in client.get("/ru/stats/held.csv?from=2024-01&to=2024-06").text

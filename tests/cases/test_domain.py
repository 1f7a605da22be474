"""Dates at their precision, the article hierarchy, charge history, HUDOC links, name folding."""

import datetime
import json
import re
from urllib.parse import unquote

import pytest
from django.template import Context, Template

from cases import models as m
from cases.text import ascii_name, search_key

D = datetime.date


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (D(2024, 4, 29), m.Precision.DAY, "29 April 2024"),
        (D(2024, 4, 1), m.Precision.MONTH, "April 2024"),
        (D(2024, 1, 1), m.Precision.YEAR, "2024"),
        (None, m.Precision.DAY, ""),
    ],
)
def test_partial_dates_are_written_at_their_precision(value, precision, expected):
    assert m.format_partial_date(value, precision) == expected


def test_partial_date_template_filter():
    template = Template("{% load cases_tags %}{{ d|partial_date:p }}")
    assert template.render(Context({"d": D(2024, 4, 1), "p": "month"})) == "April 2024"


# --- Articles ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_sub_article_creates_its_ancestors(make_article):
    leaf = make_article("206.3.2", "smuggling by a group of persons by prior conspiracy")
    assert leaf.parent.number == "206.3"
    assert leaf.parent.parent.number == "206"
    assert [a.number for a in leaf.ancestors()] == ["206", "206.3"]


@pytest.mark.django_db
def test_filtering_on_an_article_finds_its_sub_articles_only(make_article):
    for number in ["206", "206.3", "206.3.2", "206.4", "2061", "20.6"]:
        make_article(number)
    found = set(m.LegalArticle.objects.under("206").values_list("number", flat=True))
    assert found == {"206", "206.3", "206.3.2", "206.4"}
    assert set(m.LegalArticle.objects.under("206.3").values_list("number", flat=True)) == {
        "206.3",
        "206.3.2",
    }


@pytest.mark.django_db
def test_articles_sort_by_number_not_by_text(make_article):
    for number in ["206.10", "206.3", "206", "192.2.2"]:
        make_article(number)
    assert list(m.LegalArticle.objects.values_list("number", flat=True)) == [
        "192",
        "192.2",
        "192.2.2",
        "206",
        "206.3",
        "206.10",
    ]


@pytest.mark.django_db
def test_a_hyphenated_article_number_is_stored_and_placed_in_its_hierarchy(make_article):
    # Article 193-1 of the Azerbaijani Criminal Code (legalisation of criminally obtained
    # property) was inserted after article 193; 193-1.3.1 is its part 3, point 1.
    leaf = make_article("193-1.3.1")
    leaf.full_clean()
    assert [a.number for a in leaf.ancestors()] == ["193-1", "193-1.3"]
    make_article("193.2")
    make_article("193")
    assert set(m.LegalArticle.objects.under("193-1").values_list("number", flat=True)) == {
        "193-1",
        "193-1.3",
        "193-1.3.1",
    }
    # 193 is a different article from 193-1: filtering on it does not find 193-1's parts.
    assert set(m.LegalArticle.objects.under("193").values_list("number", flat=True)) == {
        "193",
        "193.2",
    }


@pytest.mark.django_db
def test_hyphenated_articles_sort_after_their_base_article(make_article):
    for number in ["194", "193-1.3.2", "193.2", "193-1.3.1", "193", "193-2", "12.3-1", "12.3"]:
        make_article(number)
    assert list(m.LegalArticle.objects.values_list("number", flat=True)) == [
        "12", "12.3", "12.3-1",
        "193", "193.2", "193-1", "193-1.3", "193-1.3.1", "193-1.3.2", "193-2",
        "194",
    ]  # fmt: skip


@pytest.mark.parametrize("number", ["193-", "-1", "193--1", "193-1.", "193.-1", "193-1a", "1 93"])
def test_malformed_article_numbers_are_refused(number):
    assert not re.match(m.ARTICLE_NUMBER_RE, number)


# --- Charges ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_charge_history_keeps_every_row_in_order(make_detainee, make_case, make_article):
    defendant = m.CaseDefendant.objects.create(case=make_case(), detainee=make_detainee())
    smuggling = make_article("206.3.2")
    tax = make_article("213.1")
    forgery = make_article("313")
    rows = [
        (smuggling, "brought", D(2023, 11, 22)),
        (tax, "added", D(2024, 8, 13)),
        (forgery, "added", D(2024, 8, 13)),
        (forgery, "dropped", D(2025, 1, 10)),
    ]
    # Entered out of order: the history is read by date, then in the order rows were entered.
    for article, action, date in [rows[3], rows[0], rows[1], rows[2]]:
        m.Charge.objects.create(defendant=defendant, article=article, action=action, date=date)
    m.Charge.objects.create(
        defendant=defendant, description="an offence the source does not number", action="added"
    )

    history = [(c.article and c.article.number, c.action) for c in defendant.charges.all()]
    assert history == [
        ("206.3.2", "brought"),
        ("213.1", "added"),
        ("313", "added"),
        ("313", "dropped"),
        (None, "added"),  # an unknown date sorts last
    ]
    standing = {
        c.article.number if c.article else c.description for c in defendant.current_charges()
    }
    assert standing == {"206.3.2", "213.1", "an offence the source does not number"}


# --- ECHR -------------------------------------------------------------------------------------


def test_hudoc_link_from_the_item_id():
    application = m.EchrApplication(number="47145/14", hudoc_itemid="001-182178")
    assert application.hudoc_url == "https://hudoc.echr.coe.int/eng?i=001-182178"


def test_hudoc_link_from_the_application_number():
    application = m.EchrApplication(number="47145/14")
    base, _, fragment = application.hudoc_url.partition("#")
    assert base == "https://hudoc.echr.coe.int/eng"
    assert json.loads(unquote(fragment)) == {"appno": ["47145/14"]}
    assert "/" not in fragment and '"' not in fragment


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["Məmmədli", "mammadli", "MAMMADLI", "Мамедли", "Memmedli", "Mammadly"[:-1] + "li"]
)
def test_every_spelling_folds_to_the_same_key(spelling):
    assert search_key(spelling) == search_key("Anar Məmmədli").split()[-1]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Qurbanova", "Gurbanova"),
        ("Xədicə", "Khadija"),
        ("Çingiz", "Chingiz"),
        ("Şahin", "Shahin"),
        ("Ağa", "Agha"),
        ("Hacıyeva", "Hajiyeva"),
        ("Gülər", "Guler"),
        ("Öztürk", "Ozturk"),
        ("Abdullayev", "Абдуллаев"),
        ("Əliyev", "Алиев"),
        ("İsmayılova", "Исмаилова"),
        ("Cəmil", "Джамиль"),
    ],
)
def test_transliteration_variants_match(one, other):
    assert search_key(one) == search_key(other)


def test_different_names_stay_different():
    assert search_key("Mammadli") != search_key("Mammadov")
    assert search_key("Anar") != search_key("Ahmad")


def test_ascii_name_is_readable():
    assert ascii_name("Anar Asəf oğlu Məmmədli") == "Anar Asaf oglu Mammadli"
    assert ascii_name("Əliyev") == "Aliyev"


@pytest.mark.django_db
def test_name_search_finds_every_spelling_and_script(make_detainee):
    person = make_detainee("Testname Məmmədlova")
    m.DetaineeName.objects.create(detainee=person, name="Тестнаме Мамедлова", script="cyrillic")
    make_detainee("Testname Other")
    person.refresh_derived()
    for query in ["məmmədlova", "MAMMADLOVA", "Мамедлова", "testname mamedlova", "Mamedlova Test"]:
        assert list(m.Detainee.objects.matching_name(query)) == [person], query


def test_doubled_digits_are_kept():
    assert search_key("Room 001122").endswith(" 001122")


def test_every_history_model_reads_its_own_table():
    """A lookup resolved at import time, before the history models copy a model's fields (a
    form's `queryset=Occupation.objects.filter(...)` in a class body), leaves the original
    table on the copied field: its history then fails on PostgreSQL ("missing FROM-clause")."""
    from django.apps import apps

    wrong = [
        f"{model.__name__}.{field.name}: {field.cached_col.alias}"
        for model in apps.get_app_config("cases").get_models()
        if model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if field.cached_col.alias != model._meta.db_table
    ]
    assert not wrong, wrong

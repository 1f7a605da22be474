"""A fictional world for the data-out tests, with canaries in everything the public must not see.

Every unpublished entry and every staff-only value contains the word CANARY, and nothing public
does: a test proves an output clean by not finding "canary" in it, in any letter case (slugs are
lower case).
"""

import datetime
import html
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models

from cases import models as m

CANARY = "canary"


@pytest.fixture(autouse=True)
def no_throttle_history():
    """Each test starts with a fresh anonymous request count (the test client's address)."""
    cache.delete("throttle_anon_127.0.0.1")
    yield
    cache.delete("throttle_anon_127.0.0.1")


def staff_only_fields():
    """(model, field) for every text field whose help text says "Staff only"."""
    for model in apps.get_app_config("cases").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and "staff only" in str(
                field.help_text
            ).lower() and not field.choices:  # fmt: skip
                yield model, field


def fill_staff_only_fields():
    """Write a canary into every staff-only text field of every row."""
    for model, field in staff_only_fields():
        value = f"CANARY-{model.__name__}-{field.name}"[: field.max_length or 200]
        if isinstance(field, models.EmailField):
            value = "canary@example.org"
        model.objects.update(**{field.name: value})


@pytest.fixture
def world(db, make_detainee, make_event, make_case, make_article, make_source, django_user_model):
    """Five fictional published people, three unpublished ones, and every kind of hidden fact."""
    journalist = m.Occupation.objects.create(slug="journalist", name="journalist")
    lawyer = m.Occupation.objects.create(slug="lawyer", name="lawyer")
    union = m.Organization.objects.create(slug="fictional-union", name="Fictional Union")
    formula_org = m.Organization.objects.create(slug="formula-org", name="=Formula Org")
    media = make_case("Fictional Media case")
    split = make_case("Fictional split case", parent=media)
    hidden_case = make_case("CANARY-DRAFT-CASE", state=m.State.DRAFT)
    split_of_hidden = make_case("Fictional split of an unpublished case", parent=hidden_case)
    smuggling = make_article("206.3.2", "Fictional smuggling")
    secret_article = make_article("777.7", "CANARY-ARTICLE-ONLY-CHARGED-IN-A-DRAFT-CASE")
    court = m.Court.objects.create(slug="fictional-court", name="Fictional District Court")
    public_source = make_source(url="https://news.example.org/public-report", title="Report")
    confidential = make_source(
        url="https://confidential.example.org/canary-source", title="CANARY-CONFIDENTIAL",
        confidential=True,
    )  # fmt: skip

    def person(name, *, state=m.State.PUBLISHED, occupations=(), events=(), **kwargs):
        p = make_detainee(name, state=state, **kwargs)
        p.occupations.set(occupations)
        for kind, date, extra in events:
            event = make_event(p, kind, date, refresh=False, **extra)
            event.sources.add(public_source, confidential)
        p.refresh_derived()
        p.sources.add(public_source, confidential)
        return p

    people = {
        "aysel": person(
            "Testname Aysel Məmmədova", gender="female", occupations=[journalist],
            events=[("detention", "2023-11-20", {"court": court, "case": media}),
                    ("remand", "2023-11-21", {"description": "@SUM(1+1) remanded"})],
        ),
        "bahruz": person(
            "Testname Bahruz Qasımov", gender="male", occupations=[journalist, lawyer],
            events=[("detention", "2024-04-29", {"case": split}),
                    ("verdict", "2025-06-20", {"sentence_kind": "imprisonment",
                                               "sentence_years": 8})],
        ),
        "formula": person(
            '=cmd|"/C calc"!A0 Testname', gender="other",
            events=[("detention", "2024-05-05", {"case": hidden_case})],
        ),
        "dilara": person(
            "Testname Dilara Şükürova", gender="female",
            events=[("house_arrest", "2024-02-01", {"precision": m.Precision.MONTH})],
        ),
        "elvin": person("Testname Elvin Çələbi", gender="male"),
        "draft": person(
            "Testname CANARY-DRAFT-PERSON", state=m.State.DRAFT, occupations=[journalist],
            events=[("detention", "2024-01-01", {})],
        ),
        "in_review": person(
            "Testname CANARY-IN-REVIEW-PERSON", state=m.State.IN_REVIEW, occupations=[journalist],
        ),
        "retracted": person(
            "Testname CANARY-RETRACTED-PERSON", state=m.State.RETRACTED, occupations=[journalist],
            events=[("detention", "2024-01-01", {})],
        ),
    }  # fmt: skip
    for name in ["Айсель Мамедова", "Aysel Mammadova"]:
        m.DetaineeName.objects.create(detainee=people["aysel"], name=name)
    for name in ["+Testname Plus", "-Testname Minus", "\tTestname Tab", "\rTestname Return"]:
        m.DetaineeName.objects.create(detainee=people["formula"], name=name)
    for key in ["aysel", "formula"]:
        people[key].refresh_derived()

    def defendant(case, key, article=None):
        membership = m.CaseDefendant.objects.create(case=case, detainee=people[key])
        if article:
            charge = m.Charge.objects.create(defendant=membership, article=article)
            charge.sources.add(public_source, confidential)
        return membership

    defendant(media, "aysel", smuggling)
    defendant(split, "bahruz", smuggling)
    defendant(media, "draft", smuggling)
    defendant(hidden_case, "elvin", secret_article)
    defendant(split_of_hidden, "formula")
    m.Affiliation.objects.create(detainee=people["bahruz"], organization=union, role="member")
    m.Affiliation.objects.create(detainee=people["formula"], organization=formula_org)
    m.Affiliation.objects.create(detainee=people["draft"], organization=union)
    for case in [media, split, split_of_hidden]:
        case.sources.add(public_source, confidential)

    group = m.ExecutionGroup.objects.create(slug="fictional-group", name="Fictional group")
    group.sources.add(public_source, confidential)
    application = m.EchrApplication.objects.create(
        number="2222/21", title="Qasimov and Others v. Fictionland", group=group
    )
    application.applicants.add(people["bahruz"], people["draft"], people["retracted"])
    application.sources.add(public_source, confidential)
    application.violations.add(m.ConventionArticle.objects.create(code="5§1"))
    group.lead_application = application
    group.save()
    m.CmDecision.objects.create(
        group=group, date=datetime.date(2025, 3, 1), reference="CM/Fictional/1", summary="Noted."
    )
    secret_application = m.EchrApplication.objects.create(number="3333/22", title="Testname")
    secret_application.applicants.add(people["draft"])

    # Staff-only data: contacts, a pending change and a canary in every staff-only text field.
    m.Contact.objects.create(detainee=people["aysel"], kind="lawyer", name="x")
    author = django_user_model.objects.create_user(username="researcher")
    m.PendingChange.objects.create(
        detainee=people["aysel"], author=author, base_version=1, summary="x",
        data={"name": "Testname CANARY-PENDING-NAME"},
    )  # fmt: skip
    fill_staff_only_fields()
    return people


def listing_slugs(client, query=""):
    """The slugs of the HTML listing's rows, in its order (every row on one page)."""
    separator = "&" if query else ""
    text = client.get(f"/detainees/?{query}{separator}per_page=100").text
    return re.findall(r'<a class="name" href="/detainees/([^/"]+)/"', text)


def listing_names(client, query=""):
    separator = "&" if query else ""
    text = client.get(f"/detainees/?{query}{separator}per_page=100").text
    return [html.unescape(n).strip() for n in re.findall(r'class="name"[^>]*>([^<]+)<', text)]


# Queries whose rows the export and the API must give exactly as the HTML listing does.
LISTING_QUERIES = [
    "",
    "status=pre_trial",
    "status=imprisoned&status=house_arrest",
    "occupation=journalist",
    "occupation=journalist&occupation=lawyer",
    "organization=fictional-union",
    "case=fictional-media-case",
    "article=206",
    "gender=male",
    "detained_from=2024-01-01",
    "detained_from=2023-01-01&detained_to=2023-12-31",
    "echr=yes",
    "echr=no",
    "held_on=2024-06-01",
    "q=mammadova",
    "q=Мамедова",
    "sort=-detained",
    "sort=-updated",
    "occupation=journalist&gender=female&sort=detained",
]

"""A fictional person with spellings in three scripts and text in some languages only."""

import datetime

import pytest
from django.utils import timezone, translation

from cases import models as m


@pytest.fixture(autouse=True)
def _english_first():
    """A request leaves its language active in the thread, and `Model(name=...)` writes the
    active language's column: start each test in English, as a fresh process does."""
    translation.activate("en")


@pytest.fixture
def kamran(make_detainee, make_event, make_case, make_source):
    """Held for 21 days; biography in English and Russian only, an event described in English."""
    person = make_detainee(
        "Testname Kamran Fictional",
        born=datetime.date(1990, 4, 29),
        born_precision=m.Precision.DAY,
        bio_en="A fictional reporter.",
        bio_ru="Вымышленный репортёр.",
    )
    for name, language, script, kind in [
        ("Testname Kamran Fiktsional", "", "latin", "transliteration"),
        ("Testname Kamran Fiksiyalı", "az", "latin", "native"),
        ("Тестнейм Камран Фикшнл", "ru", "cyrillic", "transliteration"),
    ]:
        m.DetaineeName.objects.create(
            detainee=person, name=name, language=language, script=script, kind=kind
        )
    case = make_case("Fictional newsroom case", name_az="Uydurma redaksiya işi")
    m.CaseDefendant.objects.create(case=case, detainee=person)
    detained = timezone.localdate() - datetime.timedelta(days=21)
    event = make_event(
        person, "detention", detained, case=case, description_en="Detained at the newsroom."
    )
    event.sources.add(make_source())
    make_event(person, "remand", detained + datetime.timedelta(days=1), term_months=2)
    return person

"""The public pages built so far show published entries only; the rest answers 404."""

import datetime
import re

import pytest
from django.utils import timezone

from cases import models as m


@pytest.mark.django_db
@pytest.mark.parametrize("state", [m.State.DRAFT, m.State.IN_REVIEW, m.State.RETRACTED])
def test_unpublished_detainee_answers_like_a_missing_one(client, make_detainee, state):
    person = make_detainee("Testname Hidden", state=state)
    hidden = client.get(f"/detainees/{person.slug}/")
    missing = client.get("/detainees/no-such-person/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    assert "Testname Hidden" not in hidden.text


@pytest.mark.django_db
@pytest.mark.parametrize("state", [m.State.DRAFT, m.State.IN_REVIEW, m.State.RETRACTED])
def test_unpublished_case_is_404(client, make_case, state):
    case = make_case("Fictional hidden case", state=state)
    assert client.get(f"/cases/{case.slug}/").status_code == 404


@pytest.mark.django_db
def test_detainee_page_shows_the_timeline_with_public_sources_only(
    client, make_detainee, make_event, make_source
):
    person = make_detainee("Testname Visible")
    event = make_event(person, "detention", "2024-04-01", precision=m.Precision.MONTH)
    event.sources.add(make_source(title="Public report"))
    event.sources.add(make_source(title="CONFIDENTIAL-CANARY", confidential=True))
    m.Contact.objects.create(detainee=person, kind="lawyer", name="CONTACT-CANARY")
    m.Detainee.objects.filter(pk=person.pk).update(internal_notes="NOTE-CANARY")

    page = client.get(f"/detainees/{person.slug}/").text
    assert "April 2024" in page and "Public report" in page
    for canary in ["CONFIDENTIAL-CANARY", "CONTACT-CANARY", "NOTE-CANARY"]:
        assert canary not in page


@pytest.mark.django_db
def test_home_counts_published_people_held_only(client, make_detainee, make_event):
    for state in [m.State.PUBLISHED, m.State.DRAFT, m.State.RETRACTED]:
        make_event(make_detainee(state=state), "detention", "2024-01-01")
    text = client.get("/").text
    assert re.search(r"<strong>1</strong>\s+person held now", text)
    assert re.search(r"<strong>1</strong>\s+new detention", text) is None  # 2024 is not recent


@pytest.mark.django_db
def test_home_counts_new_detentions_of_the_last_30_days(client, make_detainee, make_event):
    today = timezone.localdate()
    make_event(make_detainee(), "detention", today - datetime.timedelta(days=5))
    make_event(make_detainee(), "detention", today - datetime.timedelta(days=45))
    make_event(make_detainee(state=m.State.DRAFT), "detention", today)
    text = client.get("/").text
    assert re.search(r"<strong>1</strong>\s+new detention in the last 30 days", text)


@pytest.mark.django_db
def test_a_cached_page_changes_as_soon_as_the_data_does(client, make_detainee, make_event):
    person = make_detainee("Testname Cached Person")
    make_event(person, "detention", "2024-01-01")
    url = f"/detainees/{person.slug}/"
    assert "pre-trial detention" in client.get(url).text
    assert "pre-trial detention" in client.get(url).text  # from the cache
    make_event(person, "release", "2024-05-01")
    assert "released" in client.get(url).text
    person.state = m.State.RETRACTED
    person.save()
    assert client.get(url).status_code == 404

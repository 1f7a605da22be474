"""Derived status, custody periods and days in custody over realistic (fictional) timelines."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import models as m

D = datetime.date
K = m.Event.Kind


def test_detained_remanded_convicted_released(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2020-03-10")
    make_event(person, K.REMAND, "2020-03-11", term_months=3)
    assert person.status == m.Status.PRE_TRIAL
    assert person.in_custody_since == D(2020, 3, 10)

    make_event(person, K.TRIAL_START, "2020-09-01")
    assert person.status == m.Status.ON_TRIAL

    make_event(
        person, K.VERDICT, "2020-12-01", sentence_kind="imprisonment", sentence_years=5,
        sentence_months=6,
    )  # fmt: skip
    assert person.status == m.Status.IMPRISONED
    assert person.sentence_months == 66
    assert person.sentence_display == "imprisonment, 5 years 6 months"
    assert person.days_in_custody(today=D(2021, 3, 10)) == 365

    make_event(person, K.RELEASE, "2022-03-10")
    assert person.status == m.Status.RELEASED
    assert person.status_since == D(2022, 3, 10)
    assert person.in_custody_since is None
    assert person.released_on == D(2022, 3, 10)
    assert person.days_in_custody(today=D(2030, 1, 1)) == 730
    periods = list(person.custody_periods.values_list("kind", "start", "end"))
    assert periods == [("custody", D(2020, 3, 10), D(2022, 3, 10))]


def test_house_arrest_ends_custody_and_is_kept_apart(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2023-01-01")
    make_event(person, K.HOUSE_ARREST, "2023-01-31")
    assert person.status == m.Status.HOUSE_ARREST
    assert not person.is_held
    assert person.custody_days_closed == 30
    periods = list(person.custody_periods.values_list("kind", "start", "end"))
    assert periods == [
        ("custody", D(2023, 1, 1), D(2023, 1, 31)),
        ("house_arrest", D(2023, 1, 31), None),
    ]


def test_second_arrest_years_later_adds_a_period_and_resets_the_sentence(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2013-12-16")
    make_event(
        person, K.VERDICT, "2014-05-26", sentence_kind="imprisonment", sentence_years=5,
        sentence_months=6,
    )  # fmt: skip
    make_event(person, K.PARDON, "2016-03-17")
    assert person.status == m.Status.PARDONED
    make_event(person, K.DETENTION, "2024-04-29")
    make_event(person, K.REMAND_EXTENSION, "2024-11-20", term_months=3)

    assert person.status == m.Status.PRE_TRIAL
    assert person.status_since == D(2024, 4, 29)
    assert person.first_detained_on == D(2013, 12, 16)
    assert person.in_custody_since == D(2024, 4, 29)
    assert person.sentence_kind == ""
    first_period = (D(2016, 3, 17) - D(2013, 12, 16)).days
    assert person.custody_days_closed == first_period
    assert person.days_in_custody(today=D(2025, 11, 25)) == first_period + 575
    assert person.custody_periods.count() == 2


def test_month_precision_is_carried_into_the_custody_period(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2025-04-01", precision=m.Precision.MONTH)
    period = person.custody_periods.get()
    assert period.start_precision == m.Precision.MONTH
    assert person.in_custody_since_precision == m.Precision.MONTH


def test_suspended_sentence_releases(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2021-01-10")
    make_event(person, K.VERDICT, "2021-06-01", sentence_kind="suspended", sentence_years=3)
    assert person.status == m.Status.RELEASED
    assert not person.is_held
    assert person.sentence_kind == "suspended"


def test_sentence_in_absentia_does_not_hold_anyone(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.EXILE, "2019-01-01", precision=m.Precision.YEAR)
    make_event(
        person, K.VERDICT, "2022-02-02", sentence_kind="imprisonment", sentence_years=8,
        in_absentia=True,
    )  # fmt: skip
    assert person.status == m.Status.IN_ABSENTIA
    assert not person.custody_periods.exists()


def test_appeal_changes_the_current_sentence(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2021-01-10")
    make_event(person, K.VERDICT, "2021-06-01", sentence_kind="imprisonment", sentence_years=9)
    make_event(person, K.APPEAL, "2021-10-01", sentence_kind="imprisonment", sentence_years=7)
    assert person.sentence_months == 84
    assert person.status == m.Status.IMPRISONED


def test_death_in_custody(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2021-01-10")
    make_event(person, K.DEATH, "2022-01-10")
    assert person.status == m.Status.DIED_IN_CUSTODY
    assert person.custody_days_closed == 365


def test_travel_ban_after_release(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2021-01-10")
    make_event(person, K.RELEASE, "2021-02-10")
    make_event(person, K.TRAVEL_BAN, "2021-02-11")
    assert person.status == m.Status.TRAVEL_BAN


def test_no_events_means_unknown(make_detainee):
    person = make_detainee()
    person.refresh_derived()
    assert person.status == m.Status.UNKNOWN
    assert person.days_in_custody() == 0


def test_detention_and_release_on_the_same_day_keep_their_order(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.RELEASE, "2024-05-05", refresh=False)
    make_event(person, K.DETENTION, "2024-05-05")
    assert person.status == m.Status.RELEASED
    assert person.custody_periods.get().end == D(2024, 5, 5)


def test_release_before_the_first_detention_is_refused(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2024-04-29", refresh=False)
    make_event(person, K.RELEASE, "2024-04-01", refresh=False)
    with pytest.raises(ValidationError, match="before the first detention"):
        person.refresh_derived()


def test_events_are_walked_in_date_order_not_entry_order(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.RELEASE, "2020-06-01", refresh=False)
    make_event(person, K.DETENTION, "2020-01-01", refresh=False)
    person.refresh_derived()
    assert person.status == m.Status.RELEASED
    assert person.custody_days_closed == (D(2020, 6, 1) - D(2020, 1, 1)).days


def test_held_queryset_follows_the_derived_state(make_detainee, make_event):
    held = make_detainee()
    make_event(held, K.DETENTION, "2024-01-01")
    freed = make_detainee()
    make_event(freed, K.DETENTION, "2024-01-01")
    make_event(freed, K.RELEASE, "2024-02-01")
    assert list(m.Detainee.objects.held()) == [held]


def test_a_release_known_to_the_month_follows_a_detention_in_that_month(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.DETENTION, "2024-03-15", refresh=False)
    make_event(person, K.RELEASE, "2024-03-01", precision=m.Precision.MONTH)
    assert person.status == m.Status.RELEASED
    period = person.custody_periods.get()
    # Known to the month: the period ends no earlier than it began, and says so at its precision.
    assert (period.start, period.end, period.end_precision) == (
        D(2024, 3, 15),
        D(2024, 3, 15),
        m.Precision.MONTH,
    )


def test_a_detention_known_to_the_year_precedes_a_remand_that_year(make_detainee, make_event):
    person = make_detainee()
    make_event(person, K.REMAND_EXTENSION, "2019-06-20", refresh=False)
    make_event(person, K.DETENTION, "2019-01-01", precision=m.Precision.YEAR)
    assert person.status == m.Status.PRE_TRIAL
    assert person.first_detained_on_precision == m.Precision.YEAR

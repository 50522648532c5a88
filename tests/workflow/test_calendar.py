"""The deadline calculator: working days (weekends, Vietnamese public holidays,
make-up Saturdays, the admin's overrides) and arithmetic in half working days.

Every expected date is counted by hand in a comment: each counted working day
is numbered, skipped days are named. Weekday names were checked on a calendar.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import WorkingCalendar, forget_calendar, working_calendar
from workflow.models import CalendarDay

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=0, minute=0):
    """An aware moment in Vietnam."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """working_calendar() caches the overrides; a rolled-back CalendarDay must
    not leak into the next test (rollback sends no post_delete)."""
    forget_calendar()
    yield
    forget_calendar()


# --- Which days are working days -------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 3, 10),  # plain Monday
        dt.date(2025, 3, 14),  # plain Friday
        dt.date(2025, 4, 26),  # Saturday worked in exchange for Fri 2 May 2025
        dt.date(2026, 8, 22),  # Saturday worked in exchange for Mon 31 Aug 2026
        dt.date(2025, 2, 3),  # Monday after Tết 2025
        dt.date(2026, 2, 23),  # Monday after Tết 2026
    ],
)
def test_working_days(day):
    assert WorkingCalendar().is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 3, 8),  # plain Saturday
        dt.date(2025, 3, 9),  # plain Sunday
        dt.date(2025, 1, 1),  # New Year
        dt.date(2025, 1, 27),  # Tết 2025, Monday…
        dt.date(2025, 1, 31),  # …to Friday
        dt.date(2025, 2, 1),  # and Saturday
        dt.date(2025, 4, 7),  # Hùng Kings
        dt.date(2025, 4, 30),  # Reunification
        dt.date(2025, 5, 1),  # Labour Day
        dt.date(2025, 5, 2),  # Friday off, substituted from Sat 26 Apr 2025
        dt.date(2025, 9, 1),  # National Day
        dt.date(2025, 9, 2),
        dt.date(2026, 2, 16),  # Tết 2026, Monday…
        dt.date(2026, 2, 20),  # …to Friday
        dt.date(2026, 4, 27),  # Monday, observed for Hùng Kings on Sun 26 Apr 2026
        dt.date(2026, 8, 29),  # plain Saturday next to the make-up one
        dt.date(2026, 8, 31),  # Monday off, substituted from Sat 22 Aug 2026
        dt.date(2026, 9, 1),  # National Day
        dt.date(2026, 9, 2),
        dt.date(2026, 11, 24),  # Vietnam Cultural Day (Tuesday)
    ],
)
def test_days_off(day):
    assert not WorkingCalendar().is_working_day(day)


def test_next_working_day_skips_the_weekend():
    # Fri 14 Mar 2025 → Sat 15, Sun 16 skipped → Mon 17.
    assert WorkingCalendar().next_working_day(dt.date(2025, 3, 14)) == dt.date(2025, 3, 17)


def test_next_working_day_skips_tet():
    # Fri 24 Jan 2025 → Sat 25, Sun 26, Tết Mon 27–Sat 1 Feb, Sun 2 skipped → Mon 3 Feb.
    assert WorkingCalendar().next_working_day(dt.date(2025, 1, 24)) == dt.date(2025, 2, 3)


def test_next_working_day_lands_on_a_make_up_saturday():
    # Fri 21 Aug 2026 → Sat 22 is worked.
    assert WorkingCalendar().next_working_day(dt.date(2026, 8, 21)) == dt.date(2026, 8, 22)


# --- Counting in a plain week (March 2025 has no holiday) -------------------------


def test_received_in_the_morning_counts_that_morning():
    # Mon 10 Mar 10:00, 3 days: Mon 10 (1), Tue 11 (2), Wed 12 (3) → Wed 17:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 10), 3) == at(2025, 3, 12, 17)


def test_received_in_the_afternoon_counts_from_that_afternoon():
    # Mon 10 Mar 14:00, 6 halves: Mon pm, Tue am+pm, Wed am+pm, Thu am → Thu 12:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 14), 3) == at(2025, 3, 13, 12)


def test_received_after_the_cut_off_counts_from_the_next_morning():
    # Mon 10 Mar 15:30 → starts Tue 11: Tue (1), Wed (2), Thu 13 (3) → Thu 17:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 15, 30), 3) == at(2025, 3, 13, 17)


def test_received_at_noon_counts_from_the_afternoon():
    # Mon 10 Mar 12:00 is the afternoon: 1 half, Mon pm → Mon 17:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 12), Decimal("0.5")) == at(2025, 3, 10, 17)


def test_received_exactly_at_the_cut_off_counts_from_the_next_morning():
    # Mon 10 Mar 15:00 is not before the cut-off: 1 half, Tue 11 am → Tue 12:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 15), Decimal("0.5")) == at(2025, 3, 11, 12)


def test_received_early_in_the_morning_counts_that_morning():
    # Mon 10 Mar 06:30: Mon (1) → Mon 17:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 6, 30), 1) == at(2025, 3, 10, 17)


@pytest.mark.parametrize("received", [at(2025, 3, 8, 9), at(2025, 3, 9, 16)], ids=["saturday", "sunday"])
def test_received_at_the_weekend_counts_from_monday(received):
    # Sat 8 / Sun 9 Mar → starts Mon 10: Mon (1), Tue (2), Wed 12 (3) → Wed 17:00.
    assert WorkingCalendar().add(received, 3) == at(2025, 3, 12, 17)


def test_received_friday_after_the_cut_off_is_due_monday():
    # Fri 14 Mar 16:00 → Sat 15, Sun 16 skipped → Mon 17 (1) → Mon 17:00.
    assert WorkingCalendar().add(at(2025, 3, 14, 16), 1) == at(2025, 3, 17, 17)


def test_half_a_day_received_in_the_morning_ends_at_noon():
    # Mon 10 Mar 09:00, 1 half: Mon am → Mon 12:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 9), Decimal("0.5")) == at(2025, 3, 10, 12)


def test_half_a_day_received_in_the_afternoon_ends_at_the_end_of_the_day():
    # Mon 10 Mar 13:00, 1 half: Mon pm → Mon 17:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 13), 0.5) == at(2025, 3, 10, 17)


def test_one_and_a_half_days_from_the_morning():
    # Mon 10 Mar 09:00, 3 halves: Mon am, Mon pm, Tue am → Tue 12:00.
    assert WorkingCalendar().add(at(2025, 3, 10, 9), Decimal("1.5")) == at(2025, 3, 11, 12)


def test_zero_days_is_the_start_itself():
    start = at(2025, 3, 8, 9)  # a Saturday: not moved to Monday
    assert WorkingCalendar().add(start, 0) == start


def test_a_moment_in_another_time_zone_is_read_in_vietnam():
    # 08:30 UTC on Fri 14 Mar = 15:30 in Vietnam, after the cut-off:
    # Sat 15, Sun 16 skipped → Mon 17 (1) → Mon 17:00 (not Friday 17:00).
    received = dt.datetime(2025, 3, 14, 8, 30, tzinfo=dt.UTC)
    assert WorkingCalendar().add(received, 1) == at(2025, 3, 17, 17)


@pytest.mark.parametrize("days", [0.3, Decimal("1.25"), 2.2])
def test_a_limit_that_is_not_whole_half_days_is_refused(days):
    with pytest.raises(ValueError, match="not a whole number of half days"):
        WorkingCalendar().add(at(2025, 3, 10, 9), days)


# --- Holidays --------------------------------------------------------------------


def test_a_limit_across_tet_2025():
    # Fri 24 Jan 2025 10:00, 5 days: Fri 24 (1); Sat 25, Sun 26 weekend;
    # Tết Mon 27–Sat 1 Feb; Sun 2 weekend; Mon 3 (2), Tue 4 (3), Wed 5 (4),
    # Thu 6 (5) → Thu 6 Feb 17:00.
    assert WorkingCalendar().add(at(2025, 1, 24, 10), 5) == at(2025, 2, 6, 17)


def test_a_limit_across_tet_2026():
    # Thu 12 Feb 2026 10:00, 5 days: Thu 12 (1), Fri 13 (2); Sat 14, Sun 15
    # weekend; Tết Mon 16–Fri 20; Sat 21, Sun 22 weekend; Mon 23 (3),
    # Tue 24 (4), Wed 25 (5) → Wed 25 Feb 17:00.
    assert WorkingCalendar().add(at(2026, 2, 12, 10), 5) == at(2026, 2, 25, 17)


def test_received_friday_after_the_cut_off_is_due_on_the_make_up_saturday():
    # Fri 21 Aug 2026 16:00 → Sat 22 is worked: Sat 22 (1) → Sat 22 17:00.
    assert WorkingCalendar().add(at(2026, 8, 21, 16), 1) == at(2026, 8, 22, 17)


def test_a_limit_across_national_day_2026():
    # Fri 28 Aug 2026 10:00, 3 days: Fri 28 (1); Sat 29, Sun 30 weekend;
    # Mon 31 (substitute day off), Tue 1 Sep, Wed 2 Sep off; Thu 3 (2),
    # Fri 4 (3) → Fri 4 Sep 17:00.
    assert WorkingCalendar().add(at(2026, 8, 28, 10), 3) == at(2026, 9, 4, 17)


def test_a_limit_counts_the_make_up_saturday_of_april_2025():
    # Fri 25 Apr 2025 10:00, 3 days: Fri 25 (1), Sat 26 worked (2), Sun 27
    # weekend, Mon 28 (3) → Mon 28 Apr 17:00.
    assert WorkingCalendar().add(at(2025, 4, 25, 10), 3) == at(2025, 4, 28, 17)


def test_a_limit_across_reunification_and_labour_day_2025():
    # Tue 29 Apr 2025 10:00, 2 days: Tue 29 (1); Wed 30, Thu 1 May, Fri 2 May
    # (substituted) off; Sat 3, Sun 4 weekend; Mon 5 (2) → Mon 5 May 17:00.
    assert WorkingCalendar().add(at(2025, 4, 29, 10), 2) == at(2025, 5, 5, 17)


# --- Overrides -------------------------------------------------------------------


def test_an_extra_day_off_pushes_the_due_date_by_a_day():
    # Tue 11 Mar 2025 off. Mon 10 Mar 10:00, 3 days: Mon 10 (1), Tue 11 off,
    # Wed 12 (2), Thu 13 (3) → Thu 17:00 (Wed without the override).
    calendar = WorkingCalendar({dt.date(2025, 3, 11): False})
    assert not calendar.is_working_day(dt.date(2025, 3, 11))
    assert calendar.add(at(2025, 3, 10, 10), 3) == at(2025, 3, 13, 17)


def test_an_extra_make_up_saturday_shortens_the_limit():
    # Sat 15 Mar 2025 worked. Fri 14 Mar 10:00, 2 days: Fri 14 (1), Sat 15 (2)
    # → Sat 17:00 (Mon 17 Mar 17:00 without the override).
    assert WorkingCalendar().add(at(2025, 3, 14, 10), 2) == at(2025, 3, 17, 17)
    calendar = WorkingCalendar({dt.date(2025, 3, 15): True})
    assert calendar.is_working_day(dt.date(2025, 3, 15))
    assert calendar.add(at(2025, 3, 14, 10), 2) == at(2025, 3, 15, 17)


def test_overrides_take_precedence_over_the_public_calendar():
    calendar = WorkingCalendar({dt.date(2025, 9, 1): True, dt.date(2026, 8, 22): False})
    assert calendar.is_working_day(dt.date(2025, 9, 1))  # National Day worked
    assert not calendar.is_working_day(dt.date(2026, 8, 22))  # make-up Saturday cancelled
    # Fri 21 Aug 2026 16:00, 1 day: Sat 22 now off, Sun 23 weekend → Mon 24 (1) → Mon 17:00.
    assert calendar.add(at(2026, 8, 21, 16), 1) == at(2026, 8, 24, 17)


def test_a_saved_calendar_day_is_seen_at_once_and_deleting_it_restores(db):
    # Mon 10 Mar 2025 10:00, 3 days: Mon, Tue, Wed → Wed 12 17:00;
    # with Tue 11 off: Mon (1), Wed (2), Thu (3) → Thu 13 17:00.
    received = at(2025, 3, 10, 10)
    assert working_calendar().add(received, 3) == at(2025, 3, 12, 17)  # the cache is now filled

    day_off = CalendarDay.objects.create(date=dt.date(2025, 3, 11), is_working_day=False, note="Nghỉ bù")
    assert not working_calendar().is_working_day(dt.date(2025, 3, 11))
    assert working_calendar().add(received, 3) == at(2025, 3, 13, 17)

    day_off.delete()
    assert working_calendar().is_working_day(dt.date(2025, 3, 11))
    assert working_calendar().add(received, 3) == at(2025, 3, 12, 17)


def test_an_edited_calendar_day_is_seen_at_once(db):
    # Sat 15 Mar 2025. Fri 14 Mar 10:00, 2 days: worked → Fri (1), Sat (2) →
    # Sat 17:00; unticked → Fri (1), Mon 17 (2) → Mon 17:00.
    saturday = CalendarDay.objects.create(date=dt.date(2025, 3, 15), is_working_day=True, note="Làm bù")
    assert working_calendar().add(at(2025, 3, 14, 10), 2) == at(2025, 3, 15, 17)

    saturday.is_working_day = False
    saturday.save()
    assert working_calendar().add(at(2025, 3, 14, 10), 2) == at(2025, 3, 17, 17)


# --- Remaining time and pauses ---------------------------------------------------

# Mon 3 Mar 2025 08:00, 10 days: Mon 3–Fri 7 (1–5), Mon 10–Fri 14 (6–10)
# → due Fri 14 Mar 17:00.
RECEIVED = at(2025, 3, 3, 8)
DUE = at(2025, 3, 14, 17)


def test_ten_days_from_monday_morning_end_friday_of_the_next_week():
    assert WorkingCalendar().add(RECEIVED, 10) == DUE


def test_all_the_time_remains_at_receipt():
    assert WorkingCalendar().remaining(RECEIVED, DUE) == 10


def test_remaining_on_wednesday_morning():
    # Wed 5, Thu 6, Fri 7 (3) + Mon 10–Fri 14 (5) = 8 days.
    assert WorkingCalendar().remaining(at(2025, 3, 5, 8), DUE) == 8


def test_remaining_on_wednesday_afternoon_counts_half_days():
    # Wed 5 pm (0.5) + Thu 6, Fri 7 (2) + Mon 10–Fri 14 (5) = 7.5 days.
    assert WorkingCalendar().remaining(at(2025, 3, 5, 13), DUE) == Decimal("7.5")


def test_remaining_on_the_last_morning():
    # Fri 14 Mar 09:00: Fri am, Fri pm = 1 day.
    assert WorkingCalendar().remaining(at(2025, 3, 14, 9), DUE) == 1


@pytest.mark.parametrize("moment", [DUE, at(2025, 3, 14, 17, 1), at(2025, 3, 20, 9)], ids=["at", "after", "days-after"])
def test_nothing_remains_when_due_is_reached_or_past(moment):
    assert WorkingCalendar().remaining(moment, DUE) == 0


def test_resuming_after_a_week_long_pause_moves_the_due_date_a_working_week():
    # Paused Wed 5 Mar 08:00 with 8 days left (see above); resumed Wed 12 Mar
    # 08:00: Wed 12 (1), Thu 13 (2), Fri 14 (3), Mon 17 (4), Tue 18 (5),
    # Wed 19 (6), Thu 20 (7), Fri 21 (8) → Fri 21 Mar 17:00, one week after DUE.
    calendar = WorkingCalendar()
    left = calendar.remaining(at(2025, 3, 5, 8), DUE)
    assert calendar.add(at(2025, 3, 12, 8), left) == at(2025, 3, 21, 17)


def test_resuming_an_afternoon_pause_keeps_the_half_day():
    # Paused Wed 5 Mar 13:00 with 7.5 days left; resumed Wed 12 Mar 13:00:
    # Wed 12 pm (0.5), Thu 13, Fri 14, Mon 17–Fri 21 (7) → Fri 21 Mar 17:00.
    calendar = WorkingCalendar()
    left = calendar.remaining(at(2025, 3, 5, 13), DUE)
    assert calendar.add(at(2025, 3, 12, 13), left) == at(2025, 3, 21, 17)

"""Working time: the one deadline calculator of the system.

A working day is Monday to Friday, or a make-up working day, and not a
Vietnamese public holiday (the ``holidays`` package: Tết, substitute days off
and the Saturdays worked in exchange), with the admin's ``CalendarDay`` rows
taking precedence (extra days off, extra make-up working days).

Time is counted in half working days. A working day has a morning half
ending at ``WORKDAY_NOON`` and an afternoon half ending at ``WORKDAY_END``.
Counting starts with the half-day in which the dossier arrives if that is a
working day before ``WORKDAY_CUTOFF``; otherwise with the morning of the next
working day. A time limit of N days ends when 2·N half-days have been
counted, at the end of the last one.

Examples (cut-off 15:00, a 3-day limit):
received Monday 10:00 → due Wednesday at the end of the day;
received Monday 14:00 → due Thursday at noon;
received Monday 15:30 → due Thursday at the end of the day.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property

import holidays
from django.conf import settings
from django.utils import timezone

MORNING, AFTERNOON = 0, 1


@dataclass(frozen=True, order=True)
class HalfDay:
    """One half of a working day."""

    day: dt.date
    half: int

    def end(self, tz: dt.tzinfo) -> dt.datetime:
        clock = settings.WORKDAY_NOON if self.half == MORNING else settings.WORKDAY_END
        return dt.datetime.combine(self.day, clock, tzinfo=tz)


class WorkingCalendar:
    """Answers "is this a working day" and does arithmetic in half working days.

    ``overrides`` maps a date to ``True`` (work that day) or ``False`` (day off).
    """

    def __init__(self, overrides: dict[dt.date, bool] | None = None) -> None:
        self.overrides = overrides or {}

    @cached_property
    def tz(self) -> dt.tzinfo:
        return timezone.get_default_timezone()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, weekend_workdays = _public_calendar(day.year)
        if day in days_off:
            return False
        return day.weekday() < 5 or day in weekend_workdays

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def first_half(self, moment: dt.datetime) -> HalfDay:
        """The first half-day counted for something that starts at ``moment``."""
        local = timezone.localtime(moment, self.tz)
        day, clock = local.date(), local.time()
        if self.is_working_day(day) and clock < settings.WORKDAY_CUTOFF:
            return HalfDay(day, MORNING if clock < settings.WORKDAY_NOON else AFTERNOON)
        return HalfDay(self.next_working_day(day), MORNING)

    def next_half(self, half: HalfDay) -> HalfDay:
        if half.half == MORNING:
            return HalfDay(half.day, AFTERNOON)
        return HalfDay(self.next_working_day(half.day), MORNING)

    def add(self, start: dt.datetime, days: Decimal | float | int) -> dt.datetime:
        """When ``days`` working days starting at ``start`` run out."""
        halves = _halves(days)
        if halves <= 0:
            return start
        half = self.first_half(start)
        for _ in range(halves - 1):
            half = self.next_half(half)
        return half.end(self.tz)

    def remaining(self, moment: dt.datetime, due: dt.datetime) -> Decimal:
        """Working days left at ``moment`` before ``due`` (0 when past it)."""
        if due <= moment:
            return Decimal(0)
        half, count = self.first_half(moment), 0
        while half.end(self.tz) <= due:
            count += 1
            half = self.next_half(half)
        return Decimal(count) / 2

    def between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Working days counted from ``start`` up to ``end``."""
        return self.remaining(start, end)


@cache
def _public_calendar(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Vietnam's public days off and make-up working Saturdays of ``year``,
    from the ``holidays`` package, as sets for fast lookups."""
    public = holidays.country_holidays("VN", years=year)
    return frozenset(public), frozenset(d for d in public.weekend_workdays if d.year == year)


def _halves(days: Decimal | float | int) -> int:
    value = Decimal(str(days)) * 2
    if value != value.to_integral_value():
        raise ValueError(f"{days} is not a whole number of half days")
    return int(value)


_cache_lock = threading.Lock()
_cache: tuple[float, WorkingCalendar] | None = None
CACHE_SECONDS = 60


def working_calendar() -> WorkingCalendar:
    """The calendar with the admin's overrides, reloaded at most once a minute
    (and at once in this process when a ``CalendarDay`` is saved)."""
    global _cache
    with _cache_lock:
        if _cache is None or time.monotonic() - _cache[0] > CACHE_SECONDS:
            from workflow.models import CalendarDay

            overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
            _cache = (time.monotonic(), WorkingCalendar(overrides))
        return _cache[1]


def forget_calendar() -> None:
    global _cache
    with _cache_lock:
        _cache = None

"""The KPIs of the one-stop shop (docs/kpis.md): read queries for the API, the
``kpi`` command and the leaders' dashboard, which therefore show the same figures.

Period figures come from ``KpiDaily``, daily counts per agency and channel by
Vietnam local date that database triggers keep exact (migration 0005): a
year is a few thousand rows whatever the number of dossiers. "Overdue now"
is a live query on the partial index of dossiers in the flow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from procedures.models import AdministrativeLevel, Agency, FlowVersion, Procedure
from workflow.errors import InvalidInput
from workflow.models import IN_FLOW_STATES, Channel, Dossier, Kpi, KpiDaily, KpiTarget

COUNTS = (
    "received", "papers_digitised", "with_fee", "paid_online", "finished", "on_time",
    "returned", "result_digitised", "rated", "rating_sum",
)  # fmt: skip
TOP_OVERDUE = 10
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class KpiFilters:
    """A period of Vietnam local dates (both ends included) and an optional agency, level and channel."""

    date_from: dt.date
    date_to: dt.date
    agency: str | None = None
    level: str | None = None
    channel: str | None = None

    def as_params(self) -> dict[str, str]:
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        params.update(
            {k: v for k, v in (("agency", self.agency), ("level", self.level), ("channel", self.channel)) if v}
        )
        return params


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1), today


# Periods the dashboard answers for: wide enough for any real report, and
# bounded so a month-by-month trend stays small.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def parse_filters(params: Mapping[str, Any]) -> KpiFilters:
    """Filters from request or command parameters (``from``, ``to`` as YYYY-MM-DD,
    ``agency`` code, ``level`` code, ``channel``); missing dates default to the
    last twelve months. Raises ``InvalidInput`` naming each bad field."""
    errors: dict[str, list[str]] = {}
    default_from, default_to = default_period()
    dates = {}
    for name, default in (("from", default_from), ("to", default_to)):
        raw = params.get(name) or ""
        value = None
        if raw:
            try:
                value = parse_date(str(raw))
            except ValueError:
                value = None
            if value is None:
                errors[name] = [_("Enter a valid date as YYYY-MM-DD.")]
            elif not EARLIEST <= value <= LATEST:
                bounds = {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
                errors[name] = [_("Enter a date from %(first)s to %(last)s.") % bounds]
                value = None
        dates[name] = value or default
    if not errors and dates["from"] > dates["to"]:
        errors["to"] = [_("The end of the period must not be before its start.")]
    agency = (params.get("agency") or "").strip() or None
    # The shape is checked before the database sees the value (a NUL byte is an error in PostgreSQL).
    if agency and not (CODE.fullmatch(agency) and Agency.objects.filter(code=agency).exists()):
        errors["agency"] = [_("There is no agency with the code '%(code)s'.") % {"code": agency}]
    level = (params.get("level") or "").strip() or None
    if level and not (CODE.fullmatch(level) and AdministrativeLevel.objects.filter(code=level).exists()):
        errors["level"] = [_("There is no administrative level '%(code)s'.") % {"code": level}]
    channel = (params.get("channel") or "").strip() or None
    if channel and channel not in Channel.values:
        errors["channel"] = [_("Choose one of: %s") % ", ".join(Channel.values)]
    if errors:
        raise InvalidInput(_("The filters are not valid."), fields=errors)
    return KpiFilters(dates["from"], dates["to"], agency, level, channel)


# Targets -------------------------------------------------------------------------


class Targets:
    """The configured targets, read once: a level's own target, else the one for all levels."""

    def __init__(self) -> None:
        self._by_key = {
            (t.kpi, t.level.code if t.level else None): t.target for t in KpiTarget.objects.select_related("level")
        }

    def get(self, kpi: str, level: str | None = None) -> float | None:
        value = self._by_key.get((kpi, level)) if level else None
        value = self._by_key.get((kpi, None)) if value is None else value
        return float(value) if value is not None else None


# Computing -----------------------------------------------------------------------


def _ratio(part: int | float, whole: int | float) -> float | None:
    return round(part / whole, 4) if whole else None


def _met(value: float | None, target: float | None) -> bool | None:
    return None if value is None or target is None else value >= target


def _scope(queryset: QuerySet, filters: KpiFilters, *, channel: bool = True) -> QuerySet:
    if filters.agency:
        queryset = queryset.filter(agency__code=filters.agency)
    if filters.level:
        queryset = queryset.filter(agency__level__code=filters.level)
    if channel and filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    return queryset


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _sums(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(COUNTS, 0)
    for row in rows:
        for name in COUNTS:
            total[name] += row[name]
    return total


def _weighted_target(targets: Targets, kpi: str, by_level: dict[str | None, int], fallback_level: str | None):
    """Each level's target weighted by its share of the denominator: the level's own when there is one level."""
    whole = sum(by_level.values())
    if not whole:
        return targets.get(kpi, fallback_level) if fallback_level else targets.get(kpi)
    values = [(targets.get(kpi, level), n) for level, n in by_level.items() if n]
    if any(target is None for target, _n in values):
        return None
    return round(sum(target * n for target, n in values) / whole, 4)


def _indicators(counts: dict[str, int], channels: dict[str, int]) -> dict[str, Any]:
    """The rates of one slice (a month, an agency, a level) from its counts."""
    total = sum(channels.values())
    return {
        "received": total,
        "online": channels.get(Channel.ONLINE, 0),
        "counter": channels.get(Channel.COUNTER, 0),
        "postal": channels.get(Channel.POSTAL, 0),
        "online_rate": _ratio(channels.get(Channel.ONLINE, 0), total),
        "finished": counts["finished"],
        "on_time": counts["on_time"],
        "on_time_rate": _ratio(counts["on_time"], counts["finished"]),
        "dossier_digitisation": _ratio(counts["papers_digitised"], counts["received"]),
        "returned": counts["returned"],
        "result_digitisation": _ratio(counts["result_digitised"], counts["returned"]),
        "online_payment_rate": _ratio(counts["paid_online"], counts["with_fee"]),
        "rated": counts["rated"],
        "satisfaction": round(counts["rating_sum"] / counts["rated"], 2) if counts["rated"] else None,
    }


def compute_kpis(filters: KpiFilters, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every KPI for ``filters``, with its target and whether it is met, plus the
    trend by month, the breakdown by agency and by level, and the procedures
    with the most overdue dossiers. Five small queries."""
    now = now or timezone.now()
    targets = Targets()
    agencies = {a.pk: a for a in Agency.objects.select_related("level")}
    level_of = {pk: a.level.code for pk, a in agencies.items()}
    level_names = {lv.code: lv.name for lv in AdministrativeLevel.objects.all()}
    scope_level = filters.level or (
        next((a.level.code for a in agencies.values() if a.code == filters.agency), None) if filters.agency else None
    )

    sums = {name: Sum(name) for name in COUNTS}
    rows = list(
        _scope(KpiDaily.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to), filters)
        .annotate(month=TruncMonth("day"))
        .values("month", "agency_id", "channel")
        .annotate(**sums)
        .order_by()
    )
    # One index-only scan of the partial index on dossiers in the flow: count due_at (in the index), not id.
    flow_rows = list(
        _scope(Dossier.objects.filter(status__in=IN_FLOW_STATES), filters)
        .values("agency_id", "procedure_id")
        .annotate(n=Count("due_at", filter=Q(due_at__lt=now)), in_flow=Count("due_at"))
        .order_by()
    )
    overdue_rows = [row for row in flow_rows if row["n"]]
    in_flow = sum(row["in_flow"] for row in flow_rows)

    total = _sums(rows)
    channels: dict[str, int] = defaultdict(int)
    for row in rows:
        channels[row["channel"]] += row["received"]
    received_by_level: dict[str, int] = defaultdict(int)
    returned_by_level: dict[str, int] = defaultdict(int)
    for row in rows:
        received_by_level[level_of[row["agency_id"]]] += row["received"]
        returned_by_level[level_of[row["agency_id"]]] += row["returned"]

    published = Procedure.objects.filter(
        is_active=True,
        agency__in=[pk for pk, a in agencies.items() if _in_scope(a, filters)],
    ).filter(Exists(FlowVersion.objects.filter(procedure=OuterRef("pk"), status=FlowVersion.Status.PUBLISHED)))
    coverage = published.aggregate(
        published=Count("id"), full_online=Count("id", filter=Q(full_online=True), output_field=IntegerField())
    )

    online_target = targets.get(Kpi.ONLINE_RATE, scope_level)
    on_time_target = targets.get(Kpi.ON_TIME_RATE, scope_level)
    papers_target = _weighted_target(targets, Kpi.DOSSIER_DIGITISATION, received_by_level, scope_level)
    result_target = _weighted_target(targets, Kpi.RESULT_DIGITISATION, returned_by_level, scope_level)
    payment_target = targets.get(Kpi.ONLINE_PAYMENT_RATE, scope_level)
    coverage_target = targets.get(Kpi.FULL_ONLINE_COVERAGE, scope_level)
    satisfaction_target = targets.get(Kpi.SATISFACTION, scope_level)

    online = channels.get(Channel.ONLINE, 0)
    received = sum(channels.values())
    on_time_rate = _ratio(total["on_time"], total["finished"])
    papers_rate = _ratio(total["papers_digitised"], total["received"])
    result_rate = _ratio(total["result_digitised"], total["returned"])
    payment_rate = _ratio(total["paid_online"], total["with_fee"])
    coverage_rate = _ratio(coverage["full_online"], coverage["published"])
    mean = round(total["rating_sum"] / total["rated"], 2) if total["rated"] else None
    overdue = sum(r["n"] for r in overdue_rows)

    by_month, by_agency, by_level = _breakdowns(rows, overdue_rows, level_of, filters)
    level_rows = [
        {
            "level": code,
            "name": level_names.get(code, code),
            **_indicators(counts, level_channels),
            "overdue": overdue_n,
            "dossier_digitisation_target": targets.get(Kpi.DOSSIER_DIGITISATION, code),
            "result_digitisation_target": targets.get(Kpi.RESULT_DIGITISATION, code),
        }
        for code, (counts, level_channels, overdue_n) in by_level.items()
    ]
    for row in level_rows:
        row["dossier_digitisation_met"] = _met(row["dossier_digitisation"], row["dossier_digitisation_target"])
        row["result_digitisation_met"] = _met(row["result_digitisation"], row["result_digitisation_target"])
    level_rank = {lv.code: (lv.rank, lv.code) for lv in AdministrativeLevel.objects.all()}
    level_rows.sort(key=lambda r: level_rank.get(r["level"], (99, r["level"])))

    return {
        "filters": filters.as_params(),
        "online_rate": {
            "online": online,
            "counter": channels.get(Channel.COUNTER, 0),
            "postal": channels.get(Channel.POSTAL, 0),
            "total": received,
            "rate": _ratio(online, received),
            "target": online_target,
            "met": _met(_ratio(online, received), online_target),
        },
        "on_time_rate": {
            "finished": total["finished"],
            "on_time": total["on_time"],
            "late": total["finished"] - total["on_time"],
            "rate": on_time_rate,
            "target": on_time_target,
            "met": _met(on_time_rate, on_time_target),
        },
        "overdue": {"overdue": overdue, "in_flow": in_flow, "rate": _ratio(overdue, in_flow)},
        "dossier_digitisation": {
            "digitised": total["papers_digitised"],
            "received": total["received"],
            "rate": papers_rate,
            "target": papers_target,
            "met": _met(papers_rate, papers_target),
        },
        "result_digitisation": {
            "digitised": total["result_digitised"],
            "returned": total["returned"],
            "rate": result_rate,
            "target": result_target,
            "met": _met(result_rate, result_target),
        },
        "online_payment": {
            "paid_online": total["paid_online"],
            "with_fee": total["with_fee"],
            "rate": payment_rate,
            "target": payment_target,
            "met": _met(payment_rate, payment_target),
        },
        "full_online_coverage": {
            "full_online": coverage["full_online"],
            "published": coverage["published"],
            "rate": coverage_rate,
            "target": coverage_target,
            "met": _met(coverage_rate, coverage_target),
        },
        "satisfaction": {
            "mean": mean,
            "count": total["rated"],
            "target": satisfaction_target,
            "met": _met(mean, satisfaction_target),
        },
        "trend": [{"month": month.strftime("%Y-%m"), **values} for month, values in by_month],
        "by_agency": [
            {
                "agency": agencies[pk].code,
                "name": agencies[pk].name,
                "level": level_of[pk],
                **_indicators(counts, agency_channels),
                "overdue": overdue_n,
            }
            for pk, (counts, agency_channels, overdue_n) in sorted(by_agency.items(), key=lambda i: agencies[i[0]].code)
        ],
        "by_level": level_rows,
        "top_overdue_procedures": _top_overdue(overdue_rows, agencies),
    }


def _in_scope(agency: Agency, filters: KpiFilters) -> bool:
    return (not filters.agency or agency.code == filters.agency) and (
        not filters.level or agency.level.code == filters.level
    )


def _breakdowns(rows, overdue_rows, level_of, filters):
    def slot():
        return [dict.fromkeys(COUNTS, 0), defaultdict(int), 0]

    months = {m: slot() for m in _months(filters.date_from, filters.date_to)}
    agencies: dict[int, list] = defaultdict(slot)
    levels: dict[str, list] = defaultdict(slot)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        for bucket in (
            months.setdefault(month, slot()),
            agencies[row["agency_id"]],
            levels[level_of[row["agency_id"]]],
        ):
            for name in COUNTS:
                bucket[0][name] += row[name]
            bucket[1][row["channel"]] += row["received"]
    for row in overdue_rows:
        agencies[row["agency_id"]][2] += row["n"]
        levels[level_of[row["agency_id"]]][2] += row["n"]
    by_month = [(month, _indicators(counts, channels)) for month, (counts, channels, _n) in sorted(months.items())]
    return by_month, agencies, levels


def _top_overdue(overdue_rows, agencies) -> list[dict[str, Any]]:
    per_procedure: dict[int, int] = defaultdict(int)
    for row in overdue_rows:
        per_procedure[row["procedure_id"]] += row["n"]
    top = sorted(per_procedure.items(), key=lambda item: -item[1])[:TOP_OVERDUE]
    procedures = Procedure.objects.in_bulk([pk for pk, _n in top])
    return [
        {
            "procedure": procedures[pk].code,
            "name": procedures[pk].name,
            "agency": agencies[procedures[pk].agency_id].code,
            "overdue": n,
        }
        for pk, n in top
    ]


# The rollup ----------------------------------------------------------------------------


def rebuild_rollup() -> int:
    """Recount ``KpiDaily`` from the dossiers (after changing the time zone, or to check
    the triggers: a rebuilt table equals the maintained one). Returns the rows written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # No dossier changes while counting, so the rebuilt table is exact.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Dossier._meta.db_table} IN SHARE MODE")
        return _rebuild()


def _rebuild() -> int:
    tz = timezone.get_default_timezone()
    counts: dict[tuple[dt.date, int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    contributions = [
        (
            "received_at",
            {
                "received": Count("id"),
                "papers_digitised": Count("id", filter=Q(papers_digitised=True)),
                "with_fee": Count("id", filter=Q(fee_vnd__gt=0)),
                "paid_online": Count("id", filter=Q(fee_vnd__gt=0, paid_via="online")),
            },
        ),
        ("finished_at", {"finished": Count("id"), "on_time": Count("id", filter=Q(finished_late=False))}),
        ("returned_at", {"returned": Count("id"), "result_digitised": Count("id", filter=Q(result_digitised=True))}),
        ("rated_at", {"rated": Count("id"), "rating_sum": Sum("rating")}),
    ]
    for column, aggregates in contributions:
        grouped = (
            Dossier.objects.filter(**{f"{column}__isnull": False})
            .annotate(day=TruncDate(column, tzinfo=tz))
            .values("day", "agency_id", "channel")
            .annotate(**aggregates)
            .order_by()
        )
        for row in grouped:
            bucket = counts[(row["day"], row["agency_id"], row["channel"])]
            for name in aggregates:
                bucket[name] += int(row[name] or 0)
    KpiDaily.objects.all().delete()
    KpiDaily.objects.bulk_create(
        [KpiDaily(day=d, agency_id=a, channel=c, **values) for (d, a, c), values in counts.items()],
        batch_size=5000,
    )
    return len(counts)


def rollup_snapshot() -> dict[tuple[dt.date, int, str], dict[str, int]]:
    """The non-zero rows of ``KpiDaily``, for comparing with a rebuild."""
    snapshot = {}
    for row in KpiDaily.objects.values("day", "agency_id", "channel", *COUNTS):
        values = {name: row[name] for name in COUNTS}
        if any(values.values()):
            snapshot[(row["day"], row["agency_id"], row["channel"])] = values
    return snapshot


def percent(value: float | Decimal | None) -> str:
    """A share as a percentage for people, '—' when there is none."""
    return "—" if value is None else f"{float(value) * 100:.1f}%"

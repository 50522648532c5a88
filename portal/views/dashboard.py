"""Pages for the dashboard audience (see portal/views/__init__.py): the KPIs
for leaders and administrators, and their CSV export."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.models import AdministrativeLevel, Agency, Role
from workflow.errors import InvalidInput
from workflow.kpi import KpiFilters, compute_kpis, default_period, parse_filters
from workflow.models import Channel
from workflow.roles import memberships

# The headline cards: report key, title, what the rate counts, and the kind of value.
CARDS = [
    ("online_rate", gettext_lazy("Online rate"), gettext_lazy("received online of all received"), "share"),
    ("on_time_rate", gettext_lazy("On-time rate"), gettext_lazy("finished on time of all finished"), "share"),
    (
        "dossier_digitisation",
        gettext_lazy("Dossier digitisation"),
        gettext_lazy("received with every paper as a file"),
        "share",
    ),
    (
        "result_digitisation",
        gettext_lazy("Result digitisation"),
        gettext_lazy("returned with a signed electronic result"),
        "share",
    ),
    (
        "online_payment",
        gettext_lazy("Online payment rate"),
        gettext_lazy("fees paid online of dossiers with a fee"),
        "share",
    ),
    (
        "full_online_coverage",
        gettext_lazy("Full-online coverage"),
        gettext_lazy("published procedures offered fully online"),
        "share",
    ),
    ("satisfaction", gettext_lazy("Satisfaction"), gettext_lazy("mean rating (1–5)"), "mean"),
]

CSV_COLUMNS = [
    ("scope", gettext_lazy("Scope")),
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Name")),
    ("received", gettext_lazy("Received")),
    ("online", gettext_lazy("Online")),
    ("counter", gettext_lazy("At the counter")),
    ("postal", gettext_lazy("By post")),
    ("online_rate", gettext_lazy("Online rate")),
    ("finished", gettext_lazy("Finished")),
    ("on_time", gettext_lazy("On time")),
    ("on_time_rate", gettext_lazy("On-time rate")),
    ("dossier_digitisation", gettext_lazy("Dossier digitisation")),
    ("returned", gettext_lazy("Returned")),
    ("result_digitisation", gettext_lazy("Result digitisation")),
    ("online_payment_rate", gettext_lazy("Online payment rate")),
    ("rated", gettext_lazy("Ratings")),
    ("satisfaction", gettext_lazy("Satisfaction")),
    ("overdue", gettext_lazy("Overdue now")),
]


# The filter parameters and their labels, for the form and for naming a field in an error.
FILTER_LABELS = {
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "agency": gettext_lazy("Agency"),
    "level": gettext_lazy("Level"),
    "channel": gettext_lazy("Channel"),
}


def labelled_errors(errors: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Each bad filter's messages under the label the form shows for it."""
    return [(str(FILTER_LABELS.get(name, name)), messages) for name, messages in errors.items()]


DASHBOARD_ROLES = frozenset({Role.HEAD, Role.SIGNER})


def may_see_dashboard(user) -> bool:
    """Staff, superusers, and officers who are a head or a signer somewhere."""
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or any(role in DASHBOARD_ROLES for _a, role in memberships(user)))
    )


def _guard(request: HttpRequest) -> None:
    if not may_see_dashboard(request.user):
        raise PermissionDenied(_("The dashboard is for leaders and administrators."))


def _filters(request: HttpRequest) -> tuple[KpiFilters | None, dict[str, list[str]]]:
    try:
        return parse_filters(request.GET), {}
    except InvalidInput as exc:
        return None, exc.fields


def _choices() -> dict[str, Any]:
    return {
        "agencies": Agency.objects.order_by("code").values_list("code", "name"),
        "levels": AdministrativeLevel.objects.order_by("rank", "code").values_list("code", "name"),
        "channels": Channel.choices,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each KPI against its target, the trend by month, the breakdown by agency
    and level and the procedures with the most overdue dossiers."""
    _guard(request)
    filters, errors = _filters(request)
    default_from, default_to = default_period()
    context: dict[str, Any] = {
        "errors": errors,
        "error_summary": labelled_errors(errors),
        "labels": FILTER_LABELS,
        "values": {
            "from": request.GET.get("from") or default_from.isoformat(),
            "to": request.GET.get("to") or default_to.isoformat(),
            "agency": request.GET.get("agency", ""),
            "level": request.GET.get("level", ""),
            "channel": request.GET.get("channel", ""),
        },
        **_choices(),
    }
    if filters is None:
        return render(request, "portal/dashboard/index.html", context, status=400)
    report = compute_kpis(filters)
    context.update(
        report=report,
        filters=filters,
        query=request.GET.urlencode(),
        cards=[
            {"key": key, "title": title, "what": what, "kind": kind, **report[key]} for key, title, what, kind in CARDS
        ],
        chart={
            "labels": [row["month"] for row in report["trend"]],
            "series": [
                {"label": str(title), "key": key}
                for key, title in (
                    ("online_rate", gettext_lazy("Online rate")),
                    ("on_time_rate", gettext_lazy("On-time rate")),
                    ("dossier_digitisation", gettext_lazy("Dossier digitisation")),
                )
            ],
            "values": {
                key: [None if row[key] is None else round(row[key] * 100, 1) for row in report["trend"]]
                for key in ("online_rate", "on_time_rate", "dossier_digitisation")
            },
            "received": [row["received"] for row in report["trend"]],
            "received_label": str(_("Dossiers received")),
            "online_target": None
            if report["online_rate"]["target"] is None
            else round(report["online_rate"]["target"] * 100, 1),
            "target_label": str(_("Online target")),
        },
    )
    return render(request, "portal/dashboard/index.html", context)


def csv_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's table: the whole scope, each level, each agency."""
    total = report["online_rate"]
    whole = {
        "scope": _("all"),
        "code": "",
        "name": _("All agencies in the filter"),
        "received": total["total"],
        "online": total["online"],
        "counter": total["counter"],
        "postal": total["postal"],
        "online_rate": total["rate"],
        "finished": report["on_time_rate"]["finished"],
        "on_time": report["on_time_rate"]["on_time"],
        "on_time_rate": report["on_time_rate"]["rate"],
        "dossier_digitisation": report["dossier_digitisation"]["rate"],
        "returned": report["result_digitisation"]["returned"],
        "result_digitisation": report["result_digitisation"]["rate"],
        "online_payment_rate": report["online_payment"]["rate"],
        "rated": report["satisfaction"]["count"],
        "satisfaction": report["satisfaction"]["mean"],
        "overdue": report["overdue"]["overdue"],
    }
    levels = [{**row, "scope": _("level"), "code": row["level"]} for row in report["by_level"]]
    agencies = [{**row, "scope": _("agency"), "code": row["agency"]} for row in report["by_agency"]]
    return [whole, *levels, *agencies]


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The table as CSV, UTF-8 with a byte-order mark so Excel reads the Vietnamese names."""
    _guard(request)
    filters, errors = _filters(request)
    if filters is None:
        lines = [f"{label}: {' '.join(messages)}" for label, messages in labelled_errors(errors)]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    report = compute_kpis(filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{filters.date_from}-{filters.date_to}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(label) for _key, label in CSV_COLUMNS])
    for row in csv_rows(report):
        writer.writerow(["" if row.get(key) is None else row.get(key) for key, _label in CSV_COLUMNS])
    return response


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/export.csv", export_csv, name="dashboard_export"),
]

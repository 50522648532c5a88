"""Filters for the KPI dashboard: shares as percentages, mean ratings."""

from django import template
from django.utils.formats import number_format

from workflow.kpi import percent

register = template.Library()


@register.filter
def kpi_percent(value):
    """0.6234 → 62.3% (in the active language's number format); '—' when there is no value."""
    if value is None:
        return percent(None)
    return f"{number_format(round(float(value) * 100, 1), 1)}%"


@register.filter
def kpi_mean(value):
    return "—" if value is None else number_format(round(float(value), 2), 2)

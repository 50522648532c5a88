"""KPI endpoints under /api/v1/metrics/: each KPI for a period of Vietnam local
dates (``from``, ``to``), optionally one agency, level or channel. The
figures come from ``workflow.kpi.compute_kpis``, as on the dashboard and in
``manage.py kpi``. Readers: staff, superusers and officers."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import ApiSchema
from workflow.kpi import compute_kpis, parse_filters
from workflow.models import Channel
from workflow.roles import memberships


class IsStaffOrOfficer(BasePermission):
    """KPIs are the public sector's figures for its leaders and officers."""

    message = _("The KPIs are for officers and administrators.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser or memberships(user)))


FILTERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description=_("First day (local date); default: 11 months ago, 1st.")),
    OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day, included; default: today.")),
    OpenApiParameter("agency", OpenApiTypes.STR, description=_("Agency code, e.g. SXD.")),
    OpenApiParameter("level", OpenApiTypes.STR, description=_("Level code: city, province, district, commune.")),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values, description=_("Only this channel.")),
]  # fmt: skip


def _share():
    return serializers.FloatField(allow_null=True, help_text=_("From 0 to 1; null when nothing was counted."))


def _target():
    return serializers.FloatField(allow_null=True, help_text=_("The configured target; null when none is set."))


def _met():
    return serializers.BooleanField(allow_null=True, help_text=_("Rate ≥ target; null without a rate or a target."))


class FiltersSerializer(serializers.Serializer):
    to = serializers.DateField()
    agency = serializers.CharField(required=False)
    level = serializers.CharField(required=False)
    channel = serializers.CharField(required=False)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as an attribute.
        return {"from": serializers.DateField(), **super().get_fields()}


class TargetSerializer(serializers.Serializer):
    target = _target()
    met = _met()


class RateSerializer(TargetSerializer):
    """A share against its target; subclasses add the counts behind it."""

    rate = _share()


class OnlineRateSerializer(RateSerializer):
    online = serializers.IntegerField()
    counter = serializers.IntegerField()
    postal = serializers.IntegerField()
    total = serializers.IntegerField(help_text=_("Dossiers received in the period, all channels."))


class OnTimeRateSerializer(RateSerializer):
    finished = serializers.IntegerField(help_text=_("Dossiers decided in the period."))
    on_time = serializers.IntegerField()
    late = serializers.IntegerField(help_text=_("Including late dossiers with an apology."))


class OverdueSerializer(serializers.Serializer):
    overdue = serializers.IntegerField(help_text=_("Dossiers in processing past their appointment, now."))
    in_flow = serializers.IntegerField(help_text=_("Dossiers in processing now (the clock running)."))
    rate = _share()


class DigitisationSerializer(RateSerializer):
    digitised = serializers.IntegerField()
    received = serializers.IntegerField()


class ResultDigitisationSerializer(RateSerializer):
    digitised = serializers.IntegerField()
    returned = serializers.IntegerField()


class DigitisationLevelSerializer(serializers.Serializer):
    level = serializers.CharField()
    name = serializers.CharField()
    dossier_digitisation = _share()
    dossier_digitisation_target = _target()
    dossier_digitisation_met = _met()
    result_digitisation = _share()
    result_digitisation_target = _target()
    result_digitisation_met = _met()


class DigitisationReportSerializer(serializers.Serializer):
    dossiers = DigitisationSerializer(help_text=_("Target: each level's target weighted by its dossiers."))
    results = ResultDigitisationSerializer()
    by_level = DigitisationLevelSerializer(many=True)


class OnlinePaymentSerializer(RateSerializer):
    paid_online = serializers.IntegerField()
    with_fee = serializers.IntegerField()


class CoverageSerializer(RateSerializer):
    full_online = serializers.IntegerField()
    published = serializers.IntegerField()


class SatisfactionSerializer(TargetSerializer):
    mean = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class SliceSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    online = serializers.IntegerField()
    counter = serializers.IntegerField()
    postal = serializers.IntegerField()
    online_rate = _share()
    finished = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = _share()
    dossier_digitisation = _share()
    returned = serializers.IntegerField()
    result_digitisation = _share()
    online_payment_rate = _share()
    rated = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True)


class MonthSerializer(SliceSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class AgencySliceSerializer(SliceSerializer):
    agency = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    overdue = serializers.IntegerField()


class LevelSliceSerializer(SliceSerializer):
    level = serializers.CharField()
    name = serializers.CharField()
    overdue = serializers.IntegerField()
    dossier_digitisation_target = _target()
    dossier_digitisation_met = _met()
    result_digitisation_target = _target()
    result_digitisation_met = _met()


class TopOverdueSerializer(serializers.Serializer):
    procedure = serializers.CharField()
    name = serializers.CharField()
    agency = serializers.CharField()
    overdue = serializers.IntegerField()


class AllMetricsSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    online_rate = OnlineRateSerializer()
    on_time_rate = OnTimeRateSerializer()
    overdue = OverdueSerializer()
    dossier_digitisation = DigitisationSerializer()
    result_digitisation = ResultDigitisationSerializer()
    online_payment = OnlinePaymentSerializer()
    full_online_coverage = CoverageSerializer()
    satisfaction = SatisfactionSerializer()
    trend = MonthSerializer(many=True)
    by_agency = AgencySliceSerializer(many=True)
    by_level = LevelSliceSerializer(many=True)
    top_overdue_procedures = TopOverdueSerializer(many=True)


def _with_filters(serializer_class):
    """The KPI's serializer plus the filters that were applied."""
    return type(
        serializer_class.__name__.replace("Serializer", "ResultSerializer"),
        (serializer_class,),
        {"filters": FiltersSerializer(), "__module__": __name__},
    )


class MetricView(APIView):
    """One KPI: ``pick`` takes its part of the full report."""

    schema = ApiSchema()
    permission_classes = [IsStaffOrOfficer]
    error_statuses = (400, 403)
    serializer_class: type[serializers.Serializer] = AllMetricsSerializer

    def pick(self, report: dict) -> dict:
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        report = compute_kpis(parse_filters(request.query_params))
        return Response({"filters": report["filters"], **self.pick(report)})


def metric(name: str, serializer_class, summary: str, description: str, pick) -> type[MetricView]:
    result = _with_filters(serializer_class)

    class View(MetricView):
        @extend_schema(
            operation_id=f"metrics_{name.replace('-', '_')}",
            summary=summary,
            description=description,
            parameters=FILTERS,
            responses={200: result},
            tags=["metrics"],
        )
        def get(self, request: Request) -> Response:
            return super().get(request)

    View.pick = staticmethod(pick)
    View.__name__ = View.__qualname__ = "".join(p.title() for p in name.split("-")) + "View"
    return View


class AllMetricsView(MetricView):
    @extend_schema(
        operation_id="metrics_all",
        summary=_("All KPIs"),
        description=_("Every KPI with its target, the trend by month, the breakdown by agency and level, "
                      "and the procedures with the most overdue dossiers."),
        parameters=FILTERS,
        responses={200: AllMetricsSerializer},
        tags=["metrics"],
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(compute_kpis(parse_filters(request.query_params)))


ENDPOINTS = [
    (
        "online-rate",
        OnlineRateSerializer,
        _("Online rate"),
        _("Dossiers received online ÷ all dossiers received (online, counter, postal), by date of receipt."),
        lambda r: r["online_rate"],
    ),
    (
        "on-time-rate",
        OnTimeRateSerializer,
        _("On-time rate"),
        _("Dossiers decided on or before their appointment ÷ dossiers decided in the period; "
          "a late dossier with an apology stays late."),
        lambda r: r["on_time_rate"],
    ),
    (
        "overdue",
        OverdueSerializer,
        _("Overdue now"),
        _("Dossiers in processing past their appointment, now (the period does not apply)."),
        lambda r: r["overdue"],
    ),
    (
        "digitisation",
        DigitisationReportSerializer,
        _("Digitisation of dossiers and results"),
        _("Received dossiers with every paper as a file ÷ received; returned dossiers with a signed electronic "
          "result ÷ returned; each against its level's target."),
        lambda r: {
            "dossiers": r["dossier_digitisation"],
            "results": r["result_digitisation"],
            "by_level": r["by_level"],
        },
    ),
    (
        "online-payment",
        OnlinePaymentSerializer,
        _("Online payment rate"),
        _("Dossiers with a fee paid online ÷ dossiers with a fee, by date of receipt."),
        lambda r: r["online_payment"],
    ),
    (
        "full-online-coverage",
        CoverageSerializer,
        _("Full-online coverage"),
        _("Published procedures offered fully online ÷ published procedures, now."),
        lambda r: r["full_online_coverage"],
    ),
    (
        "satisfaction",
        SatisfactionSerializer,
        _("Satisfaction"),
        _("Mean rating (1–5) and number of ratings given in the period."),
        lambda r: r["satisfaction"],
    ),
]  # fmt: skip

urlpatterns = [
    path("", AllMetricsView.as_view(), name="metrics"),
    *[
        path(f"{name}/", metric(name, serializer, summary, description, pick).as_view(), name=f"metrics-{name}")
        for name, serializer, summary, description, pick in ENDPOINTS
    ],
]

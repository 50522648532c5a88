"""Django admin for the catalog. Flows are edited as YAML in a draft version;
the change page lists the rules the draft breaks and draws the graph, and
"Save and publish" refuses a draft that breaks any of them."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.errors import CatalogError, FlowValidationError
from procedures.flows import number, validate_flow
from procedures.form_spec import validate_attachments, validate_form
from procedures.graph import flow_svg
from procedures.interchange import parse_yaml
from procedures.issues import unusable_values
from procedures.models import AdministrativeLevel, Agency, FlowVersion, Procedure, Sector
from procedures.selectors import latest_published_version
from procedures.services import create_flow_draft, publish_flow_version, update_flow_draft

PUBLISH = "_publish"
EDIT_FLOW = "_edit_flow"


@admin.register(AdministrativeLevel)
class AdministrativeLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rank"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure_count"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(procedure_count=Count("procedures"))

    @admin.display(description=gettext_lazy("procedures"), ordering="procedure_count")
    def procedure_count(self, obj: Sector) -> int:
        return obj.procedure_count


class SpecField(forms.JSONField):
    """A JSON list of form-field or attachment specs, checked by ``validator``."""

    def __init__(self, *args: Any, validator, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 12, "cols": 100, "class": "vLargeTextField"}))
        super().__init__(*args, **kwargs)
        self.spec_validator = validator

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)

    def clean(self, value: Any) -> Any:
        # An empty box means no fields or no papers: the column holds a list, never null.
        cleaned = super().clean(value)
        return [] if cleaned is None else cleaned

    def validate(self, value: Any) -> None:
        super().validate(value)
        issues = self.spec_validator(value if value is not None else [])
        if issues:
            raise ValidationError([str(issue) for issue in issues])


class ProcedureForm(forms.ModelForm):
    form = SpecField(label=gettext_lazy("application form"), required=False, validator=validate_form)
    attachments = SpecField(label=gettext_lazy("required attachments"), required=False, validator=validate_attachments)

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "agency",
            "sector",
            "is_active",
            "time_limit_days",
            "fee_vnd",
            "full_online",
            "form",
            "attachments",
        ]

    def clean_time_limit_days(self):
        """The legal limit cannot drop below what the published flow's steps already take."""
        limit = self.cleaned_data["time_limit_days"]
        current = latest_published_version(self.instance) if self.instance.pk else None
        if current is not None and limit is not None:
            total = sum(Decimal(str(step["days"])) for step in current.definition.get("steps", []))
            if total > limit:
                raise forms.ValidationError(
                    _(
                        "The published flow (version %(number)s) takes %(total)s working days; publish a shorter "
                        "flow before lowering the time limit below that."
                    )
                    % {"number": current.number, "total": number(total)}
                )
        return limit


class FlowVersionInline(admin.TabularInline):
    model = FlowVersion
    fields = ["number_link", "status", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("version"))
    def number_link(self, obj: FlowVersion) -> str:
        url = reverse("admin:procedures_flowversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    list_display = ["code", "name", "agency", "sector", "time_limit_days", "fee_vnd", "full_online", "current_version"]
    list_filter = ["full_online", "is_active", "agency__level", "sector", "agency"]
    search_fields = ["code", "name"]
    list_select_related = ["agency", "sector"]
    autocomplete_fields = ["agency", "sector"]
    inlines = [FlowVersionInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "agency", "sector", "is_active"]}),
        (gettext_lazy("Time and fee"), {"fields": ["time_limit_days", "fee_vnd", "full_online"]}),
        (gettext_lazy("Application"), {"fields": ["form", "attachments"]}),
    ]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(current_number=Max("flow_versions__number", filter=Q(flow_versions__status="published")))
        )

    @admin.display(description=gettext_lazy("current flow"), ordering="current_number")
    def current_version(self, obj: Procedure) -> str:
        return f"v{obj.current_number}" if obj.current_number else "—"

    def response_change(self, request: HttpRequest, obj: Procedure) -> HttpResponse:
        if EDIT_FLOW in request.POST:
            draft = create_flow_draft(procedure=obj, user=request.user)
            return HttpResponseRedirect(reverse("admin:procedures_flowversion_change", args=[draft.pk]))
        return super().response_change(request, obj)


class FlowVersionForm(forms.ModelForm):
    definition_yaml = forms.CharField(
        label=gettext_lazy("flow (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The flow in the format of docs/procedure-format.md: start, then steps with their actions."
        ),
    )

    class Meta:
        model = FlowVersion
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["definition_yaml"].initial = yaml.safe_dump(
                self.instance.definition, allow_unicode=True, sort_keys=False, width=100
            )

    def clean_definition_yaml(self) -> dict[str, Any]:
        try:
            definition = parse_yaml(self.cleaned_data["definition_yaml"])
            json.dumps(definition)
        except CatalogError as exc:
            raise ValidationError([str(issue) for issue in exc.issues]) from None
        except (TypeError, ValueError):
            raise ValidationError(
                _("Use only text, numbers, true/false, lists and mappings (quote dates and times).")
            ) from None
        if not isinstance(definition, dict):
            raise ValidationError(_("The flow must be a mapping with 'start' and 'steps'."))
        # Publishing checks every rule; even a draft may not hold what could not be stored
        # or compared (NaN, 1e400, NUL), which the rules check first.
        if PUBLISH in self.data:
            issues = validate_flow(definition, time_limit_days=self.instance.procedure.time_limit_days)
        else:
            issues = unusable_values(definition)
        if issues:
            raise ValidationError([str(issue) for issue in issues])
        return definition


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    form = FlowVersionForm
    list_display = ["procedure", "number", "status", "created_at", "published_at"]
    list_filter = ["status"]
    search_fields = ["procedure__code", "procedure__name"]
    list_select_related = ["procedure"]
    readonly_fields = ["procedure", "number", "status", "published_at", "published_by", "problems", "graph"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A draft is opened from its procedure, so it gets the next number.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: FlowVersion | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    def get_fields(self, request: HttpRequest, obj: FlowVersion | None = None) -> list[str]:
        fields = ["procedure", "number", "status", "published_at", "published_by"]
        if obj is not None and not obj.is_published:
            fields += ["definition_yaml", "problems"]
        return [*fields, "graph"]

    def has_change_permission(self, request: HttpRequest, obj: FlowVersion | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    @admin.display(description=gettext_lazy("problems"))
    def problems(self, obj: FlowVersion) -> str:
        issues = validate_flow(obj.definition, time_limit_days=obj.procedure.time_limit_days)
        if not issues:
            return format_html('<span style="color:#1b7f3b">✔ {}</span>', _("The flow is valid and can be published."))
        return format_html(
            '<ul class="errorlist">{}</ul>', format_html_join("", "<li>{}</li>", ((str(i),) for i in issues))
        )

    @admin.display(description=gettext_lazy("graph"))
    def graph(self, obj: FlowVersion) -> str:
        svg = flow_svg(obj.definition)
        if svg is None:
            return _("No graph: the flow is not well-formed yet, or Graphviz is not installed.")
        # The SVG comes from Graphviz, which escapes the labels it is given.
        return mark_safe(f'<div class="flow-graph" style="max-width:100%;overflow:auto">{svg}</div>')  # noqa: S308

    def save_model(self, request: HttpRequest, obj: FlowVersion, form: FlowVersionForm, change: bool) -> None:
        version = update_flow_draft(version=obj, definition=form.cleaned_data["definition_yaml"])
        if PUBLISH in request.POST:
            try:
                publish_flow_version(version=version, user=request.user)
            except FlowValidationError as exc:  # validated by the form; a race may still get here
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("Version %(n)s is published.") % {"n": version.number}, messages.SUCCESS)
        obj.refresh_from_db()

from django.contrib import admin

from workflow.models import Apology, AuditEvent, CalendarDay, Dossier, KpiTarget, PendingNotice


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    fields = ["seq", "created_at", "action", "actor_name", "from_status", "to_status", "to_step", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers change only through the engine, which keeps the audit chain."""

    list_display = ["code", "procedure", "channel", "status", "step", "due_at", "received_at"]
    list_filter = ["status", "channel", "agency"]
    search_fields = ["code", "applicant_name", "applicant_id_number"]
    list_select_related = ["procedure"]
    inlines = [AuditEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Apology)
class ApologyAdmin(admin.ModelAdmin):
    list_display = ["dossier", "previous_due_at", "new_due_at", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingNotice)
class PendingNoticeAdmin(admin.ModelAdmin):
    """Follow-ups that did not happen (see ``manage.py issue_notices``), to watch, not to edit."""

    list_display = ["dossier", "event_seq", "job", "what", "created_at", "error"]
    list_filter = ["job"]
    list_select_related = ["dossier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    """Targets of the KPIs: one for every level, or one per administrative level."""

    list_display = ["kpi", "level", "target"]
    list_filter = ["kpi", "level"]
    list_editable = ["target"]

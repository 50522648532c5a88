from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Dossier workflow")

    def ready(self) -> None:
        from workflow.calendar import forget_calendar
        from workflow.models import CalendarDay

        def reload(**kwargs):
            forget_calendar()

        post_save.connect(reload, sender=CalendarDay, dispatch_uid="workflow.calendar.reload.save")
        post_delete.connect(reload, sender=CalendarDay, dispatch_uid="workflow.calendar.reload.delete")

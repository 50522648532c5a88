"""Celery tasks. Each is safe to run twice: documents are unique per
(dossier, kind, event), and an e-mail names the event it reports.

A job that still fails after its retries is recorded as a ``PendingNotice``
(``manage.py issue_notices`` issues it later), so it is never lost silently.
"""

from __future__ import annotations

from celery import Task, shared_task

from workflow.models import PendingNotice


class FollowUp(Task):
    """A follow-up of a committed action: its last failure is kept for ``issue_notices``."""

    job = ""

    def retry(self, *args, exc=None, **kwargs):
        # Inline (the embedded setup), a failure is final at once: it is kept for
        # issue_notices rather than tried again five times inside the request.
        if self.request.is_eager and isinstance(exc, BaseException):
            raise exc
        return super().retry(*args, exc=exc, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        from workflow.side_effects import record_pending

        dossier_id, what, seq = (*args, None, None, None)[:3]
        if seq is not None:
            record_pending(dossier_id, seq, self.job, what, exc)


@shared_task(
    base=FollowUp,
    job=PendingNotice.Job.DOCUMENT,
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def issue_notice(self, dossier_id: int, kind: str, event_seq: int) -> str:
    from workflow.documents import issue_notice as issue

    document = issue(dossier_id, kind, event_seq)
    return str(document.token) if document else ""


@shared_task(
    base=FollowUp, job=PendingNotice.Job.EMAIL, bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_applicant(self, dossier_id: int, notice: str, seq: int | None = None) -> None:
    from workflow.side_effects import notify_applicant as notify

    notify(dossier_id, notice, seq)

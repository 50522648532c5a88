"""Celery tasks. Each is safe to run twice: documents are unique per
(dossier, kind, event), and an e-mail names the state it reports."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True)
def issue_notice(self, dossier_id: int, kind: str, event_seq: int) -> str:
    from workflow.documents import issue_notice as issue

    document = issue(dossier_id, kind, event_seq)
    return str(document.token) if document else ""


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_applicant(self, dossier_id: int, status: str) -> None:
    from workflow.side_effects import notify_applicant as notify

    notify(dossier_id, status)

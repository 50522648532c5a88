"""Domain errors of the workflow. ``portal`` maps each to one HTTP status."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base: ``code`` is stable for clients, ``detail`` is for people."""

    code = "workflow_error"

    def __init__(self, detail: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}


class InvalidInput(WorkflowError):
    """The request's data is wrong; ``fields`` names each bad field (400)."""

    code = "invalid"

    @classmethod
    def in_form(cls, detail: str, errors: dict[str, list[str]]) -> InvalidInput:
        """The application form's errors, each field named ``data.<name>`` as everywhere else."""
        return cls(detail, fields={f"data.{name}": messages for name, messages in errors.items()})


class NotPermitted(WorkflowError):
    """The caller may not do this to this dossier (403)."""

    code = "forbidden"


class UnknownAction(WorkflowError):
    """No lifecycle or flow action has this name (404)."""

    code = "unknown_action"


class ConflictError(WorkflowError):
    """The dossier's state does not allow this now (409)."""

    code = "conflict"


class KeyReused(WorkflowError):
    """The client key was already used for a request with other content (422).

    ``dossier_code`` is the dossier the key made, for a page to lead its user there.
    """

    code = "key_reused"

    def __init__(self, detail: str, *, dossier_code: str = "", fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail, fields=fields)
        self.dossier_code = dossier_code


class StaleVersion(ConflictError):
    """The caller acted on an older version of the dossier (412)."""

    code = "stale"

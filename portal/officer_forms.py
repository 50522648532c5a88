"""Forms of the officer pages. They only check the shape of the input; the
workflow engine and services decide what is allowed and say why not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.form_spec import application_form_class, national_id_validator, phone_validator
from procedures.models import Procedure
from workflow.models import Channel, Status

# The states a dossier can be in while it waits in an officer's queue.
QUEUE_STATES = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.APPROVED, Status.SIGNED)


class ActionForm(forms.Form):
    """One action on one dossier, at the version the page showed."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Only for "assign": the username of the officer who takes the dossier.
    assignee = forms.CharField(label=_("Officer"), required=False, max_length=150)
    # Only for "apologize": the new appointment.
    new_due_date = forms.DateField(
        label=_("New appointment date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def action_data(self) -> dict[str, Any]:
        """The ``data`` the engine reads for assign and apologize."""
        data: dict[str, Any] = {}
        if self.cleaned_data.get("assignee"):
            data["assignee"] = self.cleaned_data["assignee"]
        if self.cleaned_data.get("new_due_date"):
            data["new_due_date"] = self.cleaned_data["new_due_date"].isoformat()
        return data


class QueueFilterForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), required=False)
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("All")), ("yes", _("Overdue")), ("no", _("Not overdue"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + [(s.value, s.label) for s in QUEUE_STATES]
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, steps: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("All")), *steps]


class ProcedureChoiceForm(forms.Form):
    """Step one of entering a walk-in or postal dossier: which procedure."""

    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.none(), to_field_name="code")

    def __init__(self, *args, agencies: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.filter(agency_id__in=agencies, is_active=True).order_by(
            "name"
        )
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} – {p.name}"


class WalkInForm(forms.Form):
    """The applicant of a dossier entered by the desk, and how it came in."""

    prefix = "applicant"

    channel = forms.ChoiceField(
        label=_("How it was handed in"),
        choices=[(Channel.COUNTER.value, Channel.COUNTER.label), (Channel.POSTAL.value, Channel.POSTAL.label)],
        initial=Channel.COUNTER.value,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(label=_("Applicant's full name"), max_length=255)
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        required=False,
        validators=[national_id_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    fee_paid = forms.BooleanField(label=_("The fee was paid at the counter"), required=False, initial=True)
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=128)

    def __init__(self, *args, procedure: Procedure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not procedure.fee_vnd:
            del self.fields["fee_paid"]

    def applicant(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("full_name", "id_number", "phone", "email")}


def walk_in_application_form(procedure: Procedure, *, data: Mapping[str, Any] | None = None) -> forms.Form:
    """The procedure's own form, complete (the desk submits it at once),
    prefixed so its field names cannot clash with the applicant's."""
    form = application_form_class(procedure.form)(data=data, prefix="data")
    for field in form.fields.values():
        if isinstance(field.widget, forms.DateInput):
            field.widget.format = "%Y-%m-%d"
    return form

"""Forms of the public and citizen pages. The application form itself is built
from the procedure's form spec by ``procedures.form_spec``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from procedures.form_spec import application_form_class
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector

# Application fields filled from the profile: the form field's name → the
# profile attribute. The person filing is the requester (người yêu cầu).
PROFILE_PREFILL: dict[str, str] = {
    "full_name": "full_name",
    "requester_name": "full_name",
    "id_number": "id_number",
    "citizen_id": "id_number",
    "requester_id": "id_number",
    "phone": "phone",
    "contact_phone": "phone",
    "email": "email",
    "address": "address",
}


def profile_initial(form_spec: list[dict[str, Any]], user) -> dict[str, Any]:
    """Initial values for the fields of ``form_spec`` the user's profile knows."""
    initial = {}
    for spec in form_spec:
        attribute = PROFILE_PREFILL.get(spec["name"])
        value = getattr(user, attribute, "") if attribute else ""
        if value:
            initial[spec["name"]] = value
    return initial


def application_form(
    procedure: Procedure, *, data: Mapping[str, Any] | None = None, initial=None, partial: bool = False
) -> forms.Form:
    """The procedure's application form, bound to ``data`` when given. Date
    inputs render ISO values, which ``<input type="date">`` requires; text
    areas start small on a phone."""
    form = application_form_class(procedure.form, partial=partial)(data=data, initial=initial)
    for spec in procedure.form:
        widget = form.fields[spec["name"]].widget
        if isinstance(widget, forms.DateInput):
            widget.format = "%Y-%m-%d"
        elif isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 4
        widget.attrs.update(PHONE_KEYBOARD.get(spec["type"], {}))
        if spec["type"] == "phone":
            widget.input_type = "tel"
    return form


# The keyboard a phone shows for each kind of answer.
PHONE_KEYBOARD: dict[str, dict[str, str]] = {
    "phone": {"inputmode": "tel", "autocomplete": "tel"},
    "national_id": {"inputmode": "numeric", "autocomplete": "off"},
    "number": {"inputmode": "decimal"},
    "email": {"autocomplete": "email"},
}


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.none(), empty_label=_("All agencies")
    )
    sector = forms.ModelChoiceField(
        label=_("Field"), required=False, queryset=Sector.objects.all(), empty_label=_("All fields")
    )
    level = forms.ModelChoiceField(
        label=_("Level"), required=False, queryset=AdministrativeLevel.objects.all(), empty_label=_("All levels")
    )
    online = forms.BooleanField(label=_("Fully online only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = Procedure.objects.filter(agency=OuterRef("pk"), is_active=True)
        self.fields["agency"].queryset = Agency.objects.filter(Exists(offered)).order_by("name")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["full_name", "id_number", "phone", "email"]
        widgets = {
            "id_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea)


class ReasonForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

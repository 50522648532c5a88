"""Small input and output serializers beside the API views. Output
serializers read what the selectors return; input serializers only check
shapes, the workflow services check the rest."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty, is_simple_callable

from procedures.flows import Flow
from procedures.issues import unstorable_text
from workflow.engine import available_actions
from workflow.models import Channel, PaymentMethod, Status

MAX_CLIENT_KEY = 128


# Auth ---------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))


# Catalog ------------------------------------------------------------------------


class AgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FieldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LevelSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField(required=False)
    help = serializers.CharField(required=False)
    min = serializers.FloatField(required=False)
    max = serializers.FloatField(required=False)
    max_length = serializers.IntegerField(required=False)
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    types = serializers.ListField(child=serializers.CharField(), required=False)
    max_mb = serializers.FloatField(required=False)


class PaperSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField(required=False)
    types = serializers.ListField(child=serializers.CharField(), required=False)
    max_mb = serializers.FloatField(required=False)


class FlowActionSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    to = serializers.CharField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)


class FlowStepSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    days = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    actions = FlowActionSerializer(many=True)


class FlowSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    start = serializers.CharField()
    steps = FlowStepSerializer(many=True)


class ProcedureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    agency = AgencySerializer()
    field = FieldSerializer(source="sector")
    level = LevelSerializer(source="agency.level")
    time_limit_days = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    fee_vnd = serializers.IntegerField()
    full_online = serializers.BooleanField()


class ProcedureDetailSerializer(ProcedureSerializer):
    form = FormFieldSerializer(many=True)
    attachments = PaperSerializer(many=True)
    current_flow = serializers.SerializerMethodField()

    @extend_schema_field(FlowSerializer(allow_null=True))
    def get_current_flow(self, procedure):
        if procedure.current_flow is None:
            return None
        flow = Flow.from_definition(procedure.current_flow)
        return FlowSerializer(_FlowView(procedure.current_flow_number, flow)).data


class _FlowView:
    def __init__(self, version: int, flow: Flow) -> None:
        self.version, self.start, self.steps = version, flow.start, flow.steps


# Dossiers: input ------------------------------------------------------------------


def plain_text_only(value) -> None:
    """Free-form JSON must not carry NUL or lone surrogate characters, which the database cannot store."""
    if unstorable_text(value):
        raise serializers.ValidationError(_("Text may not contain NUL or surrogate characters."))


def json_object(**kwargs) -> serializers.DictField:
    return serializers.DictField(validators=[plain_text_only], **kwargs)


class Body(serializers.Serializer):
    """A JSON request body: a key the operation does not take is an error, not
    ignored (a client that sends "status" in a PATCH must not think it changed it)."""

    refuses_unknown_keys = True  # the schema says additionalProperties: false

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: [_("There is no such field.")] for key in unknown})
        return super().to_internal_value(data)


class Text(serializers.CharField):
    """Text, and only text: a number or true/false sent where text belongs is an
    error, not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ApplicantSerializer(Body):
    full_name = Text(max_length=255)
    id_number = Text(max_length=12, required=False, allow_blank=True)
    phone = Text(max_length=20, required=False, allow_blank=True)
    email = Text(max_length=254, required=False, allow_blank=True)


class DossierCreateSerializer(Body):
    procedure = Text(max_length=32, help_text=_("The procedure's national code."))
    data = json_object(required=False, default=dict, help_text=_("Application data by form field name."))
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.ONLINE)
    applicant = ApplicantSerializer(
        required=False, help_text=_("For counter and postal dossiers: the applicant without an account.")
    )


class DossierUpdateSerializer(Body):
    data = json_object(help_text=_("Fields to change; merged into the draft's data."))


class ActionSerializer(Body):
    comment = Text(required=False, allow_blank=True, max_length=5000, default="")
    data = json_object(
        required=False,
        default=dict,
        help_text=_(
            'Parameters of the action, e.g. {"assignee": username} for assign, {"new_due_date": "YYYY-MM-DD"} '
            'for apologize, {"data": {...}} for supplement_submitted.'
        ),
    )


class AttachmentUploadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, help_text=_("The paper's name in the procedure's attachments."))
    file = serializers.FileField()


class PaymentRequestSerializer(Body):
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.ONLINE)


class RatingSerializer(Body):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = Text(required=False, allow_blank=True, max_length=2000, default="")


class DossierFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    step = serializers.CharField(max_length=64, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    assigned_to_me = serializers.BooleanField(required=False, default=False)


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The signed PDF, at most 20 MB."))


# Dossiers: output -----------------------------------------------------------------


# The output serializers of the dossier answers. DRF's Serializer.to_representation
# gives every serializer it makes a deep copy of each declared field, binds it and
# reads it through several layers: over half of a dossier detail's CPU. These answer
# serializers compile their declared fields once per class into a plan, a list of
# (name, how to read it, how to write it), and follow it; what each field writes is
# still the field's own to_representation. The classes stay the API's declaration
# (the schema is generated from them), and tests/api/test_serializers.py checks that
# every answer is the one DRF's own path gives. (No docstring: the schema would show
# it as each subclass's description.)
class AnswerSerializer(serializers.Serializer):
    _plan: list[tuple[str, int, object, object, object]] | None = None

    def to_representation(self, instance):
        cls = type(self)
        plan = cls.__dict__.get("_plan") or _compile(cls)
        answer = {}
        for name, how, source, render, field in plan:
            if how == _METHOD:
                answer[name] = getattr(self, source)(instance)
                continue
            try:
                value = _read(instance, source)
            except (KeyError, AttributeError):
                # What DRF's Field.get_attribute falls back on, in its order.
                if field.default is not empty:
                    value = field.get_default()
                elif field.allow_null:
                    value = None
                elif not field.required:
                    continue
                else:
                    raise
            if value is None:
                answer[name] = None
            elif how == _NESTED:
                answer[name] = render(value, self.context)
            else:
                answer[name] = render(value)
        return answer


def _read(instance, attrs: list[str]):
    """``instance`` followed along ``attrs``, as DRF's ``fields.get_attribute`` does."""
    for attr in attrs:
        try:
            instance = instance[attr] if isinstance(instance, Mapping) else getattr(instance, attr)
        except ObjectDoesNotExist:
            return None
        if callable(instance) and is_simple_callable(instance):
            try:
                instance = instance()
            except (AttributeError, KeyError) as exc:
                # Not an absent attribute to fall back from: a fault of the method called.
                raise ValueError(f"Exception raised in callable attribute {attr!r}: {exc!r}") from exc
    return instance


_FIELD, _METHOD, _NESTED = 0, 1, 2


def _compile(cls: type[AnswerSerializer]) -> list[tuple[str, int, object, object, object]]:
    """How each field of ``cls`` is read and written, in declaration order: the name, the
    kind, the attributes to follow, what writes the value, and the declared field."""
    plan = []
    for name, field in cls._declared_fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField):
            plan.append((name, _METHOD, field.method_name or f"get_{name}", None, field))
            continue
        source = field.source or name
        attrs = [] if source == "*" else source.split(".")
        if isinstance(field, serializers.ListSerializer) and isinstance(field.child, AnswerSerializer):
            child = type(field.child)
            plan.append((name, _NESTED, attrs, lambda items, context, child=child: _many(child, items, context), field))
        elif isinstance(field, AnswerSerializer):
            nested = type(field)
            render = lambda item, context, nested=nested: nested(context=context).to_representation(item)  # noqa: E731
            plan.append((name, _NESTED, attrs, render, field))
        elif isinstance(field, serializers.BaseSerializer):
            raise TypeError(f"{cls.__name__}.{name}: an answer serializer nests only answer serializers")
        else:
            plan.append((name, _FIELD, attrs, field.to_representation, field))
    cls._plan = plan
    return plan


def _many(child: type[AnswerSerializer], items, context) -> list:
    serializer = child(context=context)
    return [serializer.to_representation(item) for item in (items.all() if isinstance(items, Manager) else items)]


class DossierSerializer(AnswerSerializer):
    """A line of the list."""

    code = serializers.CharField()
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    agency = serializers.CharField(source="agency.code")
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    status_code = serializers.IntegerField(source="national_status_code", allow_null=True)
    step = serializers.CharField()
    applicant_name = serializers.CharField()
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    due_date = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DateField(allow_null=True, help_text=_("The appointment day, local time.")))
    def get_due_date(self, dossier):
        return timezone.localtime(dossier.due_at).date().isoformat() if dossier.due_at else None


class AvailableActionSerializer(AnswerSerializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["lifecycle", "flow"])
    needs_comment = serializers.BooleanField()


class ApplicantOutSerializer(AnswerSerializer):
    full_name = serializers.CharField(source="applicant_name")
    id_number = serializers.CharField(source="applicant_id_number")
    phone = serializers.CharField(source="applicant_phone")
    email = serializers.CharField(source="applicant_email")


class AttachmentSerializer(AnswerSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    file_name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DocumentSerializer(AnswerSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField(source="get_kind_display")
    signer = serializers.CharField(source="signer_name")
    issued_at = serializers.DateTimeField(source="created_at")
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document):
        return self._absolute(reverse("api:document-download", args=[document.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, document):
        return self._absolute(reverse("portal:verify_document", args=[document.token]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EventSerializer(AnswerSerializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    by = serializers.CharField(source="actor_name")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    from_step = serializers.CharField()
    to_step = serializers.CharField()
    comment = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")


class DossierDetailSerializer(DossierSerializer):
    """One dossier, as the caller may act on it."""

    procedure_time_limit_days = serializers.DecimalField(
        source="procedure.time_limit_days", max_digits=5, decimal_places=1, coerce_to_string=False
    )
    status_label = serializers.CharField(source="get_status_display")
    step_name = serializers.SerializerMethodField()
    pending_role = serializers.CharField()
    applicant = ApplicantOutSerializer(source="*")
    data = serializers.DictField()
    available_actions = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(allow_null=True)
    step_due_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    fee_vnd = serializers.IntegerField()
    paid_via = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()
    version = serializers.IntegerField()
    etag = serializers.CharField()
    # Read by the view (``detail_response``) in their display order.
    attachments = AttachmentSerializer(many=True, source="shown_attachments")
    documents = DocumentSerializer(many=True, source="shown_documents")
    history = EventSerializer(many=True, source="shown_history")

    @extend_schema_field(OpenApiTypes.STR)
    def get_step_name(self, dossier):
        step = dossier.flow_version.flow.step(dossier.step) if dossier.step else None
        return step.name if step else ""

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, dossier):
        request = self.context["request"]
        return AvailableActionSerializer(available_actions(dossier, request.user), many=True).data


class PaymentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    amount_vnd = serializers.IntegerField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    provider = serializers.CharField()
    paid_at = serializers.DateTimeField()


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_message(self, check):
        return check.message_vi if (get_language() or "vi").startswith("vi") else check.message_en


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    signer = serializers.CharField()
    agency = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    serial = serializers.CharField()
    checks = CheckSerializer(many=True)

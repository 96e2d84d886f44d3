"""Forms of the hazard and inspection pages: they collect and render input; the rules live in
`services` and `guards`, whose ValidationErrors are put back on the fields here.

Imports from core, enterprises, standards and this app.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from benan.core.forms import MultipleFileField, ServiceErrorsMixin, date_field, text_field
from benan.core.models import Role

from .guards import PLAN_ELEMENTS
from .models import Grade, Source

# -- the loop's action forms -------------------------------------------------------------------


class ConfirmForm(ServiceErrorsMixin, forms.Form):
    grade = forms.ChoiceField(
        label="隐患等级",
        choices=Grade.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    criterion = forms.ChoiceField(
        label="判定依据（重大事故隐患判定标准条款）",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = date_field("整改期限")

    def __init__(self, *args, criteria=(), actor=None, hazard=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_errors: list[str] = []
        # Criteria of the enterprise's sector; the one the hazard was found against stays
        # selectable even if the sector has changed since.
        choices = [("", "请选择判定标准条款")]
        groups: dict[str, list[tuple[str, str]]] = {}
        for c in criteria:
            mark = "【原文待核】" if not c.verified else ""
            groups.setdefault(_heading(c), []).append((c.id, f"{c.id} {mark}{_short(c.text)}"))
        choices += list(groups.items())
        if hazard is not None and hazard.criterion_id and not any(
            hazard.criterion_id == value for options in groups.values() for value, _ in options
        ):
            choices.append((hazard.criterion_id, f"{hazard.criterion_id} {_short(hazard.criterion.text)}"))
        self.fields["criterion"].choices = choices
        self.fields["criterion"].error_messages["invalid_choice"] = "请选择本企业行业适用的判定标准条款"
        self.fields["grade"].error_messages["invalid_choice"] = "请选择一般事故隐患或重大事故隐患"
        for key, label in PLAN_ELEMENTS.items():
            long = key in ("measures", "contingency")
            self.fields[f"plan_{key}"] = text_field(
                label, max_length=1000 if long else 200, rows=2 if long else 0
            )
        if actor is not None and actor.role == Role.ENTERPRISE:
            # An enterprise confirms only its own general hazards: there is nothing to choose.
            self.fields["grade"].choices = [(Grade.GENERAL.value, Grade.GENERAL.label)]
            self.fields["grade"].initial = Grade.GENERAL
        if hazard is not None and hazard.criterion_id:
            # Found against an official criterion: major by definition.
            self.fields["grade"].initial = Grade.MAJOR
            self.fields["criterion"].initial = hazard.criterion_id
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def plan(self) -> dict:
        return {key: self.cleaned_data.get(f"plan_{key}", "") for key in PLAN_ELEMENTS}

    def plan_fields(self):
        return [self[f"plan_{key}"] for key in PLAN_ELEMENTS]

    def add_service_errors(self, error: ValidationError) -> None:
        # The plan's error names every missing element at once: shown above the plan's fields.
        if hasattr(error, "error_dict"):
            rest = {}
            for field, messages in error.message_dict.items():
                if field == "plan":
                    self.plan_errors = [*self.plan_errors, *messages]
                else:
                    rest[field] = messages
            if not rest:
                return
            error = ValidationError(rest)
        super().add_service_errors(error)


def _heading(c) -> str:
    if c.article and c.article.startswith("第"):
        return f"{c.standard_id} {c.article} {c.section}".strip()
    return f"{c.standard_id} {c.article}、{c.section}" if c.article else f"{c.standard_id} {c.section}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DismissForm(ServiceErrorsMixin, forms.Form):
    reason = text_field(
        "不予确认的理由", max_length=500, rows=2, placeholder="如：经现场核实，不构成事故隐患"
    )


class SubmitForm(ServiceErrorsMixin, forms.Form):
    description = text_field("整改情况", max_length=2000, rows=3, placeholder="采取了哪些整改措施，效果如何")
    files = MultipleFileField(label="整改证据（照片或 PDF，可多选）")

    aliases = {"attachments": "files", "file": "files"}


class CommentForm(ServiceErrorsMixin, forms.Form):
    comment = text_field("意见", max_length=500, rows=2)

    def __init__(self, *args, label: str = "意见", placeholder: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = label
        if placeholder:
            self.fields["comment"].widget.attrs["placeholder"] = placeholder


class ListForm(ServiceErrorsMixin, forms.Form):
    due_date = date_field("督办期限")
    comment = text_field("督办要求", max_length=500, rows=2, placeholder="如：限期完成整改并报送整改报告")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()


# -- reporting and inspections -----------------------------------------------------------------


class ReportForm(ServiceErrorsMixin, forms.Form):
    enterprise = forms.TypedChoiceField(
        label="企业", coerce=int, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    source = forms.ChoiceField(
        label="发现方式", choices=Source.choices, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    description = text_field("隐患描述", max_length=2000, rows=4, placeholder="隐患的具体情形")
    location = text_field("隐患部位", max_length=200, placeholder="如：配电室、煤气站")

    aliases = {"enterprise_id": "enterprise"}

    def __init__(self, *args, enterprises=(), actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", "请选择企业"), *((e.pk, e.name) for e in enterprises)]
        self.fields["enterprise"].error_messages["invalid_choice"] = "请选择您管辖范围内的企业"
        self.fields["source"].error_messages["invalid_choice"] = "请选择可选的发现方式"
        if actor is not None and actor.role == Role.ENTERPRISE:
            self.fields["source"].choices = [(Source.SELF.value, Source.SELF.label)]
            self.fields["source"].initial = Source.SELF
        else:
            # Self-found hazards are reported by the enterprise itself; 暗访 findings are recorded
            # with their unannounced inspection, which keeps them embargoed until published.
            self.fields["source"].choices = [
                c for c in Source.choices if c[0] not in (Source.SELF, Source.UNANNOUNCED)
            ]
            self.fields["source"].initial = Source.DEPARTMENT


class InspectionForm(ServiceErrorsMixin, forms.Form):
    """The head of an inspection; the checklist answers and findings are read by the view."""

    source = forms.ChoiceField(
        label="检查类型", choices=Source.choices, required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = date_field("检查日期")
    inspectors = text_field("检查人员", max_length=300, placeholder="如：张三、李四")
    note = text_field("备注", max_length=2000, rows=2)

    aliases = {"day": "date"}

    def __init__(self, *args, self_check: bool = False, unannounced: bool = False, **kwargs):
        """`unannounced`: the user may inspect this enterprise unannounced (an office above its
        county), so 暗访 is offered."""
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["source"].error_messages["invalid_choice"] = "请选择可选的检查类型"
        if self_check:
            self.fields["source"].choices = [(Source.SELF.value, Source.SELF.label)]
            self.fields["source"].initial = Source.SELF
            self.fields["inspectors"].label = "检查人"
        else:
            left_out = (Source.SELF,) if unannounced else (Source.SELF, Source.UNANNOUNCED)
            self.fields["source"].choices = [c for c in Source.choices if c[0] not in left_out]
            self.fields["source"].initial = Source.DEPARTMENT
            if unannounced:
                self.fields["source"].help_text = (
                    "暗访：检查结果在公开前对被检查企业和所在县（市、区）保密，由本单位在检查详情页公开"
                )

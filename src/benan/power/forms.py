"""Forms of the power-alert pages: they collect input; the rules and their Chinese messages live in
`services` and `guards`, whose ValidationErrors (keyed by the services' argument names) are put
back on the fields here through `aliases`. Fields are optional so that the services say what is
missing.
"""

from __future__ import annotations

from django import forms

from benan.core.forms import (
    MultipleFileField,
    MultipleFileInput,
    ServiceErrorsMixin,
    date_field,
    degrees_field,
    text_field,
    user_label,
)

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class Form(ServiceErrorsMixin, forms.Form):
    pass


class AssignForm(Form):
    """分派核查. The inspector is a number, not a checked choice: the guard says why another user
    cannot take the alert (not an inspector, not responsible for the county)."""

    inspector = forms.IntegerField(
        label="核查人员",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid": "请选择核查人员"},
    )

    aliases = {"inspector_id": "inspector"}

    def __init__(self, *args, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].widget.choices = [("", "请选择核查人员")] + [
            (str(u.pk), user_label(u)) for u in inspectors
        ]


class CheckForm(Form):
    """现场核查: the outcome decides the service (confirm or dismiss); photos are stored first."""

    outcome = forms.ChoiceField(
        label="核查结论",
        required=True,
        choices=[("confirm", "属实（企业在生产）"), ("dismiss", "误报（未生产）")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "请选择核查结论：属实或误报", "invalid_choice": "请选择属实或误报"},
    )
    photos = MultipleFileField(
        label="现场照片（JPEG、PNG，可多选）",
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}
        ),
    )
    lat = degrees_field("核查位置纬度", "lat")
    lon = degrees_field("核查位置经度", "lon")
    finding = text_field("现场核查情况", max_length=2000, rows=3)
    checked_on = date_field("核查日期（不填为今天）")

    aliases = {"photo_ids": "photos", "file": "photos"}


class CaseForm(Form):
    """一键立案: cause and facts come prefilled from the alert; officers are optional."""

    cause = text_field("案由", max_length=200)
    facts = text_field("违法事实", max_length=5000, rows=5)
    officers = forms.MultipleChoiceField(
        label="执法人员（可选，调查取证前须至少两名）",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    aliases = {"officer_ids": "officers"}

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].choices = [(str(u.pk), user_label(u)) for u in candidates]
        self.fields["officers"].error_messages["invalid_choice"] = "“%(value)s”不是可选的执法人员"

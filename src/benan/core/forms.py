"""The form fields shared by every app's pages, and the mixin that puts the services'
ValidationErrors (keyed by their argument names) on the matching form fields. Fields are optional
so that the services say what is missing, in their own Chinese words.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

DATE_ERRORS = {"invalid": "日期格式应为 YYYY-MM-DD"}
DATETIME_ERRORS = {"invalid": "时间格式应为 YYYY-MM-DD HH:MM"}
DEGREES_ERRORS = {"invalid": "请输入数字（十进制度，如 30.64213）"}


def text_field(label: str, *, max_length: int, rows: int = 0, placeholder: str = "") -> forms.CharField:
    attrs = {"class": "form-control"}
    if placeholder:
        attrs["placeholder"] = placeholder
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=widget,
        error_messages={"max_length": f"不能超过{max_length}个字符"},
    )


def date_field(label: str) -> forms.DateField:
    # Not required on the form: the services say "必须填写…" in their own words.
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )


def datetime_field(label: str) -> forms.DateTimeField:
    # Naive input is read in the site's time zone (Asia/Shanghai).
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages=DATETIME_ERRORS,
    )


def number_field(label: str, *, money: bool = False, placeholder: str = "") -> forms.CharField:
    # Text, not IntegerField or DecimalField: the services parse counts and amounts and name the
    # rule in Chinese ("死亡人数不能为负数"), the same words as the API's.
    attrs = {"class": "form-control", "inputmode": "decimal" if money else "numeric"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(label=label, required=False, max_length=30, widget=forms.TextInput(attrs=attrs))


def degrees_field(label: str, name: str) -> forms.FloatField:
    """A latitude or longitude in decimal degrees; `name` ("lat" or "lon") is for the map picker."""
    return forms.FloatField(
        label=label,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "decimal", "data-geo": name, "autocomplete": "off"}
        ),
        error_messages=DEGREES_ERRORS,
    )


def choice_field(label: str, choices, *, blank: str = "请选择", radio: bool = False) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        required=False,
        choices=list(choices) if radio else [("", blank), *choices],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"})
        if radio
        else forms.Select(attrs={"class": "form-select"}),
    )
    field.error_messages["invalid_choice"] = f"请选择可选的{label}"
    return field


def flag(label: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


def user_label(user) -> str:
    """How a user reads in a choice list: name, role and region."""
    name = user.get_full_name() or user.username
    region = user.region.full_name if user.region_id else ""
    return f"{name}（{user.get_role_display()}，{region}）"


class ServiceErrorsMixin:
    """Put the services' errors (keyed by their field names) on the matching form fields."""

    aliases: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for field, messages in error.message_dict.items():
            field = self.aliases.get(field, field)
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def mark_fields(self) -> None:
        for name, field in self.fields.items():
            classes = field.widget.attrs.get("class", "")
            if not classes or "form-check-input" in classes:
                continue
            classes = classes.replace(" is-invalid", "")
            field.widget.attrs["class"] = classes + (" is-invalid" if name in self.errors else "")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by `attachments.store`, not here."""

    def __init__(self, *args, **kwargs):
        accept = "image/jpeg,image/png,image/webp,.pdf"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []

"""Forms of the enterprise pages: they collect and render input; the rules live in `rules`/`services`.

Registry fields are plain text fields on purpose, so that `rules.clean_enterprise` (the same code
the API and the importer run) decides what is valid and its Chinese messages reach the page.
Imports from core and this app only.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel

from .models import Scale, Sector, Status
from .rules import FIELD_LABELS, REQUIRED

# The registry fields the form pages edit, in display order (the API's names).
REGISTRY_FIELDS = (
    "uscc", "name", "region_code", "sector", "address", "lat", "lon", "scale",
    "legal_representative", "safety_contact", "safety_contact_phone",
)
SELECTS = frozenset({"region_code", "sector", "scale", "status"})


def scope_regions(user) -> list[Region]:
    """Cities and counties inside the user's region, in code order (a city before its counties).

    Regions are public reference data, so they are not read through `scope()`; the range only
    keeps the choices to the part of the tree the user works in. Enterprise users get none.
    """
    queryset = Region.objects.exclude(level=RegionLevel.PROVINCE).select_related("parent").order_by("code")
    if user.is_admin:
        return list(queryset)
    if user.role not in GOVERNMENT_ROLES or user.region_id is None:
        return []
    low, high = user.region.code_range()
    return list(queryset.filter(code__gte=low, code__lte=high))


def grouped_regions(regions: list[Region], *, counties_only: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    """Regions grouped under their city, for <optgroup>: [(city name, [(code, label), ...]), ...].

    `regions` must be in code order, so that a city comes before its counties.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for region in regions:
        if region.level == RegionLevel.CITY:
            options = groups.setdefault(region.name, [])
            if not counties_only:
                options.append((region.code, f"{region.name}（全市）"))
        else:
            city = region.parent.name if region.parent_id else region.name
            groups.setdefault(city, []).append((region.code, region.name))
    return [(city, options) for city, options in groups.items() if options]


class EnterpriseForm(forms.Form):
    """Create (with the initial status) or edit an enterprise; `instance` None means create."""

    uscc = forms.CharField(required=False)
    name = forms.CharField(required=False)
    region_code = forms.CharField(required=False, widget=forms.Select)
    sector = forms.CharField(
        required=False, widget=forms.Select(choices=[("", "请选择行业"), *Sector.choices])
    )
    address = forms.CharField(required=False)
    lat = forms.CharField(required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lon = forms.CharField(required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    scale = forms.CharField(
        required=False, widget=forms.Select(choices=[("", "未填写"), *Scale.choices])
    )
    legal_representative = forms.CharField(required=False)
    safety_contact = forms.CharField(required=False)
    safety_contact_phone = forms.CharField(required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    status = forms.ChoiceField(label="初始状态", choices=Status.choices, initial=Status.NORMAL)
    status_since = forms.DateField(
        label="状态开始日期",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填"},
    )

    def __init__(self, *args, user, instance=None, validate_url: str = "", **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.checked: set[str] = set()  # fields the inline check found valid
        # Marked with * on the page; not `required` on the inputs, so that the server's
        # Chinese messages are shown instead of the browser's own.
        self.required_names = {*REQUIRED, "status", "status_since"}
        if instance is not None:
            # The timeline is changed from the detail page, not by editing the enterprise.
            del self.fields["status"], self.fields["status_since"]
        else:
            self.fields["status_since"].initial = timezone.localdate()
        counties = [r for r in scope_regions(user) if r.level == RegionLevel.COUNTY]
        self.fields["region_code"].widget.choices = [
            ("", "请选择区县"), *grouped_regions(counties, counties_only=True)
        ]
        for name, field in self.fields.items():
            if name in FIELD_LABELS:
                field.label = FIELD_LABELS[name]
            attrs = field.widget.attrs
            attrs["class"] = "form-select" if name in SELECTS else "form-control"
            attrs["id"] = f"id_{name}"
            attrs["aria-describedby"] = f"feedback-{name}"
            if validate_url and name in REGISTRY_FIELDS:
                # Each field checks itself when it changes and replaces only its own wrapper.
                attrs.update({
                    "hx-post": f"{validate_url}{'&' if '?' in validate_url else '?'}field={name}",
                    "hx-trigger": "change",
                    "hx-target": f"#field-{name}",
                    "hx-swap": "outerHTML",
                })

    @classmethod
    def initial_for(cls, enterprise) -> dict:
        return {
            "uscc": enterprise.uscc, "name": enterprise.name, "region_code": enterprise.region_id,
            "sector": enterprise.sector, "address": enterprise.address,
            "lat": f"{enterprise.lat:g}", "lon": f"{enterprise.lon:g}", "scale": enterprise.scale,
            "legal_representative": enterprise.legal_representative,
            "safety_contact": enterprise.safety_contact,
            "safety_contact_phone": enterprise.safety_contact_phone,
        }

    def registry_data(self) -> dict:
        """The registry fields as typed, for the services (which validate them)."""
        values = {name: self.data.get(name, "").strip() for name in REGISTRY_FIELDS}
        if self.instance is not None:
            # Editing: an emptied required field is "不能为空", not a parse error of "".
            values = {k: (None if v == "" and k in REQUIRED else v) for k, v in values.items()}
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the services' errors (keyed by API field names) on the matching fields."""
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if target is None and field != "__all__":
                messages = [f"{FIELD_LABELS.get(field, field)}：{m}" for m in messages]
            for message in messages:
                self.add_error(target, message)

    def mark_fields(self) -> None:
        """Bootstrap's validation classes, once the errors are known."""
        for name, field in self.fields.items():
            base = "form-select" if name in SELECTS else "form-control"
            state = " is-invalid" if name in self.errors else (" is-valid" if name in self.checked else "")
            field.widget.attrs["class"] = base + state


class StatusForm(forms.Form):
    """The "变更状态" form on the detail page; `services.change_status` applies the rules."""

    status = forms.ChoiceField(
        label="新状态", choices=Status.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    start_date = forms.DateField(
        label="开始日期",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD", "required": "必填"},
    )
    reason = forms.CharField(
        label="原因", required=False, max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：责令停产整顿"}),
        error_messages={"max_length": "不能超过300个字符"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["status"].error_messages["invalid_choice"] = "请选择可选的状态"

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def mark_fields(self) -> None:
        for name, field in self.fields.items():
            classes = field.widget.attrs["class"].replace(" is-invalid", "")
            field.widget.attrs["class"] = classes + (" is-invalid" if name in self.errors else "")

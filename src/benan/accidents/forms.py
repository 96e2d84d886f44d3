"""Forms of the accident pages: they collect and render input; the rules (and their Chinese
messages) live in `services` and `guards`, whose ValidationErrors, keyed by the services' argument
names, are put back on the fields here. Fields are optional on the form so that the services say
what is missing; the grade is never a field, it is computed from the figures.

Imports from core (the shared form fields) and this app.
"""

from __future__ import annotations

from django import forms

from benan.core.forms import (
    MultipleFileField,
    ServiceErrorsMixin,
    choice_field,
    date_field,
    datetime_field,
    flag,
    number_field,
    text_field,
)

from .models import AccountabilityKind, Kind


class Form(ServiceErrorsMixin, forms.Form):
    """An accident page form; `field_order` keeps the fields in the order of 第十二条."""


# -- reports -----------------------------------------------------------------------------------

FIGURE_FIELDS = ("deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss_cny")


class FiguresMixin(forms.Form):
    deaths = number_field("死亡人数")
    serious_injuries = number_field("重伤人数（含急性工业中毒）")
    minor_injuries = number_field("轻伤人数")
    missing = number_field("下落不明人数")
    direct_loss_cny = number_field("直接经济损失（元，初步估计）", money=True, placeholder="如：1500000")


class ReportForm(Form, FiguresMixin):
    """事故快报: every item 第十二条 requires. `enterprises` are the choices of the unit (those in
    scope matching the search); `regions` the counties of the user's scope, grouped by city."""

    enterprise = forms.TypedChoiceField(
        label="事故发生单位（名录中的企业）",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    unit_name = text_field("事故发生单位名称（不在企业名录中时填写）", max_length=200)
    region_code = forms.ChoiceField(
        label="事故发生地（区县）", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    kind = choice_field("事故类型", Kind.choices)
    occurred_at = datetime_field("事故发生时间")
    known_at = datetime_field("单位负责人接到报告的时间（不填同发生时间）")
    place = text_field("事故发生地点", max_length=300, placeholder="如：一号车间冲压工段")
    lat = forms.CharField(
        label="纬度（可不填）",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    lon = forms.CharField(
        label="经度（可不填）",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    unit_overview = text_field(
        "事故发生单位概况", max_length=5000, rows=2, placeholder="单位性质、规模、主要负责人、生产经营范围等"
    )
    scene = text_field("事故现场情况", max_length=5000, rows=3)
    summary = text_field("事故简要经过", max_length=5000, rows=4)
    measures = text_field("已经采取的措施", max_length=5000, rows=3)
    other = text_field("其他应当报告的情况", max_length=5000, rows=2)

    aliases = {"enterprise_id": "enterprise"}

    def __init__(self, *args, enterprises=(), regions=(), fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed = fixed  # an enterprise user's own enterprise: unit and region are not chosen
        self.fields["enterprise"].choices = [
            ("", "不在企业名录中（填写下方单位名称）"),
            *((e.pk, f"{e.name}（{e.region.full_name}）") for e in enterprises),
        ]
        self.fields["enterprise"].error_messages["invalid_choice"] = "请选择您管辖范围内的企业"
        self.fields["region_code"].choices = [("", "按所选企业的所在区县"), *regions]
        self.fields["region_code"].error_messages["invalid_choice"] = "请选择您管辖范围内的区县"
        if fixed is not None:
            for name in ("enterprise", "unit_name", "region_code"):
                del self.fields[name]

    def coordinates(self) -> dict:
        """Latitude and longitude as numbers (or None); a non-number is put on its field."""
        values = {}
        for name, label in (("lat", "纬度"), ("lon", "经度")):
            raw = (self.cleaned_data.get(name) or "").strip()
            if not raw:
                values[name] = None
                continue
            try:
                values[name] = float(raw)
            except ValueError:
                self.add_error(name, f"{label}必须是数字，收到“{raw}”")
        return values


class FollowUpForm(Form, FiguresMixin):
    note = text_field("新情况", max_length=2000, rows=2, placeholder="伤亡、损失的变化，救援进展等")


class GradeForm(forms.Form):
    """The calculator's query: the three criteria of Decree 493."""

    deaths = number_field("死亡人数")
    serious_injuries = number_field("重伤人数（含急性工业中毒）")
    direct_loss_cny = number_field("直接经济损失（元）", money=True)


# -- the investigation -------------------------------------------------------------------------


class InvestigateForm(Form):
    team = text_field(
        "事故调查组组成", max_length=2000, rows=3, placeholder="组长、副组长及成员单位（应急、公安、工会等）"
    )
    started_on = date_field("成立日期（不填为今天）")


class ExtendForm(Form):
    days = forms.IntegerField(
        label="延长天数",
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1}),
        error_messages={"invalid": "延长天数必须是整数"},
    )
    reason = text_field("延长理由（经负责事故调查的人民政府批准）", max_length=500, rows=2)


class SubmitReportForm(Form):
    report = forms.FileField(
        label="事故调查报告（PDF）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,application/pdf"}),
    )
    summary = text_field("调查结论（原因、性质、责任认定和处理建议）", max_length=5000, rows=4)
    submitted_on = date_field("提交日期（不填为今天）")

    aliases = {"attachments": "report", "file": "report", "attachment_id": "report"}


class ReplyForm(Form):
    reply = text_field("批复意见", max_length=5000, rows=3)
    replied_on = date_field("批复日期（不填为今天）")


class ConfirmForm(Form):
    """No input: the move itself (publish, close); its guard says why it is refused."""


class FourNosForm(Form):
    done = flag("已落实")
    note = text_field("落实情况", max_length=2000, rows=2)
    files = MultipleFileField(label="证据材料（照片或 PDF，可多选；已有的保留）")

    aliases = {"attachments": "files", "file": "files"}


class MeasureForm(Form):
    description = text_field("整改措施", max_length=2000, rows=2)
    due_date = date_field("整改期限")
    assignee_enterprise = forms.TypedChoiceField(
        label="责任企业",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    assignee_region = forms.ChoiceField(
        label="或：责任部门所在区划", required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    department = text_field("责任部门", max_length=100, placeholder="如：区应急管理局")

    aliases = {"assignee_enterprise_id": "assignee_enterprise", "assignee": "assignee_enterprise"}

    def __init__(self, *args, enterprises=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_enterprise"].choices = [
            ("", "不分配给企业"),
            *((e.pk, e.name) for e in enterprises),
        ]
        self.fields["assignee_enterprise"].error_messages["invalid_choice"] = "请选择可选的责任企业"
        self.fields["assignee_region"].choices = [("", "不分配给部门"), *regions]
        self.fields["assignee_region"].error_messages["invalid_choice"] = "请选择您管辖范围内的区划"


class MeasureSubmitForm(Form):
    result = text_field("落实情况", max_length=2000, rows=2)
    files = MultipleFileField(label="证据材料（照片或 PDF，可多选）")

    aliases = {"attachments": "files", "file": "files", "evidence": "files"}


class CommentForm(Form):
    comment = text_field("验收意见", max_length=500, rows=2)

    def __init__(self, *args, label: str = "验收意见", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = label


# -- accountability ----------------------------------------------------------------------------


class AccountabilityForm(Form):
    person_name = text_field("姓名", max_length=50)
    position = text_field("职务", max_length=100)
    unit = text_field("单位", max_length=200)
    kind = choice_field("问责方式", AccountabilityKind.choices)
    detail = text_field("处理内容", max_length=300, placeholder="如：给予政务记过处分")
    decided_by = text_field("决定机关", max_length=100)
    decided_on = date_field("决定日期")


class AcknowledgeForm(Form):
    note = text_field("说明（可不填）", max_length=300)

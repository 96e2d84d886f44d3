"""Forms of the enforcement pages: they collect and render input; the rules live in `services` and
`guards`, whose ValidationErrors (keyed by the services' argument names) are put back on the
fields here. Every field is optional on the form so that the services say what is missing, in
their own words.

Imports from core (the shared form fields) and this app.
"""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from benan.core.forms import (
    MultipleFileField,
    ServiceErrorsMixin,
    choice_field,
    date_field,
    flag,
    number_field,
    text_field,
    user_label,
)

from . import rules
from .models import BlacklistReason, Origin, Party, PenaltyKind, ReferralCategory


def checkboxes(label: str, choices=()) -> forms.MultipleChoiceField:
    field = forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    field.error_messages["invalid_choice"] = f"“%(value)s”不是可选的{label}"
    return field


class ActionForm(ServiceErrorsMixin, forms.Form):
    """An action form of a case or of one of its records; `case` and `user` give the choices."""

    def __init__(self, data=None, files=None, *, case=None, user=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.case = case
        self.user = user


# -- opening a case ----------------------------------------------------------------------------


class CaseForm(ActionForm):
    cause = text_field("案由", max_length=200, placeholder="如：未按规定组织应急救援预案演练")
    facts = text_field("违法事实", max_length=5000, rows=4, placeholder="时间、地点、违法行为的具体情形")
    origin = choice_field("案件来源", Origin.choices, radio=True)
    inspection = choice_field("来源检查", (), blank="不关联检查")
    hazards = checkboxes("涉及隐患")
    origin_ref = text_field("来源编号（电力数据预警编号）", max_length=64)
    officers = checkboxes("执法人员")
    opened_on = date_field("立案日期")

    aliases = {"officer_ids": "officers", "inspection_id": "inspection", "hazard_ids": "hazards"}

    def __init__(self, *args, inspections=(), hazards=(), officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].initial = Origin.DIRECT
        self.fields["inspection"].choices = [
            ("", "不关联检查"),
            *((str(i.pk), f"#{i.pk} {i.date:%Y-%m-%d} {i.get_source_display()}") for i in inspections),
        ]
        self.fields["hazards"].choices = [
            (str(h.pk), f"#{h.pk} {h.get_state_display()} {h.description[:40]}") for h in hazards
        ]
        self.fields["officers"].choices = [(str(u.pk), user_label(u)) for u in officers]


# -- the case's action forms -------------------------------------------------------------------


class OfficersForm(ActionForm):
    officers = checkboxes("执法人员")

    aliases = {"officer_ids": "officers"}

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].choices = [(str(u.pk), user_label(u)) for u in candidates]
        if self.case is not None and not self.is_bound:
            self.initial["officers"] = [str(pk) for pk in self.case.officers.values_list("pk", flat=True)]


class EvidenceForm(ActionForm):
    files = MultipleFileField(label="证据材料（照片或 PDF，可多选）")

    aliases = {"attachments": "files", "file": "files"}


class InvestigateForm(ActionForm):
    """No input: the move itself (the guard checks the officers)."""


class NotifyForm(ActionForm):
    proposal = text_field(
        "拟处罚内容", max_length=2000, rows=3, placeholder="拟作出的行政处罚及其事实、理由、依据"
    )
    proposed_kinds = checkboxes("拟处罚种类", PenaltyKind.choices)
    proposed_fine = number_field("拟罚没金额（元）", money=True, placeholder="如：180000")
    notified_on = date_field("告知日期（不填为今天）")

    aliases = {"proposed_fine_cny": "proposed_fine"}


class StatementForm(ActionForm):
    statement = text_field("陈述申辩意见", max_length=5000, rows=3)
    waived = flag("当事人放弃陈述申辩")
    hearing_requested = flag("当事人申请听证")
    statement_on = date_field("陈述申辩日期（不填为今天）")


class HearingForm(ActionForm):
    record = text_field("听证情况", max_length=5000, rows=3)
    held_on = date_field("听证日期（不填为今天）")


class ExecuteForm(ActionForm):
    execution = text_field("执行情况", max_length=2000, rows=3, placeholder="如：当事人已于某日缴纳全部罚款")
    paid_cny = number_field("已缴金额（元）", money=True)
    executed_on = date_field("执行日期（不填为今天）")


class CloseForm(ActionForm):
    report = text_field("结案报告", max_length=5000, rows=3)


class WithdrawForm(ActionForm):
    reason = text_field("撤销理由", max_length=500, rows=2, placeholder="如：违法事实不能成立")


class SuspendForm(ActionForm):
    start_date = date_field("停产整顿起始日期")
    scope = text_field("停产整顿范围", max_length=300, placeholder="如：全厂 / 喷涂车间")
    lifting_conditions = text_field("恢复生产条件", max_length=2000, rows=2)


class ReferForm(ActionForm):
    category = choice_field("涉嫌犯罪类别", ReferralCategory.choices)
    report = text_field("移送报告", max_length=5000, rows=3)


class BlacklistForm(ActionForm):
    reason_kind = choice_field("列入情形", BlacklistReason.choices)
    reason = text_field("列入理由", max_length=500, rows=2)
    entry_date = date_field("列入日期（不填为今天）")


# -- suspension orders, referrals, blacklist entries -------------------------------------------


class LiftForm(ActionForm):
    inspection = choice_field("复查检查", (), blank="请选择复查检查记录")
    lifted_on = date_field("恢复生产日期（不填为今天）")
    comment = text_field("复查意见", max_length=500, rows=2)

    aliases = {"inspection_id": "inspection"}

    def __init__(self, *args, inspections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [
            ("", "请选择复查检查记录"),
            *(
                (str(i.pk), f"#{i.pk} {i.date:%Y-%m-%d} {i.get_source_display()} {i.inspectors}".strip())
                for i in inspections
            ),
        ]


class ApproveReferralForm(ActionForm):
    """No input: the head approves the transfer."""


class RefuseReferralForm(ActionForm):
    reason = text_field("不予移送的理由", max_length=500, rows=2)


class TransferReferralForm(ActionForm):
    receiving_organ = text_field("接收的公安机关", max_length=100, placeholder="如：成都市公安局武侯区分局")


class ReferralResultForm(ActionForm):
    accepted = choice_field("公安机关决定", [("1", "公安已立案"), ("0", "公安不予立案")], blank="请选择")
    result = text_field("处理结果", max_length=500, rows=2)
    feedback_on = date_field("反馈日期（不填为今天）")


class ApplyExitForm(ActionForm):
    application = text_field("申请理由和信用修复情况", max_length=2000, rows=3)


class ExitCommentForm(ActionForm):
    comment = text_field("意见", max_length=500, rows=2)


# -- the decision ------------------------------------------------------------------------------


def basis_choices() -> list[tuple[str, str]]:
    return [
        (b.code, f"{b.title}{'【原文待核】' if not b.verified else ''}")
        for b in rules.current().legal_bases.values()
    ]


class PenaltyLineForm(ServiceErrorsMixin, forms.Form):
    party = choice_field("处罚对象", Party.choices, blank="请选择")
    person_name = text_field("姓名", max_length=50, placeholder="对个人时填写")
    person_position = text_field("职务", max_length=50, placeholder="如：总经理")
    kind = choice_field("处罚种类", PenaltyKind.choices, blank="请选择")
    basis = choice_field("法律依据", (), blank="请选择法律依据")
    amount = number_field("金额（元）", money=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = [("", "请选择法律依据"), *basis_choices()]


MAX_LINES = 20
PenaltyFormSet = formset_factory(
    PenaltyLineForm, extra=0, can_delete=True, max_num=MAX_LINES, absolute_max=MAX_LINES
)


class DecisionForm(ServiceErrorsMixin, forms.Form):
    decision_number = text_field("决定书文号（不填则自动编号）", max_length=60)

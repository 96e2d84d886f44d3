"""The action forms of the alert page (分派, 现场核查, 一键立案): which the user is offered now, their
forms and what each runs. The loop's table decides (`PowerAlert.LOOP.available`); the services'
guards still check every post.

Imports from core, enforcement (the officer candidates), this app and `views.common`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse

from benan.core import attachments
from benan.core.loop import role_allows
from benan.core.pages import messages_of
from benan.enforcement import queries as enforcement_queries

from .. import forms, services
from ..models import PowerAlert


@dataclass(frozen=True)
class Action:
    label: str
    # The loop actions this form takes (the check form takes confirm or dismiss).
    loop: tuple[str, ...]
    form: type
    # (request, alert, form) -> the message when done; a service call.
    run: Callable
    button: str = "btn-primary"
    hint: str = ""


def _store_photos(request, uploads) -> list[int]:
    """Keep the uploaded photos; a refused one is named on `photos` (the transaction rolls back)."""
    ids = []
    for upload in uploads:
        try:
            ids.append(attachments.store(actor=request.user, upload=upload).pk)
        except ValidationError as exc:
            raise ValidationError({"photos": [f"{upload.name}：{m}" for m in messages_of(exc)]}) from exc
    return ids


def _run_assign(request, alert, form):
    alert = services.assign(actor=request.user, alert=alert, inspector_id=form.cleaned_data["inspector"])
    inspector = alert.inspector
    return f"已分派给 {inspector.get_full_name() or inspector.username} 现场核查"


def _run_check(request, alert, form):
    data = form.cleaned_data
    service = services.confirm if data["outcome"] == "confirm" else services.dismiss
    service(
        actor=request.user,
        alert=alert,
        photo_ids=_store_photos(request, data["photos"]),
        lat=data["lat"],
        lon=data["lon"],
        finding=data["finding"],
        checked_on=data["checked_on"],
    )
    if data["outcome"] == "confirm":
        return "已登记现场核查结果：属实。可一键立案查处"
    return "已登记现场核查结果：误报，预警办结"


def _run_case(request, alert, form):
    data = form.cleaned_data
    alert = services.open_case(
        actor=request.user,
        alert=alert,
        cause=data["cause"],
        facts=data["facts"],
        officer_ids=[int(pk) for pk in data["officers"]],
    )
    return f"已立案：案件 {alert.case.number}"


ACTIONS: dict[str, Action] = {
    "assign": Action("分派核查", ("assign",), forms.AssignForm, _run_assign),
    "check": Action(
        "登记现场核查结果",
        ("confirm", "dismiss"),
        forms.CheckForm,
        _run_check,
        hint="须上传至少一张现场照片并记录核查位置；误报请写明原因（照明、设备调试、电表故障等）。",
    ),
    "open_case": Action(
        "一键立案",
        ("open_case",),
        forms.CaseForm,
        _run_case,
        button="btn-danger",
        hint="案由和违法事实已按预警和核查情况预填，可修改；立案后在执法案件中继续办理。",
    ),
}


def make_form(key: str, request, alert: PowerAlert, data=None, files=None):
    spec = ACTIONS[key]
    kwargs = {"auto_id": f"{key}-%s"}
    if spec.form is forms.AssignForm:
        kwargs["inspectors"] = list(
            services.inspectors_for(request.user, alert).select_related("region__parent")
        )
        if not data and alert.inspector_id:
            kwargs["initial"] = {"inspector": alert.inspector_id}
    elif spec.form is forms.CaseForm:
        kwargs["candidates"] = enforcement_queries.officer_candidates(alert.region_id)
        if not data:
            kwargs["initial"] = {
                "cause": services.CAUSES[alert.kind],
                "facts": f"电力数据预警 {alert.number}：{alert.evidence}"
                f"现场核查（{alert.checked_on}）：{alert.finding}",
            }
    return spec.form(data, files, **kwargs)


def offered(alert: PowerAlert, user) -> set[str]:
    """The forms to show: the loop's available actions, less those a guard is sure to refuse
    (the check is the assigned inspector's; a case is opened once). The guards still decide."""
    available = {t.action for t in PowerAlert.LOOP.available(alert, user)}
    keys = {key for key, spec in ACTIONS.items() if available & set(spec.loop)}
    if "check" in keys and not user.is_admin and alert.inspector_id != user.pk:
        keys.discard("check")
    if "open_case" in keys and alert.case_id:
        keys.discard("open_case")
    return keys


def role_may(key: str, user) -> bool:
    """Whether the user's role may take the action at all (in some state)."""
    return any(role_allows(t, user) for t in PowerAlert.LOOP.transitions if t.action in ACTIONS[key].loop)


def panels(request, alert: PowerAlert, bound: dict) -> list[dict]:
    keys = offered(alert, request.user) | set(bound)
    return [
        {
            "key": key,
            "dom": f"action-{key}",
            "label": spec.label,
            "button": spec.button,
            "hint": spec.hint,
            "url": reverse(f"power:{key}", args=[alert.pk]),
            "form": bound.get(key) or make_form(key, request, alert),
        }
        for key, spec in ACTIONS.items()
        if key in keys
    ]

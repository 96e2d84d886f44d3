"""Every write of the accident module: the initial report and follow-ups (grade computed, the
reporting chain laid out and extended), acknowledgements, the investigation and its four-nos
checklist, rectification measures, accountability records.

State changes go through core.loop.transition; creation and non-state edits lock and audit here.
Input is checked before anything is written, so a refused request saves nothing. Imports from
core, enterprises and standards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benan.core import audit, clock, fields, loop, notifications
from benan.core.attachments import usable
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel, Role, User
from benan.core.scope import get_in_scope, region_in_scope, scope
from benan.enterprises.models import Enterprise
from benan.standards import accident_grades

from .models import (
    GOVERNMENT,
    OFFICES,
    Accident,
    AccidentReport,
    Accountability,
    AccountabilityKind,
    FourNos,
    FourNosItem,
    Investigation,
    InvestigationState,
    Kind,
    Level,
    Measure,
    ReportingStep,
    ReportKind,
)

REPORTERS = GOVERNMENT | {Role.ENTERPRISE}
FIGURES = ("deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss_cny")
CASUALTIES = ("deaths", "serious_injuries", "minor_injuries", "missing")
FIGURE_LABELS = {
    "deaths": "死亡人数",
    "serious_injuries": "重伤人数",
    "minor_injuries": "轻伤人数",
    "missing": "下落不明人数",
    "direct_loss_cny": "直接经济损失",
}
LEVEL_ORDER = [Level.COUNTY, Level.CITY, Level.PROVINCE, Level.NATIONAL]


def _url(accident: Accident) -> str:
    return reverse("accidents:detail", args=[accident.pk])


def _require_role(actor, roles, what: str) -> None:
    if actor is None or not (actor.role in roles or actor.is_admin):
        raise PermissionDenied(f"您的角色无权{what}")


@dataclass(frozen=True)
class Figures:
    deaths: int
    serious_injuries: int
    minor_injuries: int
    missing: int
    direct_loss_cny: Decimal

    def casualties(self) -> tuple[int, int, int, int]:
        return self.deaths, self.serious_injuries, self.minor_injuries, self.missing


def clean_figures(values: dict[str, Any]) -> Figures:
    """Counts are whole numbers ≥ 0, the loss a non-negative amount; every bad one is named."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field in FIGURES:
        value = values.get(field, 0)
        value = 0 if value is None or value == "" else value
        try:
            if field == "direct_loss_cny":
                cleaned[field] = accident_grades.parse_amount(value, field, FIGURE_LABELS[field])
            else:
                cleaned[field] = accident_grades.parse_count(value, field, FIGURE_LABELS[field])
        except accident_grades.GradingError as exc:
            errors[field] = [str(exc)]
    if "direct_loss_cny" in cleaned and cleaned["direct_loss_cny"] >= Decimal("1e14"):
        errors["direct_loss_cny"] = ["直接经济损失超出范围"]
    if errors:
        raise ValidationError(errors)
    cleaned["direct_loss_cny"] = cleaned["direct_loss_cny"].quantize(Decimal("0.01"))
    return Figures(**cleaned)


def office_region_of(region: Region, level: str) -> Region | None:
    """The department's region for a level of the chain above the accident's county."""
    step = region
    for _ in range(LEVEL_ORDER.index(level)):
        step = step.parent if step is not None else None
    return None if level == Level.NATIONAL else step


def offices_at(region: Region | None):
    if region is None:
        return User.objects.none()
    # Everyone who may acknowledge for the level (guards.acknowledge) is told.
    return User.objects.filter(role__in=GOVERNMENT - {Role.ADMIN}, region=region, is_active=True)


def _add_steps(accident: Accident, grade: str, start: datetime, *, existing: set[str]) -> list[ReportingStep]:
    """The levels `grade` must tell that are not yet in the chain; the first is due at `start`
    plus its hours (the unit's 1 hour for the county, else 2 per level)."""
    rules = accident_grades.rules()
    levels = [level for level in rules.rule(grade).report_levels if level not in existing]
    steps, due = [], None
    for level in levels:
        if due is None:
            hours = rules.unit_to_county_hours if level == Level.COUNTY else rules.per_level_hours
            due = start + timedelta(hours=hours)
        else:
            due = due + timedelta(hours=rules.per_level_hours)
        steps.append(
            ReportingStep(
                accident=accident,
                level=level,
                office_region=office_region_of(accident.region, level),
                region=accident.region,
                due_at=due,
                added_for=grade,
            )
        )
    ReportingStep.objects.bulk_create(steps)
    for step in steps:
        notifications.notify(
            offices_at(step.office_region),
            title=f"{accident.get_grade_display()}待接报：{accident.unit_name}",
            body=f"{accident.place}，{timezone.localtime(accident.occurred_at):%Y-%m-%d %H:%M}；"
            f"本级接报时限 {timezone.localtime(step.due_at):%m-%d %H:%M}",
            url=_url(accident),
            obj=accident,
        )
    return steps


# -- reporting ---------------------------------------------------------------------------------


def report_accident(*, actor, data: dict[str, Any]) -> Accident:
    """事故快报: the report with every item 第十二条 requires; the grade and chain follow from it."""
    _require_role(actor, REPORTERS, "报告事故")
    errors: dict[str, list[str]] = {}

    def collect(function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return None

    enterprise = None
    if data.get("enterprise_id") is not None:
        enterprise = scope(Enterprise.objects.all(), actor).filter(pk=data["enterprise_id"]).first()
        if enterprise is None:
            errors["enterprise_id"] = [f"企业 {data['enterprise_id']} 不存在或不在您的管辖范围内"]
    elif actor.role == Role.ENTERPRISE:
        enterprise = actor.enterprise
    region_code = data.get("region_code") or (enterprise.region_id if enterprise else None)
    region = (
        Region.objects.filter(code=region_code, level=RegionLevel.COUNTY).first() if region_code else None
    )
    if region is None:
        errors["region_code"] = ["必须填写事故发生地所在区县（6位区县代码）"]
    elif actor.role in GOVERNMENT_ROLES and not region_in_scope(actor, region.code):
        errors["region_code"] = ["事故发生地不在您的管辖范围内"]
    unit_name = collect(
        fields.text,
        data.get("unit_name") or (enterprise.name if enterprise else ""),
        "unit_name",
        "事故发生单位",
        max_length=200,
    )
    kind = data.get("kind")
    if kind not in Kind.values:
        errors["kind"] = [
            f"事故类型“{kind}”不是可选值，可选：{'、'.join(f'{c.label}({c.value})' for c in Kind)}"
        ]
    now = clock.now()
    occurred_at, known_at = data.get("occurred_at"), data.get("known_at") or data.get("occurred_at")
    if not isinstance(occurred_at, datetime):
        errors["occurred_at"] = ["必须填写事故发生时间（ISO 8601，如 2026-03-01T22:30:00+08:00）"]
    elif occurred_at > now:
        errors["occurred_at"] = ["事故发生时间不能晚于现在"]
    elif known_at < occurred_at or known_at > now:
        errors["known_at"] = ["单位负责人接报时间必须在事故发生时间与现在之间"]
    texts = {}
    for field, label, limit, required in (
        ("place", "事故发生地点", 300, True),
        ("scene", "事故现场情况", 5000, True),
        ("summary", "事故简要经过", 5000, True),
        ("measures", "已经采取的措施", 5000, True),
        ("unit_overview", "事故发生单位概况", 5000, False),
        ("other", "其他应当报告的情况", 5000, False),
    ):
        texts[field] = collect(
            fields.text, data.get(field), field, label, max_length=limit, required=required
        )
    for field, limit in (("lat", 90), ("lon", 180)):
        value = data.get(field)
        if value is not None and not (isinstance(value, int | float) and -limit <= value <= limit):
            errors[field] = [f"{'纬度' if field == 'lat' else '经度'}必须在 -{limit} 到 {limit} 之间"]
    figures = collect(clean_figures, data)
    if errors:
        raise ValidationError(errors)
    grading = accident_grades.grade(figures.deaths, figures.serious_injuries, figures.direct_loss_cny)
    with transaction.atomic():
        accident = Accident.objects.create(
            number=f"tmp-{uuid.uuid4().hex}",
            enterprise=enterprise,
            unit_name=unit_name,
            region=region,
            kind=kind,
            occurred_at=occurred_at,
            known_at=known_at,
            lat=data.get("lat"),
            lon=data.get("lon"),
            grade=grading.grade,
            decided_by=list(grading.decided_by),
            reported_by=actor,
            **texts,
            **figures.__dict__,
        )
        accident.number = f"{region.code}-{timezone.localtime(occurred_at):%Y%m%d}-{accident.pk:05d}"
        accident.save(update_fields=["number"])
        AccidentReport.objects.create(
            accident=accident,
            kind=ReportKind.INITIAL,
            grade=grading.grade,
            reported_by=actor,
            note=texts["summary"][:2000],
            **figures.__dict__,
        )
        _add_steps(accident, grading.grade, known_at, existing=set())
        audit.record(
            actor,
            "accidents.accident.reported",
            accident,
            number=accident.number,
            enterprise=enterprise.pk if enterprise else None,
            region=region.code,
            kind=kind,
            occurred_at=occurred_at,
            grade=grading.grade,
            decided_by=list(grading.decided_by),
            **{k: str(v) for k, v in figures.__dict__.items()},
        )
    return accident


def follow_up(*, actor, accident: Accident, figures: dict[str, Any], note: str = "") -> AccidentReport:
    """续报/补报: new figures. A grade change is recorded and the chain extended to the levels the
    new grade must tell; a casualty change after the window (30 days; 7 for road traffic and fire,
    第十三条) is flagged late."""
    _require_role(actor, REPORTERS, "续报事故")
    note = fields.text(note, "note", "新情况", max_length=2000, required=False)
    with transaction.atomic():
        locked = get_in_scope(
            Accident.objects.select_for_update(of=("self",)).select_related("region"), actor, pk=accident.pk
        )
        old = Figures(*(getattr(locked, f) for f in FIGURES))
        # Figures left out keep their current values: a follow-up sends what changed.
        new = clean_figures({f: figures.get(f, getattr(old, f)) for f in FIGURES})
        if new == old and not note:
            raise ValidationError({"note": ["数字没有变化时，必须说明新情况"]})
        grading = accident_grades.grade(new.deaths, new.serious_injuries, new.direct_loss_cny)
        now = clock.now()
        changed = new.casualties() != old.casualties()
        window = accident_grades.supplementary_days(locked.kind)
        late = changed and timezone.localdate(now) > timezone.localdate(locked.occurred_at) + timedelta(
            days=window
        )
        report = AccidentReport.objects.create(
            accident=locked,
            kind=ReportKind.SUPPLEMENTARY if changed else ReportKind.FOLLOW_UP,
            grade=grading.grade,
            grade_before=locked.grade if grading.grade != locked.grade else "",
            late=late,
            note=note,
            reported_by=actor,
            **new.__dict__,
        )
        added = []
        if grading.grade != locked.grade:
            existing = set(locked.steps.values_list("level", flat=True))
            added = _add_steps(locked, grading.grade, now, existing=existing)
        before = locked.grade
        locked.grade = grading.grade
        _tell_new_lead(locked, before)
        for field in FIGURES:
            setattr(locked, field, getattr(new, field))
        locked.grade, locked.decided_by = grading.grade, list(grading.decided_by)
        locked.save(update_fields=[*FIGURES, "grade", "decided_by", "updated_at"])
        audit.record(
            actor,
            "accidents.accident.followed_up",
            locked,
            report=report.pk,
            kind=report.kind,
            grade=[before, grading.grade],
            late=late,
            added_levels=[s.level for s in added],
            **{
                k: [str(getattr(old, k)), str(getattr(new, k))]
                for k in FIGURES
                if getattr(old, k) != getattr(new, k)
            },
        )
    accident.refresh_from_db()
    return report


def _tell_new_lead(accident: Accident, before: str) -> None:
    """A higher grade names a higher government; within 30 days (7 for road traffic and fire) it
    may organise its own investigation (第二十条第二款). The investigation already open is not
    moved by itself: the government the new grade names is told, and decides."""
    investigation = Investigation.objects.filter(accident=accident).first()
    if investigation is None or investigation.state == InvestigationState.CLOSED:
        return
    lead, lead_region = _lead(accident)
    if lead == investigation.lead:
        return
    audit.record(
        None,
        "accidents.investigation.lead_changed_by_grade",
        investigation,
        grade=[before, accident.grade],
        current_lead=investigation.lead,
        lead_by_grade=lead,
    )
    notifications.notify(
        offices_at(lead_region) if lead_region is not None else offices_at(accident.region.parent.parent),
        title=f"事故升级为{accident.get_grade_display()}，应由{lead}负责调查",
        body=f"{accident.unit_name}：现由{investigation.lead}调查，可依法另行组织事故调查组（第二十条）",
        url=_url(accident),
        obj=accident,
    )


def acknowledge(*, actor, step: ReportingStep, note: str = "") -> ReportingStep:
    note = fields.text(note, "note", "说明", max_length=300, required=False)
    return loop.transition(step, "acknowledge", actor, note=note)


# -- investigation -----------------------------------------------------------------------------


def _lead(accident: Accident) -> tuple[str, Region | None]:
    rule = accident_grades.rules().rule(accident.grade)
    if rule.investigation_level == Level.NATIONAL:
        return rule.investigated_by, None
    region = office_region_of(accident.region, rule.investigation_level)
    name = region.name if region.level != RegionLevel.COUNTY else f"{region.parent.name}{region.name}"
    return f"{name}人民政府", region


def open_investigation(
    *, actor, accident: Accident, team: str, started_on: date | None = None
) -> Investigation:
    """事故调查组: led by the government the grade names (第十九条); the report is due 60 days
    after the accident (第二十九条)."""
    _require_role(actor, OFFICES, "成立事故调查组")
    team = fields.text(team, "team", "事故调查组组成", max_length=2000)
    started_on = started_on or clock.today()
    with transaction.atomic():
        locked = get_in_scope(
            Accident.objects.select_for_update(of=("self",)).select_related("region__parent"),
            actor,
            pk=accident.pk,
        )
        if Investigation.objects.filter(accident=locked).exists():
            raise InvalidTransition("该事故已成立调查组")
        if started_on > clock.today() or started_on < timezone.localdate(locked.occurred_at):
            raise ValidationError({"started_on": ["成立日期必须在事故发生之日与今天之间"]})
        lead, lead_region = _lead(locked)
        # The lead's level or above may open it (a higher government may take over, 第二十条).
        if not actor.is_admin and lead_region is not None and not actor.region.contains(lead_region.code):
            raise PermissionDenied(f"{locked.get_grade_display()}由{lead}负责调查")
        if not actor.is_admin and lead_region is None and actor.region.level != RegionLevel.PROVINCE:
            raise PermissionDenied(f"{locked.get_grade_display()}由{lead}组织调查，由省级部门登记")
        days = accident_grades.rules().report_days
        investigation = Investigation.objects.create(
            accident=locked,
            region=locked.region,
            lead=lead,
            lead_region=lead_region,
            team=team,
            started_on=started_on,
            due_date=timezone.localdate(locked.occurred_at) + timedelta(days=days),
            opened_by=actor,
        )
        FourNosItem.objects.bulk_create(
            FourNosItem(investigation=investigation, item=i) for i in FourNos.values
        )
        audit.record(
            actor,
            "accidents.investigation.opened",
            investigation,
            accident=locked.pk,
            lead=lead,
            team=team,
            due_date=investigation.due_date,
        )
    return investigation


def extend_investigation(*, actor, investigation: Investigation, days: int, reason: str) -> Investigation:
    reason = fields.text(reason, "reason", "延长理由", max_length=500)
    return loop.transition(investigation, "extend", actor, days=days, reason=reason)


def submit_report(
    *,
    actor,
    investigation: Investigation,
    attachment_id: int | None,
    summary: str,
    submitted_on: date | None = None,
) -> Investigation:
    summary = fields.text(summary, "summary", "调查结论", max_length=5000)
    report = usable(actor, [attachment_id])[0] if attachment_id is not None else None
    return loop.transition(
        investigation,
        "submit",
        actor,
        report=report,
        summary=summary,
        submitted_on=submitted_on or clock.today(),
    )


def reply(
    *, actor, investigation: Investigation, reply: str, replied_on: date | None = None
) -> Investigation:
    reply = fields.text(reply, "reply", "批复意见", max_length=5000)
    return loop.transition(investigation, "reply", actor, reply=reply, replied_on=replied_on or clock.today())


def publish(*, actor, investigation: Investigation) -> Investigation:
    return loop.transition(investigation, "publish", actor)


def close(*, actor, investigation: Investigation) -> Investigation:
    return loop.transition(investigation, "close", actor)


def mark_four_nos(
    *, actor, investigation: Investigation, item: str, note: str, attachment_ids, done: bool = True
) -> FourNosItem:
    """One of the four: marked done with its evidence (or reopened) before the investigation closes."""
    _require_role(actor, OFFICES, "确认“四不放过”")
    if item not in FourNos.values:
        raise ValidationError({"item": [f"“{item}”不是可选事项，可选：{'、'.join(FourNos.values)}"]})
    note = fields.text(note, "note", "落实情况", max_length=2000, required=done)
    ids = [int(i) for i in attachment_ids or []]
    if done and not ids:
        raise ValidationError({"attachments": ["必须附证据材料"]})
    with transaction.atomic():
        locked = get_in_scope(
            Investigation.objects.select_for_update(of=("self",)), actor, pk=investigation.pk
        )
        if locked.state == InvestigationState.CLOSED:
            raise InvalidTransition("调查已结案，“四不放过”不能再变更")
        row = FourNosItem.objects.select_for_update().get(investigation=locked, item=item)
        evidence = usable(actor, ids) if ids else []
        row.done, row.note = done, note
        row.done_by, row.done_at = (actor, clock.now()) if done else (None, None)
        row.save()
        row.evidence.set(evidence)
        locked.save(update_fields=["updated_at"])
        audit.record(
            actor,
            "accidents.investigation.four_nos",
            locked,
            item=item,
            done=done,
            note=note,
            attachments=[a.pk for a in evidence],
        )
    return row


def add_measure(
    *,
    actor,
    investigation: Investigation,
    description: str,
    due_date: date,
    assignee_enterprise_id: int | None = None,
    assignee_region: str | None = None,
    department: str = "",
) -> Measure:
    """A rectification measure of the report, assigned to an enterprise or a department."""
    _require_role(actor, OFFICES, "登记整改措施")
    description = fields.text(description, "description", "整改措施", max_length=2000)
    department = fields.text(department, "department", "责任部门", max_length=100, required=False)
    if due_date is None:
        raise ValidationError({"due_date": ["必须填写整改期限"]})
    if due_date < clock.today():
        raise ValidationError({"due_date": [f"整改期限 {due_date.isoformat()} 早于今天"]})
    if (assignee_enterprise_id is None) == (assignee_region is None):
        raise ValidationError({"assignee": ["责任单位须为一家企业或一个部门（区划），二选一"]})
    with transaction.atomic():
        locked = get_in_scope(
            Investigation.objects.select_for_update(of=("self",)), actor, pk=investigation.pk
        )
        if locked.state == InvestigationState.CLOSED:
            raise InvalidTransition("调查已结案，不能再登记整改措施")
        enterprise = region = None
        if assignee_enterprise_id is not None:
            enterprise = scope(Enterprise.objects.all(), actor).filter(pk=assignee_enterprise_id).first()
            if enterprise is None:
                raise ValidationError({"assignee_enterprise_id": ["企业不存在或不在您的管辖范围内"]})
        else:
            region = Region.objects.filter(code=assignee_region).first()
            if region is None or not region_in_scope(actor, region.code):
                raise ValidationError({"assignee_region": ["区划不存在或不在您的管辖范围内"]})
            if not department:
                raise ValidationError({"department": ["分配给部门时必须写明责任部门"]})
        measure = Measure.objects.create(
            investigation=locked,
            region=locked.region,
            description=description,
            due_date=due_date,
            assignee_enterprise=enterprise,
            assignee_region=region,
            assignee_department=department,
        )
        audit.record(
            actor,
            "accidents.measure.assigned",
            measure,
            investigation=locked.pk,
            enterprise=enterprise.pk if enterprise else None,
            region=region.pk if region else None,
            department=department,
            due_date=due_date,
            description=description,
        )
        recipients = (
            User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise, is_active=True)
            if enterprise
            else offices_at(region)
        )
        notifications.notify(
            recipients,
            title=f"事故整改措施，期限 {due_date:%Y-%m-%d}",
            body=description[:200],
            url=_url(locked.accident),
            obj=locked.accident,
        )
    return measure


def submit_measure(*, actor, measure: Measure, result: str, attachment_ids) -> Measure:
    result = fields.text(result, "result", "落实情况", max_length=2000)
    evidence = usable(actor, [int(i) for i in attachment_ids]) if attachment_ids else []
    return loop.transition(measure, "submit", actor, result=result, evidence=evidence)


def verify_measure(*, actor, measure: Measure, comment: str = "") -> Measure:
    comment = fields.text(comment, "comment", "验收意见", max_length=500, required=False)
    return loop.transition(measure, "verify", actor, comment=comment)


def reject_measure(*, actor, measure: Measure, comment: str) -> Measure:
    comment = fields.text(comment, "comment", "退回意见", max_length=500)
    return loop.transition(measure, "reject", actor, comment=comment)


# -- accountability ----------------------------------------------------------------------------


def record_accountability(
    *,
    actor,
    accident: Accident,
    person_name: str,
    position: str,
    unit: str,
    kind: str,
    decided_by: str,
    decided_on: date,
    detail: str = "",
) -> Accountability:
    _require_role(actor, OFFICES, "登记责任追究")
    errors: dict[str, list[str]] = {}
    values = {}
    for field, value, label, limit, required in (
        ("person_name", person_name, "姓名", 50, True),
        ("position", position, "职务", 100, True),
        ("unit", unit, "单位", 200, True),
        ("decided_by", decided_by, "决定机关", 100, True),
        ("detail", detail, "处理内容", 300, False),
    ):
        try:
            values[field] = fields.text(value, field, label, max_length=limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if kind not in AccountabilityKind.values:
        hint = "、".join(f"{c.label}({c.value})" for c in AccountabilityKind)
        errors["kind"] = [f"问责方式“{kind}”不是可选值，可选：{hint}"]
    if decided_on is None:
        errors["decided_on"] = ["必须填写决定日期"]
    elif decided_on > clock.today():
        errors["decided_on"] = ["决定日期不能晚于今天"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = get_in_scope(Accident.objects.select_for_update(of=("self",)), actor, pk=accident.pk)
        if decided_on < timezone.localdate(locked.occurred_at):
            raise ValidationError({"decided_on": ["决定日期早于事故发生日期"]})
        row = Accountability.objects.create(
            accident=locked,
            region=locked.region,
            kind=kind,
            decided_on=decided_on,
            recorded_by=actor,
            **values,
        )
        audit.record(
            actor,
            "accidents.accountability.recorded",
            row,
            accident=locked.pk,
            kind=kind,
            decided_on=decided_on,
            **values,
        )
    return row


# -- the sweep ---------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Safe to run concurrently and repeatedly: a reporting level past its deadline is escalated
    once to the level above (and to its own offices); an open measure past its deadline once per
    deadline to its assignee and the accident county's offices."""
    from django.db.models import F, Q

    now = now or clock.now()
    today = timezone.localdate(now)
    result = {"steps_escalated": 0, "measures_escalated": 0}
    late_steps = ReportingStep.objects.filter(state="pending", due_at__lt=now, escalated=False)
    for step in late_steps.select_related("accident", "office_region__parent").iterator(chunk_size=200):
        with transaction.atomic():
            if not ReportingStep.objects.filter(pk=step.pk, escalated=False).update(escalated=True):
                continue  # another sweeper took it
            above = step.office_region.parent if step.office_region_id else None
            minutes = int((now - step.due_at).total_seconds() // 60)
            audit.record(
                None, "accidents.reportingstep.escalated", step, level=step.level, minutes_late=minutes
            )
            notifications.notify(
                [*offices_at(step.office_region), *offices_at(above)],
                title=f"事故{step.get_level_display()}接报超时 {minutes} 分钟：{step.accident.unit_name}",
                body=f"{step.accident.get_grade_display()}，{step.accident.place}",
                url=_url(step.accident),
                obj=step.accident,
            )
            result["steps_escalated"] += 1
    late_measures = Measure.objects.filter(state="open", due_date__lt=today).filter(
        Q(escalated_due__isnull=True) | ~Q(escalated_due=F("due_date"))
    )
    for measure in late_measures.select_related("investigation__accident", "region").iterator(chunk_size=200):
        with transaction.atomic():
            if not Measure.objects.filter(pk=measure.pk, escalated_due=measure.escalated_due).update(
                escalated_due=measure.due_date
            ):
                continue
            days = (today - measure.due_date).days
            audit.record(
                None, "accidents.measure.escalated", measure, due_date=measure.due_date, days_overdue=days
            )
            owners = (
                User.objects.filter(
                    role=Role.ENTERPRISE, enterprise_id=measure.assignee_enterprise_id, is_active=True
                )
                if measure.assignee_enterprise_id
                else offices_at(measure.assignee_region)
            )
            accident = measure.investigation.accident
            notifications.notify(
                [*owners, *offices_at(measure.region)],
                title=f"事故整改措施逾期 {days} 天",
                body=measure.description[:200],
                url=_url(accident),
                obj=accident,
            )
            result["measures_escalated"] += 1
    return result

"""Every write of the hazard loop: report, confirm, dismiss, submit, verify, reject, list,
delist, record an inspection, publish an unannounced one, and the overdue sweep.

State changes go through core.loop.transition (table, role, scope, row lock, audit in one
transaction); creation and listing lock and audit here. Notifications are written in the
same transaction, so a rolled-back action notifies nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from benan.core import audit, clock, fields, loop, notifications
from benan.core.attachments import usable
from benan.core.errors import InvalidTransition, PermissionDenied
from benan.core.models import Region, RegionLevel, Role, User
from benan.core.scope import get_in_scope
from benan.enterprises.models import Enterprise
from benan.standards.models import CriteriaStandard, Criterion

from .models import (
    Answer,
    Grade,
    Hazard,
    HazardState,
    Inspection,
    InspectionAnswer,
    Listing,
    ListingState,
    Source,
    Visibility,
)

REPORTERS = frozenset({Role.ENTERPRISE, Role.INSPECTOR, Role.SAFETY_OFFICE, Role.ADMIN})
# Who may make an unannounced inspection (暗访): a government office above the county.
UNANNOUNCED_ROLES = frozenset({Role.INSPECTOR, Role.SAFETY_OFFICE})


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def enterprise_users(enterprise_id: int):
    return User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True)


def county_inspectors(region_id: str):
    return User.objects.filter(role=Role.INSPECTOR, region_id=region_id, is_active=True)


def offices_above(region: Region):
    """The safety offices one level above a county: its city's office."""
    return User.objects.filter(role=Role.SAFETY_OFFICE, region_id=region.parent_id, is_active=True)


def county_officials(region_id: str):
    """The county's own inspectors and safety office."""
    return User.objects.filter(
        role__in=(Role.INSPECTOR, Role.SAFETY_OFFICE), region_id=region_id, is_active=True
    )


def unannounced_office(actor, enterprise: Enterprise) -> Region | None:
    """The region of the office for which `actor` inspects `enterprise` unannounced, or None if
    `actor` may not: an inspector or safety office whose region lies above the enterprise's
    county (a city for its counties, the province anywhere; never a county itself). An admin
    acts for the province."""
    county = enterprise.region
    if actor.is_admin:
        top = county
        while top.parent_id:
            top = top.parent
        return top
    if actor.role not in UNANNOUNCED_ROLES or actor.region_id is None:
        return None
    if actor.region_id == county.pk or not actor.region.contains(county.pk):
        return None
    return actor.region



# -- creation ----------------------------------------------------------------------------------


def report_hazard(
    *,
    actor,
    enterprise: Enterprise,
    description: str,
    location: str = "",
    source: str,
    inspection: Inspection | None = None,
    criterion: Criterion | None = None,
) -> Hazard:
    """A hazard is found: it enters the loop as `reported`, waiting for confirmation.

    A hazard found on an inspection inherits the inspection's embargo: while an unannounced
    inspection is unpublished its hazards are hidden like it, and nobody is notified. A hazard
    with source `unannounced` is therefore only ever recorded with its unannounced inspection
    (`record_inspection`); reported on its own it is refused (422 on `source`), since nothing
    would keep it from the enterprise.
    """
    if actor.role not in REPORTERS and not actor.is_admin:
        raise PermissionDenied("您的角色无权上报隐患")
    if source not in Source.values:
        raise ValidationError({"source": [f"“{source}”不是可选来源，可选：{'、'.join(Source.values)}"]})
    if actor.role == Role.ENTERPRISE and source != Source.SELF:
        raise ValidationError({"source": ["企业只能上报自查（self）发现的隐患"]})
    if actor.role != Role.ENTERPRISE and source == Source.SELF and inspection is None:
        raise ValidationError({"source": ["企业自查（self）的隐患由企业上报"]})
    if source == Source.UNANNOUNCED and (inspection is None or inspection.source != Source.UNANNOUNCED):
        raise ValidationError(
            {
                "source": [
                    "暗访（unannounced）发现的隐患须随暗访检查一并录入（录入检查，检查类型选“暗访”），不能单独上报"
                ]
            }
        )
    description = fields.text(description, "description", "隐患描述", max_length=2000)
    location = fields.text(location, "location", "隐患部位", max_length=200, required=False)
    with transaction.atomic():
        enterprise = get_in_scope(Enterprise.objects.all(), actor, pk=enterprise.pk)
        # A 不符合 on an official criterion is a major hazard by definition: it is pre-judged as
        # such and waits only for the inspector's deadline and the plan.
        hazard = Hazard.objects.create(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            inspection=inspection,
            source=source,
            description=description,
            location=location,
            reported_by=actor,
            criterion=criterion,
            grade=Grade.MAJOR if criterion is not None else "",
            embargo_region_id=inspection.embargo_region_id if inspection is not None else None,
        )
        audit.record(
            actor,
            "hazards.hazard.reported",
            hazard,
            enterprise=enterprise.pk,
            source=source,
            description=description,
            location=location,
            criterion=criterion.pk if criterion else None,
        )
        if hazard.embargo_region_id is None:  # an embargoed hazard is announced on publication
            recipients = (
                county_inspectors(hazard.region_id)
                if actor.role == Role.ENTERPRISE
                else enterprise_users(enterprise.pk)
            )
            notifications.notify(
                recipients,
                title=f"新隐患待确认：{enterprise.name}",
                body=description[:200],
                url=_url(hazard),
                obj=hazard,
            )
    return hazard


# -- the loop ----------------------------------------------------------------------------------


def confirm_hazard(
    *,
    actor,
    hazard: Hazard,
    grade: str,
    due_date: date | None,
    criterion_id: str | None = None,
    plan: dict | None = None,
) -> Hazard:
    criterion = None
    if criterion_id:
        criterion = Criterion.objects.filter(pk=criterion_id, retired=False).first()
        if criterion is None:
            raise ValidationError({"criterion": [f"判定标准条款“{criterion_id}”不存在"]})
    if criterion is None and hazard.criterion_id:
        criterion = hazard.criterion  # found against this criterion by an inspection
    plan = {k: str(v).strip() for k, v in (plan or {}).items() if v is not None}
    with transaction.atomic():
        hazard = loop.transition(
            hazard, "confirm", actor, grade=grade, due_date=due_date, criterion=criterion, plan=plan
        )
        notifications.notify(
            enterprise_users(hazard.enterprise_id),
            title=f"隐患已确认为{hazard.get_grade_display()}，请于 {hazard.due_date:%Y-%m-%d} 前整改",
            body=hazard.description[:200],
            url=_url(hazard),
            obj=hazard,
        )
    return hazard


def dismiss_hazard(*, actor, hazard: Hazard, reason: str) -> Hazard:
    reason = fields.text(reason, "reason", "不予确认的理由", max_length=500)
    return loop.transition(hazard, "dismiss", actor, reason=reason)


def submit_rectification(*, actor, hazard: Hazard, description: str, attachment_ids: list[int]) -> Hazard:
    description = fields.text(description, "description", "整改情况说明", max_length=2000)
    attachments = usable(actor, attachment_ids) if attachment_ids else []
    with transaction.atomic():
        hazard = loop.transition(hazard, "submit", actor, description=description, attachments=attachments)
        notifications.notify(
            county_inspectors(hazard.region_id),
            title=f"整改待验收：{hazard.enterprise.name}",
            body=description[:200],
            url=_url(hazard),
            obj=hazard,
        )
    return hazard


def verify_hazard(*, actor, hazard: Hazard, comment: str = "") -> Hazard:
    comment = fields.text(comment, "comment", "验收意见", max_length=500, required=False)
    with transaction.atomic():
        hazard = loop.transition(hazard, "verify", actor, comment=comment)
        notifications.notify(
            enterprise_users(hazard.enterprise_id),
            title="隐患整改已验收销号",
            body=hazard.description[:200],
            url=_url(hazard),
            obj=hazard,
        )
    return hazard


def reject_rectification(*, actor, hazard: Hazard, comment: str) -> Hazard:
    comment = fields.text(comment, "comment", "退回意见", max_length=500)
    with transaction.atomic():
        hazard = loop.transition(hazard, "reject", actor, comment=comment)
        notifications.notify(
            enterprise_users(hazard.enterprise_id),
            title="整改被退回，请继续整改",
            body=comment,
            url=_url(hazard),
            obj=hazard,
        )
    return hazard


# -- listed supervision ------------------------------------------------------------------------


def list_hazard(*, actor, hazard: Hazard, due_date: date | None, comment: str = "") -> Listing:
    """挂牌督办 by a city or province safety office, for a confirmed, open major hazard."""
    if not (actor.is_admin or actor.role == Role.SAFETY_OFFICE):
        raise PermissionDenied("只有市级、省级安委办可以挂牌督办")
    if not actor.is_admin and actor.region.level == RegionLevel.COUNTY:
        raise PermissionDenied("挂牌督办由市级或省级安委办实施")
    comment = fields.text(comment, "comment", "督办要求", max_length=500, required=False)
    if due_date is None:
        raise ValidationError({"due_date": ["必须填写督办期限"]})
    if due_date < clock.today():
        raise ValidationError({"due_date": [f"督办期限 {due_date.isoformat()} 早于今天"]})
    with transaction.atomic():
        locked = get_in_scope(Hazard.objects.select_for_update(of=("self",)), actor, pk=hazard.pk)
        if locked.grade != Grade.MAJOR:
            raise InvalidTransition("只有已确认的重大事故隐患可以挂牌督办")
        if locked.state not in (HazardState.RECTIFYING, HazardState.SUBMITTED):
            raise InvalidTransition(f"隐患当前“{locked.get_state_display()}”，不能挂牌督办")
        if locked.listings.filter(state=ListingState.LISTED).exists():
            raise InvalidTransition("该隐患已在挂牌督办中")
        office = actor.region if not actor.is_admin else Region.objects.get(pk=locked.region.parent_id)
        listing = Listing.objects.create(
            hazard=locked,
            region_id=locked.region_id,
            office_region=office,
            due_date=due_date,
            comment=comment,
            listed_by=actor,
        )
        audit.record(
            actor,
            "hazards.hazard.listed",
            locked,
            listing=listing.pk,
            office=office.pk,
            due_date=due_date,
            comment=comment,
        )
        notifications.notify(
            [*enterprise_users(locked.enterprise_id), *county_inspectors(locked.region_id)],
            title=f"重大事故隐患被{office.name}挂牌督办，期限 {due_date:%Y-%m-%d}",
            body=locked.description[:200],
            url=_url(locked),
            obj=locked,
        )
    return listing


def delist_hazard(*, actor, hazard: Hazard, comment: str = "") -> Listing:
    listing = hazard.listings.filter(state=ListingState.LISTED).first()
    if listing is None:
        raise InvalidTransition("该隐患没有挂牌督办")
    comment = fields.text(comment, "comment", "摘牌意见", max_length=500, required=False)
    return loop.transition(listing, "delist", actor, comment=comment)


# -- inspections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerIn:
    criterion_id: str
    answer: str
    note: str = ""
    photo_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class FindingIn:
    description: str
    location: str = ""


def record_inspection(
    *,
    actor,
    enterprise: Enterprise,
    source: str,
    day: date,
    inspectors: str = "",
    standard_id: str | None = None,
    answers: list[AnswerIn] = (),
    findings: list[FindingIn] = (),
    note: str = "",
) -> Inspection:
    """One inspection with its checklist answers; every 不符合 becomes a major hazard linked to
    its criterion, every free finding a general one (both `reported`, waiting for confirmation).

    An unannounced inspection (暗访) is made by an office above the enterprise's county (see
    `unannounced_office`) and is embargoed, with its hazards, until `publish_inspection`.
    """
    errors: dict[str, list[str]] = {}
    office = None
    if source not in Source.values:
        errors["source"] = [f"“{source}”不是可选检查类型，可选：{'、'.join(Source.values)}"]
    elif actor.role == Role.ENTERPRISE and source != Source.SELF:
        errors["source"] = ["企业只能录入自查（self）"]
    elif actor.role not in (Role.ENTERPRISE,) and source == Source.SELF and not actor.is_admin:
        errors["source"] = ["企业自查（self）由企业录入"]
    elif source == Source.UNANNOUNCED:
        office = unannounced_office(actor, enterprise)
        if office is None:
            errors["source"] = [
                "暗访（unannounced）须由被检查企业所在县（市、区）的上级部门实施："
                "市（州）可暗访所辖县（市、区），省级可暗访全省，县（市、区）不能暗访本辖区"
            ]
    if actor.role not in REPORTERS and not actor.is_admin:
        raise PermissionDenied("您的角色无权录入检查")
    if day > clock.today():
        errors["date"] = ["检查日期不能晚于今天"]
    standard = None
    if standard_id:
        standard = CriteriaStandard.objects.filter(pk=standard_id).first()
        if standard is None:
            errors["standard"] = [f"判定标准“{standard_id}”不存在"]
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=[a.criterion_id for a in answers])}
    seen = set()
    for n, item in enumerate(answers, start=1):
        where = f"answers[{n}]"
        if item.criterion_id not in criteria:
            errors[where] = [f"判定标准条款“{item.criterion_id}”不存在"]
        elif standard is not None and criteria[item.criterion_id].standard_id != standard.pk:
            errors[where] = [f"条款“{item.criterion_id}”不属于所选标准“{standard.pk}”"]
        elif item.criterion_id in seen:
            errors[where] = [f"条款“{item.criterion_id}”重复作答"]
        elif item.answer not in Answer.values:
            errors[where] = [f"结论必须是 {'、'.join(Answer.values)} 之一"]
        seen.add(item.criterion_id)
    for n, finding in enumerate(findings, start=1):
        if not str(finding.description or "").strip():
            errors[f"findings[{n}]"] = ["隐患描述不能为空"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        enterprise = get_in_scope(Enterprise.objects.all(), actor, pk=enterprise.pk)
        inspection = Inspection.objects.create(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            source=source,
            date=day,
            inspectors=fields.text(inspectors, "inspectors", "检查人员", max_length=300, required=False),
            standard=standard,
            note=fields.text(note, "note", "备注", max_length=2000, required=False),
            created_by=actor,
            visibility=Visibility.EMBARGOED if office is not None else Visibility.OPEN,
            office_region=office,
            embargo_region=office,
        )
        for item in answers:
            row = InspectionAnswer.objects.create(
                inspection=inspection,
                criterion=criteria[item.criterion_id],
                answer=item.answer,
                note=fields.text(item.note, "note", "说明", max_length=500, required=False),
            )
            if item.photo_ids:
                row.photos.set(usable(actor, list(item.photo_ids)))
        audit.record(
            actor,
            "hazards.inspection.recorded",
            inspection,
            enterprise=enterprise.pk,
            source=source,
            date=day,
            answers=len(answers),
            findings=len(findings),
            office=office.pk if office is not None else None,
        )
        for item in answers:
            if item.answer == Answer.VIOLATES:
                criterion = criteria[item.criterion_id]
                report_hazard(
                    actor=actor,
                    enterprise=enterprise,
                    source=source,
                    inspection=inspection,
                    criterion=criterion,
                    location="",
                    description=f"{criterion.text}（{criterion.pk}）"
                    + (f"：{item.note}" if item.note else ""),
                )
        for finding in findings:
            report_hazard(
                actor=actor,
                enterprise=enterprise,
                source=source,
                inspection=inspection,
                description=finding.description,
                location=finding.location,
            )
    return inspection


def publish_inspection(*, actor, inspection: Inspection) -> Inspection:
    """公开暗访结果: lift the embargo of an unannounced inspection and its hazards (the office
    that made it, or one above it), and tell the enterprise and the county, who learn of it now."""
    with transaction.atomic():
        inspection = loop.transition(inspection, "publish", actor)
        found = inspection.hazards.count()
        office = Region.objects.get(pk=inspection.office_region_id)
        enterprise = inspection.enterprise
        notifications.notify(
            [*enterprise_users(enterprise.pk), *county_officials(inspection.region_id)],
            title=f"{office.name}暗访检查结果已公开：{enterprise.name}",
            body=f"{inspection.date:%Y-%m-%d} 暗访检查，发现隐患 {found} 项"
            + ("，请及时确认并整改" if found else ""),
            url=reverse("inspections:detail", args=[inspection.pk]),
            obj=inspection,
        )
    return inspection


# -- the overdue sweep -------------------------------------------------------------------------


def sweep_overdue(*, today: date | None = None) -> int:
    """Escalate each overdue hazard once per deadline: notify the enterprise, the county's
    inspectors and the city's safety office. Safe to run concurrently and repeatedly."""
    today = today or clock.today()
    overdue = Hazard.objects.filter(state=HazardState.RECTIFYING, due_date__lt=today).filter(
        Q(escalated_due_date__isnull=True) | ~Q(escalated_due_date=F("due_date"))
    )
    escalated = 0
    for hazard in overdue.select_related("region", "enterprise").iterator(chunk_size=500):
        with transaction.atomic():
            # Compare-and-swap: only the sweeper that flips the marker escalates, so two sweeps
            # running at once never notify twice.
            claimed = Hazard.objects.filter(
                pk=hazard.pk,
                state=HazardState.RECTIFYING,
                due_date=hazard.due_date,
                escalated_due_date=hazard.escalated_due_date,
            ).update(escalated_due_date=hazard.due_date)
            if not claimed:
                continue
            days = (today - hazard.due_date).days
            audit.record(
                None, "hazards.hazard.escalated", hazard, due_date=hazard.due_date, days_overdue=days
            )
            notifications.notify(
                [
                    *enterprise_users(hazard.enterprise_id),
                    *county_inspectors(hazard.region_id),
                    *offices_above(hazard.region),
                ],
                title=f"隐患整改逾期 {days} 天：{hazard.enterprise.name}",
                body=hazard.description[:200],
                url=_url(hazard),
                obj=hazard,
            )
            escalated += 1
    return escalated

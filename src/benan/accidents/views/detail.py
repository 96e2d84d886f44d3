"""The accident detail: every reported item, the reports (快报/续报/补报), the reporting chain, the
investigation with its four-nos checklist and measures, accountability and the history; one form
per action, and the three dispatchers those forms post to.

Thin views: reads through `queries` (and `get_in_scope`), writes through `services`; a missing or
out-of-scope object is 404, a refused role 403, a refused move (InvalidTransition) an alert with
status 409, bad input the form's errors (422). Imports from core, standards, this app and
`views.common`, `views.history`, `views.actions`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from benan.core import clock
from benan.core.errors import PermissionDenied as DomainPermissionDenied
from benan.core.models import RegionLevel
from benan.core.pages import attempt, http_errors
from benan.core.scope import get_in_scope
from benan.standards import accident_grades

from .. import guards, queries
from ..models import (
    GOVERNMENT,
    OFFICES,
    Accident,
    Investigation,
    InvestigationState,
    Measure,
    MeasureState,
    ReportingStep,
)
from . import actions as specs
from .common import GRADE_BADGES, countdown, may
from .history import HISTORY_LIMIT, history_rows

GRADES_LABELS = dict(Accident._meta.get_field("grade").flatchoices)
ACCIDENT_PANELS = ["follow_up", "investigate", "accountability"]
INVESTIGATION_PANELS = ["extend", "submit", "reply", "publish", "close"]


def may_acknowledge(user, step: ReportingStep) -> bool:
    """Whether `user` may confirm this step: a government role and the guard's region rule."""
    if step.state != "pending" or not may(user, GOVERNMENT):
        return False
    try:
        guards.acknowledge(step, user, {})
    except DomainPermissionDenied:
        return False
    return True


def office_name(step: ReportingStep) -> str:
    if step.office_region_id is None:
        return "国务院应急管理部门（由省级部门登记）"
    region = step.office_region
    if region.level == RegionLevel.COUNTY and region.parent_id:
        return f"{region.parent.name}{region.name}"
    return region.name


def step_row(step: ReportingStep, user, now) -> dict:
    overdue = queries.step_overdue(step, now)
    late = step.acknowledged_at is not None and step.acknowledged_at > step.due_at
    return {
        "step": step,
        "office": office_name(step),
        "overdue": overdue,
        "late": late,
        "countdown": countdown(step.due_at, now, overdue) if step.state == "pending" else "",
        "may_ack": may_acknowledge(user, step),
    }


def _panel(spec, key, dom, url, bound, request, accident, initial=None) -> dict:
    return {
        "key": key,
        "dom": dom,
        "label": spec.label,
        "button": spec.button,
        "hint": spec.hint,
        "url": url,
        "form": bound.get(key) or specs.make_form(spec, request, accident=accident, dom=dom, initial=initial),
    }


def _accident_panels(request, accident, investigation, bound) -> list[dict]:
    user, panels = request.user, []
    for action in ACCIDENT_PANELS:
        spec, key = specs.ACCIDENT_ACTIONS[action], f"accident:{action}"
        offered = may(user, spec.roles)
        if action == "investigate":
            offered = offered and investigation is None
        if not offered and key not in bound:
            continue
        initial = None
        if action == "follow_up":
            initial = {f: getattr(accident, f) for f in specs.forms.FIGURE_FIELDS}
        elif action == "investigate":
            initial = {"started_on": clock.today()}
        url = reverse("accidents:action", args=[accident.pk, action])
        panels.append(_panel(spec, key, f"action-{action}", url, bound, request, accident, initial))
    return panels


def _investigation_context(request, accident, investigation, bound) -> dict | None:
    if investigation is None:
        return None
    user, today = request.user, clock.today()
    available = {t.action for t in Investigation.LOOP.available(investigation, user)}
    if investigation.extended_days:
        available.discard("extend")
    if investigation.published_on is not None:
        available.discard("publish")
    open_ = investigation.state != InvestigationState.CLOSED
    offices = may(user, OFFICES)
    panels = []
    for action in INVESTIGATION_PANELS:
        key = f"investigation:{action}"
        if action not in available and key not in bound:
            continue
        url = reverse("accidents:investigation_action", args=[investigation.pk, action])
        spec = specs.INVESTIGATION_ACTIONS[action]
        panels.append(_panel(spec, key, f"investigation-{action}", url, bound, request, accident))
    four_nos = []
    for row in investigation.four_nos.prefetch_related("evidence").select_related("done_by"):
        action = f"four_nos:{row.item}"
        key = f"investigation:{action}"
        form = None
        if (offices and open_) or key in bound:
            spec = specs.FOUR_NOS_ACTIONS[action]
            form = _panel(
                spec,
                key,
                f"four-nos-{row.item}",
                reverse("accidents:investigation_action", args=[investigation.pk, action]),
                bound,
                request,
                accident,
                {"done": True, "note": row.note},
            )
        four_nos.append({"item": row, "evidence": list(row.evidence.all()), "panel": form})
    measures = [
        measure_row(request, measure, accident, bound, today)
        for measure in with_relations(queries.measures(user).filter(investigation=investigation))
    ]
    add_measure = None
    key = "investigation:measure"
    if (offices and open_) or key in bound:
        add_measure = _panel(
            specs.INVESTIGATION_ACTIONS["measure"],
            key,
            "investigation-measure",
            reverse("accidents:investigation_action", args=[investigation.pk, "measure"]),
            bound,
            request,
            accident,
        )
    return {
        "investigation": investigation,
        "overdue": queries.investigation_overdue(investigation, today),
        "reply_overdue": queries.reply_overdue(investigation, today),
        "panels": panels,
        "four_nos": four_nos,
        "four_nos_done": sum(1 for row in four_nos if row["item"].done),
        "measures": measures,
        "add_measure": add_measure,
    }


def detail_context(request, accident, bound=None, alert: str = "", failed: str = "") -> dict:
    user, now = request.user, clock.now()
    bound = bound or {}
    investigation = (
        Investigation.objects.filter(accident=accident).select_related("report", "lead_region").first()
    )
    reports = [
        {
            "report": r,
            "changed": bool(r.grade_before),
            "grade_before_label": GRADES_LABELS.get(r.grade_before, ""),
            "badge": GRADE_BADGES.get(r.grade, "text-bg-secondary"),
        }
        for r in accident.reports.select_related("reported_by")
    ]
    steps = [
        step_row(s, user, now)
        for s in accident.steps.select_related("office_region__parent", "acknowledged_by", "accident")
    ]
    window = accident_grades.supplementary_days(accident.kind)
    decided_labels = accident_grades.rules().criteria_labels
    return {
        "accident": accident,
        "badge": GRADE_BADGES.get(accident.grade, "text-bg-secondary"),
        "decided_by": [decided_labels.get(c, c) for c in accident.decided_by],
        "rule": accident_grades.rules().rule(accident.grade),
        "supplementary_until": timezone.localtime(accident.occurred_at).date() + timedelta(days=window),
        "supplementary_days": window,
        "reports": reports,
        "steps": steps,
        "panels": _accident_panels(request, accident, investigation, bound),
        "inv": _investigation_context(request, accident, investigation, bound),
        "accountability": list(
            queries.accountability(user).filter(accident=accident).select_related("recorded_by")
        ),
        "may_see_accountability": user.is_admin or user.role != "enterprise",
        "history": history_rows(accident, user),
        "history_limit": HISTORY_LIMIT,
        "alert": alert,
        "failed": failed,
        "now": now,
    }


def render_detail(request, accident, *, bound=None, alert="", failed="", status=200):
    accident = queries.get_accident(request.user, accident.pk)
    context = detail_context(request, accident, bound, alert, failed)
    return render(request, "accidents/detail.html", context, status=status)


def _accident_or_404(user, pk: int) -> Accident:
    with http_errors():
        return queries.get_accident(user, pk)


@login_required
def accident_detail(request, pk: int):
    accident = _accident_or_404(request.user, pk)
    return render(request, "accidents/detail.html", detail_context(request, accident))


def _run(request, spec, obj, form) -> tuple[int, str, str]:
    """(status, alert, message): status 0 when done."""
    done = []
    status, alert = attempt(form, lambda: done.append(spec.run(request, obj, form)))
    return status, alert, (done[0] if done and done[0] else spec.done)


@login_required
@require_POST
def accident_action(request, pk: int, action: str):
    spec = specs.ACCIDENT_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    if not may(request.user, spec.roles):
        raise PermissionDenied(f"您的角色无权执行“{spec.label}”")
    accident = _accident_or_404(request.user, pk)
    form = specs.make_form(spec, request, accident=accident, dom=f"action-{action}", data=request.POST)
    status, alert, message = _run(request, spec, accident, form)
    anchor = {"follow_up": "reports", "investigate": "investigation", "accountability": "accountability"}
    if not status:
        messages.success(request, message)
        return redirect(reverse("accidents:detail", args=[accident.pk]) + f"#{anchor[action]}")
    form.mark_fields()
    key = f"accident:{action}"
    return render_detail(request, accident, bound={key: form}, alert=alert, failed=key, status=status)


@login_required
@require_POST
def investigation_action(request, pk: int, action: str):
    spec = specs.investigation_action_spec(action)
    if spec is None:
        raise Http404("没有这个操作")
    if not may(request.user, spec.roles):
        raise PermissionDenied(f"您的角色无权执行“{spec.label}”")
    with http_errors():
        investigation = get_in_scope(Investigation.objects.select_related("accident"), request.user, pk=pk)
    accident = investigation.accident
    dom = (
        f"four-nos-{action.split(':', 1)[1]}" if action.startswith("four_nos:") else f"investigation-{action}"
    )
    form = specs.make_form(spec, request, accident=accident, dom=dom, data=request.POST, files=request.FILES)
    status, alert, message = _run(request, spec, investigation, form)
    if not status:
        messages.success(request, message)
        return redirect(reverse("accidents:detail", args=[accident.pk]) + "#investigation")
    form.mark_fields()
    key = f"investigation:{action}"
    return render_detail(request, accident, bound={key: form}, alert=alert, failed=key, status=status)


def with_relations(measures):
    return measures.select_related(
        "assignee_enterprise",
        "assignee_region__parent",
        "submitted_by",
        "verified_by",
        "investigation__accident",
    ).prefetch_related("evidence")


def measure_row(request, measure: Measure, accident, bound: dict, today) -> dict:
    """A measure with the forms `request.user` may use on it now (shared by the accident page and
    the measures list)."""
    user = request.user
    names = {t.action for t in Measure.LOOP.available(measure, user)}
    measure_forms = []
    for action, spec in specs.MEASURE_ACTIONS.items():
        key = f"measure:{measure.pk}:{action}"
        if action not in names and key not in bound:
            continue
        if (
            action == "submit"
            and user.role == "enterprise"
            and measure.assignee_enterprise_id != user.enterprise_id
        ):
            continue
        if action in ("verify", "reject") and measure.submitted_by_id == user.pk and key not in bound:
            continue  # the verifier must not be the submitter
        url = reverse("accidents:measure_action", args=[measure.pk, action])
        measure_forms.append(
            _panel(spec, key, f"measure-{measure.pk}-{action}", url, bound, request, accident)
        )
    return {
        "measure": measure,
        "overdue": measure.state == MeasureState.OPEN and today > measure.due_date,
        "evidence": list(measure.evidence.all()),
        "forms": measure_forms,
    }


@login_required
@require_POST
def measure_action(request, pk: int, action: str):
    spec = specs.MEASURE_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    if not may(request.user, spec.roles):
        raise PermissionDenied(f"您的角色无权执行“{spec.label}”")
    with http_errors():
        measure = get_in_scope(Measure.objects.select_related("investigation__accident"), request.user, pk=pk)
    accident = measure.investigation.accident
    form = specs.make_form(
        spec,
        request,
        accident=accident,
        dom=f"measure-{measure.pk}-{action}",
        data=request.POST,
        files=request.FILES,
    )
    status, alert, message = _run(request, spec, measure, form)
    visible = queries.accidents(request.user).filter(pk=accident.pk).exists()
    from_list = request.POST.get("next") == "measures"
    if not status:
        messages.success(request, message)
        if from_list:
            return redirect("accidents:measures")
        if not visible:
            return redirect("accidents:list")
        return redirect(reverse("accidents:detail", args=[accident.pk]) + f"#measure-{measure.pk}")
    form.mark_fields()
    key = f"measure:{measure.pk}:{action}"
    if not visible or from_list:
        # From the measures list, or an enterprise assigned a measure of another unit's accident:
        # no accident page to show the form on.
        return render(request, "accidents/message.html", {"alert": alert, "form": form}, status=status)
    return render_detail(request, accident, bound={key: form}, alert=alert, failed=key, status=status)

"""Supervised assignment pages (督办交办): the list with its filters, the board by state, the form that
hands a task to sub-regions (with files), and one assignment with the targets the user sees, their
progress reports, the actions (报告进展, 报送办结, 验收通过, 退回, 撤销) and the history.

Thin views: reads through `assignment_queries` and `assignments.get`, writes through `assignments`;
outside the scope is 404, enterprises get 403 on lists. The forms live here (they only collect
input; the rules and their Chinese messages are the services' and guards'). Imports from core
(the shared form fields), enterprises (region choices) and this app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from heapq import merge

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from benan.core import attachments, clock
from benan.core.forms import MultipleFileField, ServiceErrorsMixin, date_field, text_field
from benan.core.loop import role_allows
from benan.core.models import GOVERNMENT_ROLES
from benan.core.pages import attempt, http_errors, is_partial, list_page, messages_of
from benan.enterprises.forms import grouped_regions, scope_regions

from .. import assignment_queries as queries
from .. import assignments as services
from ..guards import is_issuer_side, is_receiver
from ..models import TARGET_OPEN, Assignment, AssignmentTarget, TargetState

FILTER_KEYS = ("q", "state", "region", "overdue")
BOARD_COLUMNS = (TargetState.ASSIGNED, TargetState.IN_PROGRESS, TargetState.SUBMITTED, TargetState.ACCEPTED)
BOARD_LIMIT = 50
HISTORY_LIMIT = 100

# -- forms -------------------------------------------------------------------------------------


class Form(ServiceErrorsMixin, forms.Form):
    aliases = {"attachments": "files", "file": "files"}

    def values(self) -> dict:
        return dict(self.cleaned_data)


class RegionsField(forms.MultipleChoiceField):
    """The receiving regions: any code is passed on, so that the service names what is wrong with it
    (not below the issuer, unknown, repeated) in its own words."""

    def valid_value(self, value) -> bool:
        return True


class AssignmentForm(Form):
    title = text_field("标题", max_length=200, placeholder="如：开展汛期安全生产隐患排查整治")
    requirements = text_field("工作要求", max_length=10_000, rows=5)
    due_date = date_field("办理期限")
    regions = RegionsField(
        label="接收区划（可多选）",
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": "12"}),
    )
    files = MultipleFileField(label="附件（图片或 PDF，可多选）")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = regions
        self.fields["due_date"].widget.attrs["min"] = clock.today().isoformat()


class ReportForm(Form):
    text = text_field("内容", max_length=5000, rows=3)
    files = MultipleFileField(label="附件（图片或 PDF，可多选）")

    def __init__(self, *args, label: str = "进展情况", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class CommentForm(Form):
    comment = text_field("验收意见（可不填）", max_length=500)


class ReasonForm(Form):
    reason = text_field("理由", max_length=500, rows=2)

    def __init__(self, *args, label: str = "理由", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


# -- helpers -----------------------------------------------------------------------------------


def require_government(user) -> None:
    if not (user.is_admin or user.role in GOVERNMENT_ROLES):
        raise PermissionDenied("督办交办仅供政府部门使用")


def _stored(request, form) -> list[int]:
    ids = []
    for upload in form.cleaned_data["files"]:
        try:
            ids.append(attachments.store(actor=request.user, upload=upload).pk)
        except ValidationError as exc:
            raise ValidationError({"files": [f"{upload.name}：{m}" for m in messages_of(exc)]}) from exc
    return ids


def region_choices(user) -> list:
    """The regions the user may assign to: strictly below their issuing region, grouped by city."""
    issuer = services.issuing_region(user)
    if issuer is None:
        return []
    regions = [r for r in scope_regions(user) if r.code != issuer.code and issuer.contains(r.code)]
    return [(city, list(options)) for city, options in grouped_regions(regions, counties_only=False)]


def filter_regions(user) -> list:
    groups = grouped_regions(scope_regions(user), counties_only=False)
    return [(city, list(options)) for city, options in groups]


def _params(request) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:100] for key in FILTER_KEYS}


def _state_param(raw: str) -> str | None:
    if raw and raw not in TargetState.values:
        hint = "、".join(s.label for s in TargetState)
        raise ValidationError({"state": [f"状态“{raw}”不是可选值，可选：{hint}"]})
    return raw or None


def _region_param(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


# -- the list ----------------------------------------------------------------------------------


@login_required
def assignment_list(request):
    user = request.user
    require_government(user)
    params = _params(request)
    context = {"params": params, "filtered": any(params.values()), "page": None, "rows": [], "errors": []}
    status = 200
    try:
        qs = queries.assignments(
            user,
            state=_state_param(params["state"]),
            region=_region_param(params["region"]),
            overdue=params["overdue"] == "1",
            q=params["q"] or None,
        )
        page = list_page(request, qs)
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        counts = queries.target_counts(user, [a.pk for a in page.items])
        context["page"] = page
        context["rows"] = [
            {"a": a, "counts": counts.get(a.pk, {"total": 0, "overdue": 0})} for a in page.items
        ]
    partial = "supervision/partials/assignment_table.html"
    if is_partial(request):
        response = render(request, partial, context, status=status)
    else:
        context.update(
            {
                "states": TargetState.choices,
                "region_groups": filter_regions(user),
                "can_issue": services.can_issue(user),
            }
        )
        response = render(request, "supervision/assignments.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- the board ---------------------------------------------------------------------------------


@login_required
def assignment_board(request):
    user = request.user
    require_government(user)
    params = {"region": request.GET.get("region", "").strip()[:100]}
    context = {"params": params, "region_groups": filter_regions(user), "errors": [], "columns": []}
    status = 200
    try:
        region = _region_param(params["region"])
        board = queries.board(user, region=region)
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    else:
        today = board["today"]
        counts = {s["state"]: s for s in board["status"]}
        columns = []
        for state in BOARD_COLUMNS:
            qs = queries.targets(user, region=region, state=state).select_related(
                "assignment__issuer_region", "region__parent"
            )
            # Open columns: the nearest deadline first; accepted: the latest first.
            qs = (
                qs.order_by("-accepted_at", "-pk")
                if state == TargetState.ACCEPTED
                else qs.order_by("assignment__due_date", "pk")
            )
            columns.append(
                {
                    "state": state.value,
                    "label": state.label,
                    "count": counts[state.value]["count"],
                    "cards": [
                        {"t": t, "late": t.state in TARGET_OPEN and t.assignment.due_date < today}
                        for t in qs[:BOARD_LIMIT]
                    ],
                }
            )
        context.update(
            {
                "columns": columns,
                "status": board["status"],
                "total": board["total"],
                "overdue": board["overdue"],
                "limit": BOARD_LIMIT,
            }
        )
    return render(request, "supervision/assignment_board.html", context, status=status)


# -- assigning ---------------------------------------------------------------------------------


@login_required
def assignment_new(request):
    user = request.user
    require_government(user)
    if not services.can_issue(user):
        raise PermissionDenied("只有安委办可以交办督办事项")
    choices = region_choices(user)
    if request.method != "POST":
        form = AssignmentForm(regions=choices, auto_id="assignment-%s")
        context = {"form": form, "has_regions": bool(choices)}
        return render(request, "supervision/assignment_form.html", context)
    form = AssignmentForm(request.POST, request.FILES, regions=choices, auto_id="assignment-%s")
    made = []

    def run():
        data = form.values()
        ids = _stored(request, form)
        made.append(
            services.assign(
                actor=user,
                title=data["title"],
                requirements=data["requirements"],
                due_date=data["due_date"],
                regions=data["regions"],
                attachment_ids=ids,
            )
        )

    status, notice = attempt(form, run)
    if not status:
        count = made[0].targets.count()
        messages.success(request, f"已交办“{made[0].title}”至 {count} 个区划")
        return redirect("supervision:assignment", made[0].pk)
    form.mark_fields()
    context = {"form": form, "has_regions": bool(choices), "notice": notice}
    return render(request, "supervision/assignment_form.html", context, status=status)


# -- one assignment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One form on the assignment page: its label, form and the service call it runs, which returns
    the message shown after the redirect. `side` says whose it is: the receiving region's own users
    ("receiver") or the issuing side ("issuer")."""

    label: str
    form: type
    run: Callable
    side: str
    button: str = "btn-primary"
    hint: str = ""
    form_kwargs: dict | None = None


def _run_report(request, target, form):
    services.report_progress(
        actor=request.user, target=target, text=form.values()["text"], attachment_ids=_stored(request, form)
    )
    return "已报告进展"


def _run_submit(request, target, form):
    services.submit(
        actor=request.user, target=target, text=form.values()["text"], attachment_ids=_stored(request, form)
    )
    return "已报送办结情况，等待交办单位验收"


def _run_accept(request, target, form):
    services.accept(actor=request.user, target=target, comment=form.values()["comment"])
    return f"{target.region.name}验收通过"


def _run_return(request, target, form):
    services.return_target(actor=request.user, target=target, reason=form.values()["reason"])
    return f"已退回{target.region.name}"


def _run_cancel(request, assignment, form):
    services.cancel(actor=request.user, assignment=assignment, reason=form.values()["reason"])
    return "已撤销交办"


TARGET_ACTIONS = {
    "report": Action(
        "报告进展",
        ReportForm,
        _run_report,
        "receiver",
        button="btn-outline-primary",
        hint="进展报告留档备查；首次报告后状态变为“办理中”。",
    ),
    "submit": Action(
        "报送办结",
        ReportForm,
        _run_submit,
        "receiver",
        form_kwargs={"label": "办结情况"},
        hint="报送后由交办单位验收。",
    ),
    "accept": Action("验收通过", CommentForm, _run_accept, "issuer", button="btn-success"),
    "return": Action(
        "退回",
        ReasonForm,
        _run_return,
        "issuer",
        button="btn-outline-danger",
        form_kwargs={"label": "退回理由"},
    ),
}
ASSIGNMENT_ACTIONS = {
    "cancel": Action(
        "撤销交办",
        ReasonForm,
        _run_cancel,
        "issuer",
        button="btn-outline-danger",
        form_kwargs={"label": "撤销原因"},
        hint="撤销后所有未验收的区划一并撤销；已有区划验收通过的不能撤销。",
    ),
}


def _form(spec: Action, dom: str, data=None, files=None):
    return spec.form(data, files, auto_id=f"{dom}-%s", **(spec.form_kwargs or {}))


def _panel(spec: Action, key: str, url: str, bound: dict) -> dict:
    dom = key.replace(":", "-").replace("_", "-")
    return {
        "key": key,
        "dom": dom,
        "label": spec.label,
        "button": spec.button,
        "hint": spec.hint,
        "url": url,
        "form": bound.get(key) or _form(spec, dom),
    }


def assignment_or_404(user, pk: int) -> Assignment:
    assignment = queries.seen_by(user, pk)
    if assignment is None:
        raise Http404("督办事项不存在")
    return assignment


LABELS = {
    "supervision.assignment.create": "交办",
    "supervision.assignment.cancel": "撤销交办",
    "supervision.assignment.complete": "全部办结",
    "supervision.assignmenttarget.create": "交办至本区划",
    "supervision.assignmenttarget.report": "报告进展",
    "supervision.assignmenttarget.submit": "报送办结",
    "supervision.assignmenttarget.accept": "验收通过",
    "supervision.assignmenttarget.return": "退回",
    "supervision.assignmenttarget.cancel": "撤销",
    "supervision.assignmenttarget.escalated": "逾期提醒",
}


def _summary(entry, regions: dict[str, str]) -> str:
    data = entry.data or {}
    parts: list[str] = []
    if entry.object_type == "supervision.assignmenttarget":
        parts.append(regions.get(entry.object_id, ""))
    if data.get("regions"):
        parts.append(f"接收区划 {len(data['regions'])} 个")
    for key, label in (("due_date", "办理期限"), ("days_overdue", "逾期天数")):
        if data.get(key) not in (None, ""):
            parts.append(f"{label} {data[key]}")
    if data.get("attachments"):
        parts.append(f"附件 {len(data['attachments'])} 个")
    for key in ("text", "comment", "reason"):
        text = str(data.get(key) or "").strip()
        if text:
            parts.append(text[:120])
    return "；".join(p for p in parts if p)


def history_rows(assignment, targets) -> list[dict]:
    """The audit entries of the assignment and of the targets shown, newest first."""
    objects = [assignment, *targets]
    streams = [list(queries.history(obj).order_by("-seq")[:HISTORY_LIMIT]) for obj in objects]
    entries = list(merge(*streams, key=lambda e: e.seq, reverse=True))[:HISTORY_LIMIT]
    regions = {str(t.pk): t.region.name for t in targets}
    return [
        {"entry": e, "label": LABELS.get(e.action, e.action), "summary": _summary(e, regions)}
        for e in entries
    ]


def render_assignment(request, assignment, *, bound=None, notice="", failed="", status=200):
    user, bound = request.user, bound or {}
    assignment = assignment_or_404(user, assignment.pk)
    today = clock.today()
    targets = list(
        queries.targets(user, assignment=assignment).select_related(
            "region__parent", "submitted_by", "accepted_by"
        )
    )
    by_target: dict[int, list] = {}
    for report in queries.reports(user, [t.pk for t in targets]):
        by_target.setdefault(report.target_id, []).append(report)
    rows = []
    for target in targets:
        offered = services.target_actions(target, user)
        panels = []
        for action, spec in TARGET_ACTIONS.items():
            key = f"target:{target.pk}:{action}"
            if action in offered or key in bound:
                url = reverse("supervision:assignment_target_action", args=[target.pk, action])
                panels.append(_panel(spec, key, url, bound))
        rows.append(
            {
                "t": target,
                "reports": by_target.get(target.pk, []),
                "late": target.state in TARGET_OPEN and assignment.due_date < today,
                "panels": panels,
            }
        )
    cancel = None
    if "cancel" in services.assignment_actions(assignment, user) or "cancel" in bound:
        url = reverse("supervision:assignment_action", args=[assignment.pk, "cancel"])
        cancel = _panel(ASSIGNMENT_ACTIONS["cancel"], "cancel", url, bound)
    context = {
        "a": assignment,
        "files": list(assignment.attachments.all()),
        "rows": rows,
        "late": any(r["late"] for r in rows),
        "issuer_side": is_issuer_side(assignment, user),
        "cancel": cancel,
        "history": history_rows(assignment, targets),
        "notice": notice,
        "failed": failed,
    }
    return render(request, "supervision/assignment.html", context, status=status)


@login_required
def assignment_detail(request, pk: int):
    return render_assignment(request, assignment_or_404(request.user, pk))


def _may(spec: Action, model, action: str, obj, user) -> bool:
    """Whether the action is the user's at all, whatever the state (the loop and guards still decide):
    the role of the transition table, and the side it belongs to."""
    if not any(role_allows(t, user) for t in model.LOOP.transitions if t.action == action):
        return False
    if spec.side == "receiver":
        return is_receiver(obj, user)
    return is_issuer_side(obj if model is Assignment else obj.assignment, user)


def _act(request, obj, assignment, key: str, spec: Action, action: str, back: str):
    """Run `spec` on `obj` (already found in the scope): not the user's, 403 on the page and nothing
    changed; done, a redirect to `back`; bad input (422) or a refused move (403/409) re-renders the
    page with the form and its errors."""
    user = request.user
    if not _may(spec, type(obj), action, obj, user):
        return render_assignment(
            request, assignment, notice=f"您无权执行“{spec.label}”", failed=key, status=403
        )
    dom = key.replace(":", "-").replace("_", "-")
    form = _form(spec, dom, request.POST, request.FILES)
    done: list[str] = []
    status, notice = attempt(form, lambda: done.append(spec.run(request, obj, form)), refusals_on_page=True)
    if not status:
        messages.success(request, done[0])
        return redirect(back)
    form.mark_fields()
    return render_assignment(request, assignment, bound={key: form}, notice=notice, failed=key, status=status)


@login_required
@require_POST
def assignment_action(request, pk: int, action: str):
    spec = ASSIGNMENT_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    assignment = assignment_or_404(request.user, pk)
    back = reverse("supervision:assignment", args=[assignment.pk])
    return _act(request, assignment, assignment, action, spec, action, back)


@login_required
@require_POST
def target_action(request, pk: int, action: str):
    spec = TARGET_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这个操作")
    with http_errors():
        target = services.get(AssignmentTarget, request.user, pk)
    back = reverse("supervision:assignment", args=[target.assignment_id]) + f"#target-{target.pk}"
    return _act(request, target, target.assignment, f"target:{target.pk}:{action}", spec, action, back)

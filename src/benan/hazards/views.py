"""Hazard and inspection pages: the queue (htmx filters), the detail with one form per action of
the loop, reporting, inspections against the official checklists (and publishing an unannounced
one), the listed-supervision board, the zero-backlog ranking and the XLSX ledger.

Thin views: reads through `queries`, writes through `services`; domain errors become 404 / 403,
a refused move (InvalidTransition) an alert with status 409, bad input the form's errors (422).
Imports from core, enterprises, standards and this app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from benan.core import attachments
from benan.core import errors as domain
from benan.core.loop import role_allows
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel, Role
from benan.core.pages import http_errors, is_partial, messages_of, page_number
from benan.core.pagination import paginate
from benan.core.scope import region_in_scope
from benan.enterprises import queries as enterprise_queries
from benan.enterprises.forms import grouped_regions, scope_regions
from benan.standards import engine

from . import ledger, queries, services
from .forms import (
    CommentForm,
    ConfirmForm,
    DismissForm,
    InspectionForm,
    ListForm,
    ReportForm,
    SubmitForm,
)
from .guards import PLAN_ELEMENTS, awaits_publication
from .models import Answer, Grade, Hazard, HazardState, Inspection, Listing, ListingState, Source, Visibility

HISTORY_LIMIT = 100
# How many enterprises a picker lists at once; a longer list is narrowed by searching.
PICK_LIMIT = 200
FINDING_ROWS = 3

ACTION_LABELS = {
    "hazards.hazard.reported": "上报隐患",
    "hazards.hazard.confirm": "确认隐患",
    "hazards.hazard.dismiss": "不予确认",
    "hazards.hazard.submit": "提交整改",
    "hazards.hazard.verify": "验收销号",
    "hazards.hazard.reject": "退回整改",
    "hazards.hazard.listed": "挂牌督办",
    "hazards.listing.delist": "摘牌",
    "hazards.hazard.escalated": "逾期督促",
}
GRADE_LABELS = dict(Grade.choices)
SOURCE_LABELS = dict(Source.choices)


# -- helpers -----------------------------------------------------------------------------------


def _flag(raw: str, field: str, label: str) -> bool | None:
    if raw == "":
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise ValidationError({field: [f"{label}“{raw}”不是可选值，可选：是(1)、否(0)"]})


def _days_overdue(hazard: Hazard, today: date) -> int:
    return (today - hazard.due_date).days if queries.is_overdue(hazard, today) else 0


def _is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def _require_reporter(user) -> None:
    if not (user.is_admin or user.role in services.REPORTERS):
        raise PermissionDenied("您的角色无权上报隐患或录入检查")


def _enterprise_or_404(user, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("企业不存在") from None
    with http_errors():
        return enterprise_queries.get_enterprise(user, pk)


def _pick_enterprises(user, q: str) -> tuple[list, bool, list[str]]:
    """Enterprises in scope matching `q` for a picker: (first PICK_LIMIT, more?, errors)."""
    try:
        queryset = enterprise_queries.enterprises(
            user, enterprise_queries.EnterpriseFilter(q=q or None)
        ).select_related("region__parent")
        rows = list(queryset[: PICK_LIMIT + 1])
    except ValidationError as exc:
        return [], False, messages_of(exc)
    return rows[:PICK_LIMIT], len(rows) > PICK_LIMIT, []


# -- the queue and the ledger ------------------------------------------------------------------

FILTER_KEYS = ("state", "grade", "region", "overdue", "listed", "open")


def _filters(request) -> tuple[dict, queries.HazardFilter]:
    params = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    region = params["region"]
    if region and len(region) != 6:
        raise ValidationError({"region": [f"行政区划代码“{region}”不存在"]})
    return params, queries.HazardFilter(
        state=params["state"] or None,
        grade=params["grade"] or None,
        region=region or None,
        overdue=_flag(params["overdue"], "overdue", "是否逾期"),
        listed=_flag(params["listed"], "listed", "是否挂牌督办"),
        open=_flag(params["open"], "open", "是否未销号"),
    )


@login_required
def hazard_list(request):
    today = timezone.localdate()
    context = {"params": {}, "filtered": False, "rows": [], "page": None, "errors": [], "today": today}
    status_code = 200
    try:
        params, filters = _filters(request)
        context.update(params=params, filtered=any(params.values()))
        queryset = queries.hazards(request.user, filters, today=today).select_related(
            "enterprise", "region__parent"
        )
        page = paginate(queryset, page=page_number(request.GET.get("page")))
        if not page.items and page.number > page.pages:
            page = paginate(queryset, page=page.pages)
        listed = queries.listings_of([h.pk for h in page.items])
        context["page"] = page
        context["rows"] = [
            {"hazard": h, "days_overdue": _days_overdue(h, today), "listing": listed.get(h.pk)}
            for h in page.items
        ]
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        context["params"] = {key: request.GET.get(key, "") for key in FILTER_KEYS}
        status_code = 400

    if is_partial(request):
        response = render(request, "hazards/partials/table.html", context, status=status_code)
    else:
        context.update(
            region_groups=grouped_regions(scope_regions(request.user), counties_only=False),
            states=HazardState.choices,
            grades=Grade.choices,
            can_report=request.user.is_admin or request.user.role in services.REPORTERS,
        )
        response = render(request, "hazards/list.html", context, status=status_code)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def hazard_ledger(request):
    """The 隐患台账 of the filtered queue as XLSX."""
    try:
        _, filters = _filters(request)
        content = ledger.build(queries.hazards(request.user, filters))
    except ValidationError as exc:
        text = "筛选条件有误：" + "；".join(messages_of(exc))
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="hazard-ledger-{stamp}.xlsx"'
    return response


# -- the detail and the actions ----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: Callable
    run: Callable  # (request, hazard, form) -> None; a service call
    done: str  # the success message
    label: str


def _confirm_form(request, hazard, data=None):
    try:
        criteria = engine.applicable_criteria(hazard.enterprise.sector)
    except ValueError:  # a sector without a checklist
        criteria = []
    return ConfirmForm(data, criteria=criteria, actor=request.user, hazard=hazard)


def _run_confirm(request, hazard, form):
    data = form.cleaned_data
    services.confirm_hazard(
        actor=request.user,
        hazard=hazard,
        grade=data["grade"],
        due_date=data["due_date"],
        criterion_id=data["criterion"] or None,
        # A general hazard has no five-element plan; stale plan inputs are not sent.
        plan=form.plan() if data["grade"] == Grade.MAJOR else None,
    )


def _run_submit(request, hazard, form):
    ids = []
    for upload in form.cleaned_data["files"]:
        try:
            ids.append(attachments.store(actor=request.user, upload=upload).pk)
        except ValidationError as exc:
            raise ValidationError({"files": [f"{upload.name}：{m}" for m in messages_of(exc)]}) from exc
    services.submit_rectification(
        actor=request.user, hazard=hazard, description=form.cleaned_data["description"], attachment_ids=ids
    )


def _comment_form(label: str, placeholder: str):
    return lambda request, hazard, data=None: CommentForm(data, label=label, placeholder=placeholder)


def _service(function, **fields):
    """A run step calling `function(actor=..., hazard=..., <argument>=<cleaned field>, ...)`."""

    def run(request, hazard, form):
        arguments = {name: form.cleaned_data[field] for name, field in fields.items()}
        function(actor=request.user, hazard=hazard, **arguments)

    return run


ACTIONS: dict[str, Action] = {
    "confirm": Action(_confirm_form, _run_confirm, "已确认隐患，进入整改", "确认隐患"),
    "dismiss": Action(
        lambda request, hazard, data=None: DismissForm(data),
        _service(services.dismiss_hazard, reason="reason"),
        "已不予确认该隐患",
        "不予确认",
    ),
    "submit": Action(
        lambda request, hazard, data=None, files=None: SubmitForm(data, files),
        _run_submit,
        "已提交整改，等待验收",
        "提交整改",
    ),
    "verify": Action(
        _comment_form("验收意见", "如：现场复查，整改到位"),
        _service(services.verify_hazard, comment="comment"),
        "已验收销号",
        "验收销号",
    ),
    "reject": Action(
        _comment_form("退回意见", "说明整改不到位之处"),
        _service(services.reject_rectification, comment="comment"),
        "已退回整改",
        "退回整改",
    ),
    "list": Action(
        lambda request, hazard, data=None: ListForm(data),
        _service(services.list_hazard, due_date="due_date", comment="comment"),
        "已挂牌督办",
        "挂牌督办",
    ),
    "delist": Action(
        _comment_form("摘牌意见", "如：隐患已销号，同意摘牌"),
        _service(services.delist_hazard, comment="comment"),
        "已摘牌",
        "摘牌",
    ),
}


# URL names of the actions; "list" is the queue's name, so listing has a longer one.
URL_NAMES = {
    "confirm": "hazards:confirm",
    "dismiss": "hazards:dismiss",
    "submit": "hazards:submit",
    "verify": "hazards:verify",
    "reject": "hazards:reject",
    "list": "hazards:list_hazard",
    "delist": "hazards:delist_hazard",
}


def _make_form(action: str, request, hazard, bound: bool = False):
    spec = ACTIONS[action]
    if not bound:
        return spec.form(request, hazard)
    if action == "submit":
        return spec.form(request, hazard, request.POST, request.FILES)
    return spec.form(request, hazard, request.POST)


def _role_may(user, action: str) -> bool:
    """Whether the user's role may take `action` at all, from the declared tables: read-only roles
    are refused (403) before their input is looked at."""
    if action in Hazard.LOOP.actions:
        return any(role_allows(t, user) for t in Hazard.LOOP.transitions if t.action == action)
    # Listing has no table of its own (it creates a row); the offices that may delist may list.
    return any(role_allows(t, user) for t in Listing.LOOP.transitions)


def _actions_for(user, hazard: Hazard, listing) -> list[str]:
    """The forms to show: the loop's available actions, and listing / delisting for offices."""
    actions = [t.action for t in Hazard.LOOP.available(hazard, user)]
    if user.role == Role.ENTERPRISE and "confirm" in actions and (
        hazard.source != Source.SELF or hazard.criterion_id
    ):
        # available() does not run guards: an enterprise may confirm only its own self-found
        # general hazards, so a form it can never use is not offered.
        actions.remove("confirm")
    if "confirm" in actions and awaits_publication(hazard):
        actions.remove("confirm")  # confirmed only once its 暗访 is published
    if _role_may(user, "list"):
        if listing is not None:
            actions.append("delist")
        elif (
            hazard.grade == Grade.MAJOR
            and hazard.state in (HazardState.RECTIFYING, HazardState.SUBMITTED)
            and (user.is_admin or user.region.level != RegionLevel.COUNTY)
        ):
            actions.append("list")
    return actions


def _summary(entry) -> str:
    """A one-line Chinese summary of a hazard audit entry's data."""
    data = entry.data or {}
    action = entry.action
    if action == "hazards.hazard.reported":
        parts = [SOURCE_LABELS.get(data.get("source"), data.get("source") or "")]
        if data.get("location"):
            parts.append(f"部位：{data['location']}")
        if data.get("criterion"):
            parts.append(f"依据：{data['criterion']}")
        return "；".join(p for p in parts if p)
    if action == "hazards.hazard.confirm":
        parts = [GRADE_LABELS.get(data.get("grade"), data.get("grade") or "")]
        if data.get("criterion"):
            parts.append(f"判定依据：{data['criterion']}")
        if data.get("due_date"):
            parts.append(f"整改期限：{data['due_date']}")
        return "；".join(p for p in parts if p)
    if action == "hazards.hazard.dismiss":
        return f"理由：{data.get('reason', '')}"
    if action == "hazards.hazard.submit":
        count = len(data.get("attachments") or [])
        return f"{data.get('description', '')}（证据 {count} 份）"
    if action in ("hazards.hazard.verify", "hazards.hazard.reject", "hazards.listing.delist"):
        return data.get("comment") or ""
    if action == "hazards.hazard.listed":
        text = f"督办期限：{data.get('due_date', '')}"
        return text + (f"；要求：{data['comment']}" if data.get("comment") else "")
    if action == "hazards.hazard.escalated":
        return f"整改期限 {data.get('due_date', '')}，已逾期 {data.get('days_overdue', '')} 天"
    return ""


def _history(hazard: Hazard) -> list[dict]:
    return [
        {"entry": e, "label": ACTION_LABELS.get(e.action, e.action), "summary": _summary(e)}
        for e in queries.history(hazard).reverse()[:HISTORY_LIMIT]
    ]


def _detail_context(request, hazard: Hazard, bound: dict | None = None, alert: str = "") -> dict:
    today = timezone.localdate()
    listing = queries.listing_of(hazard)
    listings = list(hazard.listings.select_related("office_region", "listed_by", "delisted_by"))
    actions = _actions_for(request.user, hazard, listing)
    bound = bound or {}
    forms = {a: bound.get(a) or _make_form(a, request, hazard) for a in actions}
    for action, form in bound.items():
        # A form that failed stays visible with its errors even if the action is no longer offered.
        forms.setdefault(action, form)
    return {
        "hazard": hazard,
        "today": today,
        "days_overdue": _days_overdue(hazard, today),
        "listing": listing,
        "listings": listings,
        "listing_overdue": listing is not None and listing.due_date < today,
        "rectifications": queries.rectifications(hazard),
        "history": _history(hazard),
        "history_limit": HISTORY_LIMIT,
        "plan": [(label, hazard.plan.get(key, "")) for key, label in PLAN_ELEMENTS.items()],
        "panels": [
            {
                "action": action,
                "form": form,
                "label": ACTIONS[action].label,
                "url": reverse(URL_NAMES[action], args=[hazard.pk]),
            }
            for action, form in forms.items()
        ],
        "alert": alert,
    }


def _hazard_or_404(user, pk: int) -> Hazard:
    with http_errors():
        return queries.get_hazard(user, pk)


@login_required
def hazard_detail(request, pk: int):
    hazard = _hazard_or_404(request.user, pk)
    return render(request, "hazards/detail.html", _detail_context(request, hazard))


@login_required
@require_POST
def hazard_action(request, pk: int, action: str):
    if not _role_may(request.user, action):
        raise PermissionDenied(f"您的角色无权执行“{ACTIONS[action].label}”")
    hazard = _hazard_or_404(request.user, pk)
    form = _make_form(action, request, hazard, bound=True)
    status, alert = 422, ""
    if form.is_valid():
        try:
            with http_errors(), transaction.atomic():
                # One transaction: evidence stored for a submission that is then refused is
                # rolled back with it, so a wrong move changes nothing.
                ACTIONS[action].run(request, hazard, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except domain.InvalidTransition as exc:
            status, alert = 409, exc.message
        else:
            messages.success(request, ACTIONS[action].done)
            return redirect("hazards:detail", pk=hazard.pk)
    form.mark_fields()
    context = _detail_context(request, hazard, {action: form}, alert)
    context["failed"] = action
    return render(request, "hazards/detail.html", context, status=status)


# -- reporting ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hazard_report(request):
    user = request.user
    _require_reporter(user)
    q = request.GET.get("q", "").strip()
    picked = request.POST.get("enterprise") or request.GET.get("enterprise")
    more, pick_errors = False, []
    if request.method == "POST" and picked:
        # Outside the scope (an enterprise user naming another enterprise too) is 404.
        choices = [_enterprise_or_404(user, picked)]
    elif user.role == Role.ENTERPRISE:
        choices = [_enterprise_or_404(user, user.enterprise_id)]
    else:
        choices, more, pick_errors = _pick_enterprises(user, q)
        if picked and not any(str(e.pk) == str(picked) for e in choices):
            choices.insert(0, _enterprise_or_404(user, picked))
    initial = {"enterprise": choices[0].pk} if user.role == Role.ENTERPRISE else {"enterprise": picked}
    if request.method == "POST":
        form = ReportForm(request.POST, enterprises=choices, actor=user)
        if form.is_valid():
            data = form.cleaned_data
            if data["enterprise"] in (None, ""):
                form.add_error("enterprise", "请选择企业")
            else:
                enterprise = next(e for e in choices if e.pk == data["enterprise"])
                try:
                    with http_errors():
                        hazard = services.report_hazard(
                            actor=user,
                            enterprise=enterprise,
                            description=data["description"],
                            location=data["location"],
                            source=data["source"],
                        )
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, f"已上报隐患（编号 {hazard.pk}），等待确认")
                    return redirect("hazards:detail", pk=hazard.pk)
        status = 422
    else:
        form, status = ReportForm(initial=initial, enterprises=choices, actor=user), 200
    form.mark_fields()
    return render(
        request,
        "hazards/report.html",
        {"form": form, "q": q, "more": more, "pick_errors": pick_errors, "pick_limit": PICK_LIMIT},
        status=status,
    )


# -- inspections -------------------------------------------------------------------------------


def _checklist(enterprise, standard_id: str | None):
    """(standards for the sector, the chosen one, its criteria of the sector grouped by article)."""
    try:
        standards = engine.applicable_standards(enterprise.sector)
        criteria = engine.applicable_criteria(enterprise.sector)
    except ValueError:
        return [], None, []
    standard = next((s for s in standards if s.id == standard_id), standards[0] if standards else None)
    groups: list[dict] = []
    for c in criteria:
        if standard is None or c.standard_id != standard.id:
            continue
        heading = f"{c.article} {c.section}".strip() if c.article.startswith("第") else (
            f"{c.article}、{c.section}" if c.article else c.section
        )
        if not groups or groups[-1]["heading"] != heading:
            groups.append({"heading": heading, "lead": c.lead, "criteria": []})
        groups[-1]["criteria"].append(c)
    return standards, standard, groups


def _read_checklist(request, groups) -> tuple[list, dict, dict]:
    """The answered criteria from the POST: [(criterion, answer, note, uploads)], and what was
    typed, to show it again when something is wrong."""
    answered, values, notes = [], {}, {}
    for group in groups:
        for c in group["criteria"]:
            value = request.POST.get(f"answer-{c.id}", "").strip()
            note = request.POST.get(f"note-{c.id}", "").strip()
            values[c.id], notes[c.id] = value, note
            if value:
                answered.append((c, value, note, request.FILES.getlist(f"photos-{c.id}")))
    return answered, values, notes


def _read_findings(request) -> list[dict]:
    descriptions = request.POST.getlist("finding_description")
    locations = request.POST.getlist("finding_location")
    rows = []
    for n, text in enumerate(descriptions):
        rows.append(
            {"description": text.strip(), "location": (locations[n] if n < len(locations) else "").strip()}
        )
    return rows


def _inspection_page(request, *, self_check: bool):
    user = request.user
    if self_check:
        if user.role != Role.ENTERPRISE:
            raise PermissionDenied("企业自查由企业用户录入")
        enterprise = _enterprise_or_404(user, user.enterprise_id)
    else:
        _require_reporter(user)
        if user.role == Role.ENTERPRISE:
            return redirect("inspections:self")
        picked = request.POST.get("enterprise") or request.GET.get("enterprise")
        if not picked:
            q = request.GET.get("q", "").strip()
            rows, more, errors = _pick_enterprises(user, q)
            return render(
                request,
                "hazards/inspection_pick.html",
                {"enterprises": rows, "more": more, "errors": errors, "q": q, "pick_limit": PICK_LIMIT},
            )
        enterprise = _enterprise_or_404(user, picked)

    standard_id = request.POST.get("standard") or request.GET.get("standard")
    standards, standard, groups = _checklist(enterprise, standard_id)
    answer_errors: dict[str, list[str]] = {}
    finding_errors: dict[int, list[str]] = {}
    general_errors: list[str] = []
    status = 200
    # Only an office above the enterprise's county is offered 暗访.
    unannounced = not self_check and services.unannounced_office(user, enterprise) is not None
    if request.method == "POST":
        form = InspectionForm(request.POST, self_check=self_check, unannounced=unannounced)
        answered, values, notes = _read_checklist(request, groups)
        findings = _read_findings(request)
        kept = [(n, row) for n, row in enumerate(findings) if row["description"] or row["location"]]
        if form.is_valid():
            if not answered and not kept:
                general_errors.append("请至少对一项检查内容作出结论，或填写一条发现的隐患")
            else:
                inspection = _record(
                    request, enterprise, form, standard, answered, kept, answer_errors, finding_errors
                )
                if inspection is not None:
                    count = inspection.hazards.count()
                    messages.success(
                        request,
                        f"已录入检查，发现隐患 {count} 项" + ("，等待确认" if count else ""),
                    )
                    return redirect("inspections:detail", pk=inspection.pk)
        status = 422
    else:
        form = InspectionForm(self_check=self_check, unannounced=unannounced)
        values, notes = {}, {}
        findings = []
    while len(findings) < FINDING_ROWS:
        findings.append({"description": "", "location": ""})
    form.mark_fields()
    for group in groups:
        group["rows"] = [
            {
                "criterion": c,
                "value": values.get(c.id, ""),
                "note": notes.get(c.id, ""),
                "errors": answer_errors.get(c.id, []),
            }
            for c in group["criteria"]
        ]
    return render(
        request,
        "hazards/inspection_form.html",
        {
            "form": form,
            "self_check": self_check,
            "enterprise": enterprise,
            "standards": standards,
            "standard": standard,
            "groups": groups,
            "answers": Answer.choices,
            "findings": [
                {**row, "errors": finding_errors.get(n, [])} for n, row in enumerate(findings)
            ],
            "general_errors": general_errors + form.non_field_errors(),
            "has_errors": bool(form.errors or answer_errors or finding_errors or general_errors),
        },
        status=status,
    )


def _record(request, enterprise, form, standard, answered, kept, answer_errors, finding_errors):
    """Store the photos and record the inspection in one transaction; on bad input fill the error
    dicts (by criterion id and finding row) and return None."""
    data = form.cleaned_data
    try:
        with http_errors(), transaction.atomic():
            items = []
            for c, value, note, uploads in answered:
                photo_ids = []
                for upload in uploads:
                    try:
                        photo_ids.append(attachments.store(actor=request.user, upload=upload).pk)
                    except ValidationError as exc:
                        answer_errors[c.id] = [f"{upload.name}：{m}" for m in messages_of(exc)]
                items.append(services.AnswerIn(c.id, value, note, tuple(photo_ids)))
            if answer_errors:
                transaction.set_rollback(True)  # keep none of the photos that did pass
                return None
            return services.record_inspection(
                actor=request.user,
                enterprise=enterprise,
                source=data["source"],
                day=data["date"] or timezone.localdate(),  # left empty: inspected today
                inspectors=data["inspectors"],
                standard_id=standard.id if standard else None,
                answers=items,
                findings=[services.FindingIn(row["description"], row["location"]) for _, row in kept],
                note=data["note"],
            )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_service_errors(exc)
            return None
        for key, messages_ in exc.message_dict.items():
            # The services number answers and findings from 1, in the order they were given.
            if key.startswith("answers["):
                c = answered[int(key[8:-1]) - 1][0]
                answer_errors.setdefault(c.id, []).extend(messages_)
            elif key.startswith("findings["):
                finding_errors.setdefault(kept[int(key[9:-1]) - 1][0], []).extend(messages_)
            else:
                form.add_service_errors(ValidationError({key: messages_}))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    return _inspection_page(request, self_check=False)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_self(request):
    return _inspection_page(request, self_check=True)


@login_required
def inspection_list(request):
    params = {key: request.GET.get(key, "").strip() for key in ("source", "visibility")}
    try:
        page = paginate(
            queries.inspections(
                request.user, source=params["source"] or None, visibility=params["visibility"] or None
            ).annotate(hazard_count=Count("hazards")),
            page=page_number(request.GET.get("page")),
        )
        errors, status = [], 200
    except ValidationError as exc:
        page, errors, status = None, messages_of(exc), 400
    is_enterprise = request.user.role == Role.ENTERPRISE
    return render(
        request,
        "hazards/inspection_list.html",
        {
            "page": page,
            "errors": errors,
            "params": params,
            "filtered": any(params.values()),
            "sources": Source.choices,
            # An enterprise never sees an embargoed inspection: the filter would only tell it so.
            "visibilities": [] if is_enterprise else Visibility.choices,
            "can_record": request.user.is_admin or request.user.role in services.REPORTERS,
            "is_enterprise": is_enterprise,
        },
        status=status,
    )


def _inspection_context(request, inspection: Inspection, alert: str = "") -> dict:
    answers = list(
        inspection.answers.select_related("criterion").prefetch_related("photos")
        .order_by("criterion__standard__order", "criterion__order")
    )
    tally = {value: 0 for value in Answer.values}
    for a in answers:
        tally[a.answer] += 1
    return {
        "inspection": inspection,
        "answers": answers,
        "tally": [(label, tally[value], value) for value, label in Answer.choices],
        "hazards": list(inspection.hazards.order_by("id")),
        # Whoever sees an embargoed inspection is its office or above (the data scope), so the
        # declared roles decide who is offered the button.
        "can_publish": any(
            t.action == "publish" for t in Inspection.LOOP.available(inspection, request.user)
        ),
        "alert": alert,
    }


@login_required
def inspection_detail(request, pk: int):
    with http_errors():
        inspection = queries.get_inspection(request.user, pk)
    return render(request, "hazards/inspection_detail.html", _inspection_context(request, inspection))


@login_required
@require_POST
def inspection_publish(request, pk: int):
    """公开暗访结果: the embargo of the inspection and its hazards is lifted."""
    if not any(role_allows(t, request.user) for t in Inspection.LOOP.transitions if t.action == "publish"):
        raise PermissionDenied("您的角色无权公开暗访结果")
    with http_errors():
        inspection = queries.get_inspection(request.user, pk)
    try:
        with http_errors():
            services.publish_inspection(actor=request.user, inspection=inspection)
    except domain.InvalidTransition as exc:
        context = _inspection_context(request, inspection, alert=exc.message)
        return render(request, "hazards/inspection_detail.html", context, status=409)
    messages.success(request, "已公开暗访结果，已通知被检查企业和所在县（市、区）")
    return redirect("inspections:detail", pk=inspection.pk)


# -- listed supervision board ------------------------------------------------------------------


@login_required
def listing_board(request):
    today = timezone.localdate()
    state = request.GET.get("state", ListingState.LISTED)
    level = request.GET.get("level", "")
    errors = []
    if state not in (*ListingState.values, "all"):
        errors.append(f"“{state}”不是可选状态，可选：挂牌督办中(listed)、已摘牌(delisted)、全部(all)")
    if level not in ("", RegionLevel.PROVINCE, RegionLevel.CITY):
        errors.append(f"“{level}”不是可选督办级别，可选：省级(province)、市级(city)")
    board = {(lv, st): 0 for lv in (RegionLevel.PROVINCE, RegionLevel.CITY) for st in ListingState.values}
    for row in (
        queries.listings(request.user, state=None).order_by()
        .values("office_region__level", "state").annotate(n=Count("id"))
    ):
        board[(row["office_region__level"], row["state"])] = row["n"]
    page, rows = None, []
    if not errors:
        try:
            page = paginate(
                queries.listings(
                    request.user, state=None if state == "all" else state, level=level or None
                ).select_related("hazard__region__parent"),
                page=page_number(request.GET.get("page")),
            )
        except ValidationError as exc:
            errors = messages_of(exc)
        else:
            rows = [
                {
                    "listing": row,
                    "overdue": row.state == ListingState.LISTED and row.due_date < today,
                    "days_overdue": (today - row.due_date).days,
                }
                for row in page.items
            ]
    return render(
        request,
        "hazards/listings.html",
        {
            "state": state,
            "level": level,
            "errors": errors,
            "page": page,
            "rows": rows,
            "board": [
                {
                    "level": lv,
                    "label": "省级挂牌督办" if lv == RegionLevel.PROVINCE else "市级挂牌督办",
                    "cells": [(st, label, board[(lv, st)]) for st, label in ListingState.choices],
                }
                for lv in (RegionLevel.PROVINCE, RegionLevel.CITY)
            ],
            "states": ListingState.choices,
        },
        status=400 if errors else 200,
    )


# -- statistics --------------------------------------------------------------------------------

STAT_COLUMNS = (
    ("found", "发现隐患"),
    ("major", "重大隐患"),
    ("major_open", "重大隐患未销号"),
    ("closed", "已销号"),
    ("rectification_rate", "整改率"),
    ("overdue", "逾期未整改"),
    ("listed", "挂牌督办中"),
)
SORT_KEYS = ("region_code", *(key for key, _ in STAT_COLUMNS))


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


@login_required
def hazard_stats(request):
    user = request.user
    if not _is_government(user):
        raise PermissionDenied("隐患统计仅供监管部门查看")
    code = request.GET.get("region", "").strip() or user.region_id or "510000"
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None or not region_in_scope(user, code):
        raise Http404("行政区划不存在或不在您的管辖范围内")
    sort = request.GET.get("sort", "major_open")
    order = request.GET.get("order", "asc" if sort == "region_code" else "desc")
    if sort not in SORT_KEYS:
        sort = "major_open"
    if order not in ("asc", "desc"):
        order = "desc"
    totals = queries.stats(user, region=code)
    rows = queries.stats_by_subregion(user, region=code) if region.level != RegionLevel.COUNTY else []
    if sort == "region_code":
        rows.sort(key=lambda r: r["region_code"], reverse=order == "desc")
    else:
        # Ties keep the code order whichever way the column is sorted.
        sign = -1 if order == "desc" else 1
        rows.sort(key=lambda r: (sign * r[sort], r["region_code"]))
    for row in rows:
        row["rate_pct"] = _percent(row["rectification_rate"])
    worst = max((r["major_open"] for r in rows), default=0)
    up = region.parent if region.parent_id and region_in_scope(user, region.parent_id) else None
    return render(
        request,
        "hazards/stats.html",
        {
            "region": region,
            "up": up,
            "cards": [
                {
                    "key": key,
                    "label": label,
                    "value": _percent(totals[key]) if key == "rectification_rate" else totals[key],
                    "alarm": key in ("major_open", "overdue") and totals[key] > 0,
                }
                for key, label in STAT_COLUMNS
            ],
            "rows": rows,
            "worst": worst,
            "sort": sort,
            "order": order,
            "columns": STAT_COLUMNS,
            "child_label": "市（州）" if region.level == RegionLevel.PROVINCE else "县（市、区）",
            "queue": reverse("hazards:list"),
        },
    )

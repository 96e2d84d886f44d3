"""Enterprise pages: the list (htmx filters), the detail with its status timeline, the forms.

Thin views: reads through `queries`, writes through `services`, validation by `rules`; domain
errors become Django's 404 / 403. Imports from core and this app; the detail page's enforcement
and power-alert cards read `benan.enforcement.queries` and `benan.power.queries` inside a function
(both import this app).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from benan.core import audit
from benan.core import errors as domain
from benan.core.models import GOVERNMENT_ROLES
from benan.core.pages import is_partial, messages_of, page_number
from benan.core.pagination import paginate
from benan.core.scope import region_in_scope

from . import queries, rules, services
from .forms import REGISTRY_FIELDS, EnterpriseForm, StatusForm, grouped_regions, scope_regions
from .models import Scale, Sector, Status

HISTORY_LIMIT = 50
ENTERPRISE_CASES = 10
ACTION_LABELS = {
    "enterprises.enterprise.created": "登记企业",
    "enterprises.enterprise.imported": "批量导入",
    "enterprises.enterprise.updated": "修改信息",
    "enterprises.enterprise.status_changed": "变更状态",
    "enterprises.enterprise.status_corrected": "更正状态",
    "demo.enterprise.created": "生成演示数据",
}


def _enterprise_or_404(user, pk: int):
    try:
        return queries.get_enterprise(user, pk)
    except domain.NotFound as exc:
        raise Http404(exc.message) from exc


def _require_writer(user) -> None:
    if not services.can_write(user):
        raise PermissionDenied("您的角色无权登记或修改企业信息")


# -- list --------------------------------------------------------------------------------------


@login_required
def enterprise_list(request):
    params = {key: request.GET.get(key, "").strip() for key in ("q", "region", "sector", "status")}
    context = {
        "params": params,
        "filtered": any(params.values()),
        "rows": [],
        "page": None,
        "errors": [],
    }
    status_code = 200
    try:
        queryset = queries.enterprises(
            request.user,
            queries.EnterpriseFilter(
                q=params["q"] or None, region=params["region"] or None,
                sector=params["sector"] or None, status=params["status"] or None,
            ),
        ).select_related("region__parent")  # full_name reads the county and its city
        page = paginate(queryset, page=page_number(request.GET.get("page")))
        if not page.items and page.number > page.pages:
            # A page past the end (e.g. after a filter shrank the list): show the last one.
            page = paginate(queryset, page=page.pages)
        statuses = queries.statuses_on([e.pk for e in page.items])
        context["page"] = page
        context["rows"] = [
            (e, Status(statuses[e.pk]) if e.pk in statuses else None) for e in page.items
        ]
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status_code = 400

    if is_partial(request):
        response = render(request, "enterprises/partials/table.html", context, status=status_code)
    else:
        context.update(
            region_groups=grouped_regions(scope_regions(request.user), counties_only=False),
            sectors=Sector.choices,
            statuses=Status.choices,
            can_write=services.can_write(request.user),
        )
        response = render(request, "enterprises/list.html", context, status=status_code)
    # One URL, two bodies: caches (and the browser's back button) must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# -- detail and status changes -----------------------------------------------------------------


def _describe(entry) -> str:
    """A one-line Chinese summary of an audit entry's data."""
    data = entry.data or {}
    labels = {**dict(Sector.choices), **dict(Scale.choices), **dict(Status.choices)}
    if entry.action == "enterprises.enterprise.updated":
        parts = []
        for field, (old, new) in (data.get("changes") or {}).items():
            label = rules.FIELD_LABELS.get(field, field)
            parts.append(f"{label}：{labels.get(old, old) or '空'} → {labels.get(new, new) or '空'}")
        return "；".join(parts)
    if entry.action in ("enterprises.enterprise.status_changed", "enterprises.enterprise.status_corrected"):
        status = data.get("status")
        if isinstance(status, list):  # a correction records [before, after]
            status = status[-1]
        text = f"状态：{labels.get(status, status)}，自 {data.get('start_date', '')}"
        return text + (f"；原因：{data['reason']}" if data.get("reason") else "")
    if entry.action in (
        "enterprises.enterprise.created", "enterprises.enterprise.imported", "demo.enterprise.created"
    ):
        status = data.get("status")
        text = f"初始状态：{labels.get(status, status)}" if status else ""
        if data.get("status_since"):
            text += f"，自 {data['status_since']}"
        return text
    return ""


def _enforcement_context(user, enterprise) -> dict:
    """The enterprise's latest cases and its suspension order in force, read through the
    enforcement queries (imported here: enforcement imports this app)."""
    from benan.enforcement import queries as enforcement_queries

    cases = enforcement_queries.cases(user, enforcement_queries.CaseFilter(enterprise=enterprise.pk))
    return {
        "cases": list(cases.select_related("enterprise")[:ENTERPRISE_CASES]),
        "case_count": cases.count(),
        "suspension": enforcement_queries.suspensions(
            user, enterprise=enterprise.pk, state="in_force"
        ).first(),
    }


def _power_context(user, enterprise) -> dict:
    """The enterprise's power alerts, for the authorities only (a check is unannounced); read
    through the power queries (imported here: power imports this app)."""
    if not (user.is_admin or user.role in GOVERNMENT_ROLES):
        return {"power_alerts": None}
    from benan.power import queries as power_queries

    alerts = power_queries.alerts(user).filter(enterprise=enterprise)
    return {"power_alerts": list(alerts[:ENTERPRISE_CASES]), "power_alert_count": alerts.count()}


def _detail_context(request, enterprise, status_form=None) -> dict:
    current = queries.statuses_on([enterprise.pk]).get(enterprise.pk)
    entries = audit.history(enterprise).order_by("-seq")[:HISTORY_LIMIT]
    can_write = services.can_write(request.user)
    return {
        **_enforcement_context(request.user, enterprise),
        **_power_context(request.user, enterprise),
        "enterprise": enterprise,
        "status": Status(current) if current else None,
        "timeline": [(p, Status(p.status)) for p in queries.timeline(enterprise)],
        "history": [
            {"entry": e, "label": ACTION_LABELS.get(e.action, e.action), "summary": _describe(e)}
            for e in entries
        ],
        "history_limit": HISTORY_LIMIT,
        "can_write": can_write,
        "status_form": (status_form or StatusForm()) if can_write else None,
    }


@login_required
def enterprise_detail(request, pk: int):
    enterprise = _enterprise_or_404(request.user, pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@login_required
@require_POST
def change_status(request, pk: int):
    _require_writer(request.user)
    enterprise = _enterprise_or_404(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            period = services.change_status(
                actor=request.user, enterprise=enterprise, status=form.cleaned_data["status"],
                start_date=form.cleaned_data["start_date"], reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except domain.NotFound as exc:
            raise Http404(exc.message) from exc
        except domain.PermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(
                request,
                f"状态已变更为“{period.get_status_display()}”，自 {period.start_date:%Y-%m-%d} 起",
            )
            return redirect("enterprises:detail", pk=enterprise.pk)
    form.mark_fields()
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise, form))


# -- create and edit ---------------------------------------------------------------------------


def _validate_url(instance=None) -> str:
    url = reverse("enterprises:validate")
    return f"{url}?enterprise={instance.pk}" if instance is not None else url


def _render_form(request, form, enterprise=None):
    form.mark_fields()
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


def _save(request, form, save):
    """Run `save()` (a service call); on bad input put the errors on the form and return None."""
    if not form.is_valid():
        # The date did not parse: still report every registry field's problem in one go.
        try:
            rules.clean_enterprise(form.registry_data(), instance=form.instance, check_unique=True)
        except ValidationError as exc:
            form.add_service_errors(exc)
        return None
    try:
        return save()
    except ValidationError as exc:
        form.add_service_errors(exc)
    except domain.NotFound as exc:
        raise Http404(exc.message) from exc
    except domain.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    return None


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    _require_writer(request.user)
    if request.method == "POST":
        form = EnterpriseForm(request.POST, user=request.user, validate_url=_validate_url())
        enterprise = _save(request, form, lambda: services.create_enterprise(
            actor=request.user, data=form.registry_data(),
            status=form.cleaned_data["status"], status_since=form.cleaned_data["status_since"],
        ))
        if enterprise is not None:
            messages.success(request, f"已登记企业“{enterprise.name}”")
            return redirect("enterprises:detail", pk=enterprise.pk)
    else:
        form = EnterpriseForm(user=request.user, validate_url=_validate_url())
    return _render_form(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk: int):
    _require_writer(request.user)
    enterprise = _enterprise_or_404(request.user, pk)
    if request.method == "POST":
        form = EnterpriseForm(
            request.POST, user=request.user, instance=enterprise, validate_url=_validate_url(enterprise)
        )
        saved = _save(request, form, lambda: services.update_enterprise(
            actor=request.user, enterprise=enterprise, data=form.registry_data(),
        ))
        if saved is not None:
            messages.success(request, f"已保存“{saved.name}”的企业信息")
            return redirect("enterprises:detail", pk=enterprise.pk)
    else:
        form = EnterpriseForm(
            initial=EnterpriseForm.initial_for(enterprise), user=request.user, instance=enterprise,
            validate_url=_validate_url(enterprise),
        )
    return _render_form(request, form, enterprise)


@login_required
@require_POST
def validate_field(request):
    """Check one field of the enterprise form (htmx, on change) and return its wrapper."""
    _require_writer(request.user)
    field = request.GET.get("field", "")
    if field not in REGISTRY_FIELDS:
        return HttpResponseBadRequest("未知字段")
    instance = None
    if request.GET.get("enterprise"):
        try:
            instance = _enterprise_or_404(request.user, int(request.GET["enterprise"]))
        except ValueError:
            raise Http404("对象不存在") from None
    form = EnterpriseForm(
        request.POST, user=request.user, instance=instance, validate_url=_validate_url(instance)
    )
    form.full_clean()
    value = form.registry_data()[field]
    try:
        rules.clean_enterprise({field: value}, instance=instance, check_unique=True)
    except ValidationError as exc:
        # A new enterprise lacks the other required fields; only this field's verdict counts.
        for message in exc.message_dict.get(field, []):
            form.add_error(field, message)
    if field == "region_code" and field not in form.errors and not region_in_scope(request.user, value):
        # The same refusal the services give when saving (services._require_region).
        form.add_error(field, "该区县不在您的管辖范围内")
    if field not in form.errors and value not in ("", None):
        form.checked.add(field)
    form.mark_fields()
    return render(request, "enterprises/partials/field.html", {"form": form, "field": form[field]})

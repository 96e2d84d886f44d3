"""Helpers shared by the emergency pages: who may see them, list filters, paging, the region
choices of a user's scope, one object or 404, and the action panels with the one post view that
runs them (a service step for a form runs through core.pages.attempt).

Imports from core, enterprises and this app; nothing from the other view modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from benan.core.loop import role_allows
from benan.core.models import GOVERNMENT_ROLES, Region, RegionLevel
from benan.core.pages import attempt, http_errors, is_partial, list_page, messages_of
from benan.enterprises.forms import grouped_regions, scope_regions

from .. import catalogue, services
from ..models import MANAGERS

# Bootstrap colours of every state shown on these pages (the values do not clash across models).
BADGES = {
    "ready": "text-bg-success",
    "deployed": "text-bg-warning",
    "resting": "text-bg-secondary",
    "available": "text-bg-success",
    "reserved": "text-bg-info",
    "maintenance": "text-bg-warning",
    "retired": "text-bg-dark",
    "sent": "text-bg-primary",
    "acknowledged": "text-bg-info",
    "en_route": "text-bg-warning",
    "on_scene": "text-bg-danger",
    "returned": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "planned": "text-bg-primary",
    "held": "text-bg-success",
    "open": "text-bg-warning",
    "submitted": "text-bg-info",
    "closed": "text-bg-success",
    "lent": "text-bg-warning",
}
HISTORY_LIMIT = 100


def is_government(user) -> bool:
    return user.is_admin or user.role in GOVERNMENT_ROLES


def require_government(user) -> None:
    """Emergency resources are the authorities' (services say so for the API as well)."""
    if not is_government(user):
        raise PermissionDenied("应急资源和调度仅供政府部门使用")


def can_manage(user) -> bool:
    return services.can_manage(user)


def require_manager(user) -> None:
    if not can_manage(user):
        raise PermissionDenied("只有应急指挥人员和安委办可以管理应急资源")


def get_or_404(model, user, pk: int):
    """One object in the user's scope; outside it (and for enterprises, everything) 404."""
    with http_errors():
        return services.get(model, user, pk)


# -- list filters ------------------------------------------------------------------------------


def params_of(request, keys) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:100] for key in keys}


def region_param(raw: str) -> str | None:
    if raw and len(raw) != 6:
        raise ValidationError({"region": [f"行政区划代码“{raw}”不存在"]})
    return raw or None


def choice_param(raw: str, choices, field_name: str, label: str) -> str | None:
    if raw and raw not in choices.values:
        hint = "、".join(c.label for c in choices)
        raise ValidationError({field_name: [f"{label}“{raw}”不是可选值，可选：{hint}"]})
    return raw or None


def int_param(raw: str, field_name: str, label: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({field_name: [f"{label}“{raw}”不是整数"]}) from None


def bool_param(raw: str) -> bool | None:
    return {"1": True, "0": False}.get(raw)


def item_param(raw: str, kind: str) -> str | None:
    return catalogue.get(raw, kind).code if raw else None


def years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this + 1, this - 6, -1))


def region_groups(user, *, counties_only: bool = False):
    """The cities and counties of the user's scope for an <optgroup> select."""
    return grouped_regions(scope_regions(user), counties_only=counties_only)


def county_choices(user) -> list:
    """Counties of the user's scope as grouped Django choices (resources belong to a county)."""
    return [(city, list(options)) for city, options in region_groups(user, counties_only=True)]


def organiser_choices(user) -> list:
    """Regions that may organise a drill: the user's own (the province too) and below."""
    groups = [(city, list(options)) for city, options in region_groups(user)]
    region = user.region if user.region_id else None
    if user.is_admin or (region is not None and region.level == RegionLevel.PROVINCE):
        province = region or Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
        if province is not None:
            groups.insert(0, ("省级", [(province.code, f"{province.name}（全省）")]))
    return groups


def list_response(request, context: dict, page: str, partial: str, status: int, extra: Callable):
    """The full page, or with htmx only its results part; the two vary on HX-Request."""
    if is_partial(request):
        response = render(request, partial, context, status=status)
    else:
        context.update(extra())
        response = render(request, page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def filtered_list(request, keys, build, page: str, partial: str, extra: Callable):
    """A registry's list page: the filters `keys` from the query string, `build(params, context)`
    gives the queryset (a bad filter raises ValidationError: shown, status 400), one page of it."""
    require_government(request.user)
    params = params_of(request, keys)
    context = {
        "params": params,
        "filtered": any(params.values()),
        "page": None,
        "errors": [],
        "badges": BADGES,
    }
    status = 200
    try:
        context["page"] = list_page(request, build(params, context))
    except ValidationError as exc:
        context["errors"] = messages_of(exc)
        status = 400
    return list_response(request, context, page, partial, status, extra)


def edit_values(form, obj) -> dict:
    """The edit form's values for services.update_*: the county only when it changes (so that an
    unchanged county is not checked against the editor's scope again)."""
    data = form.values()
    if data.get("region_code") == obj.region_id:
        data.pop("region_code")
    return data


# -- action panels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One form on an object page: what it is called, its form, and the service call it runs.

    `run(request, obj, form)` returns the message shown after the redirect. `loop` names the loop
    actions the form takes (offered when the loop offers one of them); a registry write has none
    and is offered to `roles`.
    """

    label: str
    form: type
    run: Callable
    loop: tuple[str, ...] = ()
    roles: frozenset = field(default=MANAGERS)
    button: str = "btn-primary"
    hint: str = ""
    # (request, obj) -> extra keyword arguments of the form (choices, the order's lines...).
    form_kwargs: Callable | None = None


def role_may(spec: Action, model, user) -> bool:
    """Whether the user's role may take the action at all (in some state)."""
    if spec.loop:
        return any(role_allows(t, user) for t in model.LOOP.transitions if t.action in spec.loop)
    return user.is_admin or user.role in spec.roles


def make_form(spec: Action, request, obj, dom: str, data=None):
    kwargs = {"auto_id": f"{dom}-%s"}
    if spec.form_kwargs is not None:
        kwargs.update(spec.form_kwargs(request, obj))
    return spec.form(data, **kwargs)


def panel(spec: Action, key: str, request, obj, url: str, bound: dict) -> dict:
    dom = key.replace(":", "-").replace("_", "-")
    return {
        "key": key,
        "dom": dom,
        "label": spec.label,
        "button": spec.button,
        "hint": spec.hint,
        "url": url,
        "form": bound.get(key) or make_form(spec, request, obj, dom),
    }


def offered(actions: dict[str, Action], obj, user) -> list[str]:
    """The keys of the loop actions the loop offers the user now (the guards still decide)."""
    available = {t.action for t in type(obj).LOOP.available(obj, user)}
    return [key for key, spec in actions.items() if spec.loop and available & set(spec.loop)]


def act(request, obj, key: str, actions: dict[str, Action], *, page: Callable, back: str, bound_key: str):
    """Run the action `key` on `obj` (already found in the scope, else 404): a refused role is a
    403 with the reason on the page and nothing changed; done, a redirect to `back` (302); bad
    input (422) or a move the state does not allow (409) re-renders the page with the form.

    `page(request, obj, bound=..., notice=..., failed=..., status=...)` renders the object page.
    """
    spec = actions.get(key)
    if spec is None:
        raise Http404("没有这个操作")
    user = request.user
    if not role_may(spec, type(obj), user):
        return page(request, obj, notice=f"您的角色无权执行“{spec.label}”", failed=bound_key, status=403)
    dom = bound_key.replace(":", "-").replace("_", "-")
    form = make_form(spec, request, obj, dom, data=request.POST)
    done: list[str] = []
    status, notice = attempt(form, lambda: done.append(spec.run(request, obj, form)), refusals_on_page=True)
    if not status:
        messages.success(request, done[0])
        return redirect(back)
    form.mark_fields()
    return page(request, obj, bound={bound_key: form}, notice=notice, failed=bound_key, status=status)

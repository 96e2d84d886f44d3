"""The decision page: the penalty lines (a formset, one line added per "add line"), the 一案双罚 preview
and the decision itself; the service's line errors go back onto the lines they name.

Imports from core, this app and `views.common`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from benan.core import errors as domain
from benan.core.pages import http_errors

from .. import forms, queries, rules, services
from ..models import OFFICERS, Party, PenaltyKind
from .common import _case_or_404, _may

INITIAL_LINES = [
    {"party": Party.UNIT, "kind": PenaltyKind.FINE},
    {"party": Party.PERSON, "kind": PenaltyKind.FINE},
]


def _kept_lines(formset) -> list:
    """The lines to decide: those filled in and not marked for removal, in page order."""
    kept = []
    for form in formset.forms:
        if not form.has_changed() or not hasattr(form, "cleaned_data"):
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        kept.append(form)
    return kept


def _is_dual(lines: list[dict]) -> bool:
    fined = {line.get("party") for line in lines if line.get("kind") == PenaltyKind.FINE}
    return {Party.UNIT, Party.PERSON} <= fined


def _put_line_errors(exc: ValidationError, kept: list, formset, decision_form) -> None:
    """Put `penalties[2].amount`-style errors on the second kept line's amount field."""
    general = []
    for key, errors in exc.message_dict.items():
        if key.startswith("penalties[") and "]." in key:
            number, field = key[len("penalties[") :].split("].", 1)
            line = kept[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(kept) else None
            if line is not None:
                for message in errors:
                    line.add_error(field if field in line.fields else None, message)
                continue
        if key in decision_form.fields:
            for message in errors:
                decision_form.add_error(key, message)
        else:
            general.extend(errors)
    formset.line_errors = general


@login_required
@require_http_methods(["GET", "POST"])
def case_decide(request, pk: int):
    user = request.user
    if not _may(user, OFFICERS):
        raise PermissionDenied("您的角色无权作出处罚决定")
    case = _case_or_404(user, pk)
    alert, status = "", 200
    if request.method == "POST":
        data = request.POST.copy()
        adding = "add_line" in data
        checking = adding or "preview" in data  # re-render only: nothing is decided
        if adding:
            total = data.get("penalties-TOTAL_FORMS", "")
            if total.isdigit():  # anything else: the formset reports its broken management data
                data["penalties-TOTAL_FORMS"] = str(min(int(total) + 1, forms.MAX_LINES))
        formset = forms.PenaltyFormSet(data, prefix="penalties", initial=INITIAL_LINES)
        decision_form = forms.DecisionForm(data)
        formset.line_errors = []
        valid = formset.is_valid() and decision_form.is_valid()
        kept = _kept_lines(formset) if valid else []
        if checking:
            pass
        elif valid:
            lines = [
                services.PenaltyIn(
                    party=f.cleaned_data["party"],
                    kind=f.cleaned_data["kind"],
                    basis=f.cleaned_data["basis"],
                    amount=f.cleaned_data["amount"] or None,
                    person_name=f.cleaned_data["person_name"],
                    person_position=f.cleaned_data["person_position"],
                )
                for f in kept
            ]
            try:
                with http_errors():
                    services.decide(
                        actor=user,
                        case=case,
                        penalties=lines,
                        decision_number=decision_form.cleaned_data["decision_number"],
                    )
            except ValidationError as exc:
                _put_line_errors(exc, kept, formset, decision_form)
                status = 422
            except domain.InvalidTransition as exc:
                alert, status = exc.message, 409
            else:
                case.refresh_from_db()
                messages.success(
                    request,
                    f"已作出处罚决定 {case.decision_number}" + ("（一案双罚）" if case.dual_penalty else ""),
                )
                return redirect("enforcement:detail", pk=case.pk)
        else:
            status = 422
        preview = [
            {"party": f.cleaned_data.get("party"), "kind": f.cleaned_data.get("kind")}
            for f in (kept if valid else [])
        ]
    else:
        formset = forms.PenaltyFormSet(prefix="penalties", initial=INITIAL_LINES)
        formset.line_errors = []
        decision_form = forms.DecisionForm()
        preview = []
        if "decide" not in queries.case_actions(case, user):
            alert, status = (
                f"案件当前“{case.get_state_display()}”，不能作出处罚决定；告知当事人后才能作出决定。",
                409,
            )
    for form in formset.forms:
        form.mark_fields()
    decision_form.mark_fields()
    bases = list(rules.current().legal_bases.values())
    return render(
        request,
        "enforcement/decide.html",
        {
            "case": case,
            "formset": formset,
            "decision_form": decision_form,
            "dual": _is_dual(preview),
            "previewed": bool(preview),
            "alert": alert,
            "can_decide": "decide" in queries.case_actions(case, user),
            "bases": bases,
            "has_errors": status == 422,
            "max_lines": forms.MAX_LINES,
        },
        status=status,
    )

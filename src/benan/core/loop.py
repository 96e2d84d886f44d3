"""The closed loop: declared transition tables and the one function that moves an object.

A model declares `LOOP = Workflow(state_field=..., transitions=[Transition(...), ...])` and a
`SCOPE`. `transition(obj, action, actor, **data)` is the only way to change its state: it
checks the table, the actor's role and data scope, runs the guard, locks the row, saves,
and appends the audit entry, all in one transaction. Deadlines are stored on the model and
"overdue" is derived (`is_overdue`); sweeps call `transition` like any other actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction

from . import audit
from .errors import InvalidTransition, NotFound, PermissionDenied
from .scope import scope

Guard = Callable[[models.Model, Any, dict], None]
Effect = Callable[[models.Model, Any, dict], Iterable[str] | None]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: str = ""
    # Raises a DomainError or ValidationError to refuse; runs on the locked row.
    guard: Guard | None = None
    # Changes other fields of the locked row; returns the names of the fields it changed.
    effect: Effect | None = None
    # Whether the system itself (actor None: sweeps, detectors) may take this action.
    by_system: bool = False


@dataclass
class Workflow:
    transitions: list[Transition]
    state_field: str = "state"
    _index: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for t in self.transitions:
            for source in t.sources:
                key = (str(source), t.action)
                if key in self._index:
                    raise ValueError(f"duplicate transition {key}")
                self._index[key] = t

    @property
    def actions(self) -> set[str]:
        return {t.action for t in self.transitions}

    def find(self, state: str, action: str) -> Transition | None:
        return self._index.get((str(state), action))

    def label_of(self, action: str) -> str:
        return next((t.label for t in self.transitions if t.action == action and t.label), action)

    def available(self, obj: models.Model, actor) -> list[Transition]:
        """The actions `actor` may try on `obj` now (guards are checked only when taken)."""
        state = str(getattr(obj, self.state_field))
        return [
            t for t in self.transitions
            if state in map(str, t.sources) and actor is not None and role_allows(t, actor)
        ]


def workflow_for(model: type[models.Model]) -> Workflow:
    workflow = getattr(model, "LOOP", None)
    if not isinstance(workflow, Workflow):
        raise TypeError(f"{model.__name__} declares no LOOP workflow")
    return workflow


def role_allows(t: Transition, actor) -> bool:
    return actor.role in t.roles or (actor.is_admin and "admin" in t.roles)


def _state_label(model: type[models.Model], workflow: Workflow, state: str) -> str:
    field_ = model._meta.get_field(workflow.state_field)
    return dict(field_.flatchoices).get(state, state)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "read"):  # uploaded files are recorded by name only
        return getattr(value, "name", "file")
    return value


def transition(obj: models.Model, action: str, actor, **data: Any) -> models.Model:
    """Move `obj` by `action`; returns the saved row and refreshes `obj` in place."""
    model = type(obj)
    workflow = workflow_for(model)
    if action not in workflow.actions:
        raise InvalidTransition(f"未知操作“{action}”")
    with transaction.atomic():
        queryset = model._default_manager.all()
        if actor is not None:
            queryset = scope(queryset, actor)
        # of=self: lock only this row, not the rows the scope filter joins through.
        locked = queryset.select_for_update(of=("self",)).filter(pk=obj.pk).first()
        if locked is None:
            raise NotFound()
        state = str(getattr(locked, workflow.state_field))
        t = workflow.find(state, action)
        if t is None:
            raise InvalidTransition(
                f"当前状态为“{_state_label(model, workflow, state)}”，"
                f"不能执行“{workflow.label_of(action)}”"
            )
        if actor is None:
            if not t.by_system:
                raise PermissionDenied(f"“{t.label or action}”必须由用户执行")
        elif not role_allows(t, actor):
            raise PermissionDenied(f"您的角色无权执行“{t.label or action}”")
        if t.guard is not None:
            t.guard(locked, actor, data)
        changed = set(t.effect(locked, actor, data) or ()) if t.effect is not None else set()
        setattr(locked, workflow.state_field, t.target)
        update_fields = {workflow.state_field, *changed}
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.add("updated_at")
        locked.save(update_fields=sorted(update_fields))
        audit.record(
            actor,
            f"{model._meta.label_lower}.{action}",
            locked,
            from_state=state,
            to_state=str(t.target),
            **_jsonable(data),
        )
    obj.refresh_from_db()
    return locked


def is_overdue(due_date: date | None, *, open_: bool, today: date) -> bool:
    """Derived, never stored: an open item whose deadline has passed."""
    return open_ and due_date is not None and today > due_date

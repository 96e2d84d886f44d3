"""Reads of enforcement, always through the data scope: case lists and their filters, the
statistics, suspension orders, referrals, the blacklist (scoped, and the public list), the
attachments a user may read through cases.

Statistics count by year (or any period) like the lists filter by it: cases, dual penalties and
fines by the day the case was opened (立案日期), suspensions by their start date, referrals by their
report date, blacklist entries by their entry date. So `stats` always equals the matching list's
count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from benan.core import audit, clock
from benan.core.errors import choices_hint
from benan.core.models import Region
from benan.core.period import Period
from benan.core.scope import check_region_year, in_region, scope

from .models import (
    ACTIVE_BLACKLIST_STATES,
    BlacklistEntry,
    CaseState,
    CriminalReferral,
    EnforcementCase,
    Origin,
    ReferralState,
    SuspensionOrder,
    SuspensionState,
)


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    region: str | None = None
    enterprise: int | None = None
    origin: str | None = None
    year: int | None = None
    period: Period | None = None
    dual_penalty: bool | None = None
    overdue: bool | None = None
    q: str | None = None

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.state and self.state not in CaseState.values:
            errors["state"] = [f"“{self.state}”不是可选状态，可选：{choices_hint(CaseState)}"]
        if self.origin and self.origin not in Origin.values:
            errors["origin"] = [f"“{self.origin}”不是可选来源，可选：{choices_hint(Origin)}"]
        check_region_year(self.region, self.year, errors)
        if errors:
            raise ValidationError(errors)


def dated(queryset: QuerySet, field: str, year: int | None, period: Period | None) -> QuerySet:
    """Rows whose date `field` falls in `year` and in `period` (either may be None)."""
    if year:
        queryset = queryset.filter(**{f"{field}__year": year})
    if period:
        queryset = queryset.filter(**period.dates(field))
    return queryset


def case_overdue_q(today: date) -> Q:
    """Derived: not yet decided after the case's deadline (办案期限)."""
    return Q(
        state__in=[CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED], decision_due__lt=today
    )


def cases(user, filters: CaseFilter | None = None, *, today: date | None = None) -> QuerySet:
    filters = filters or CaseFilter()
    filters.validate()
    queryset = in_region(scope(EnforcementCase.objects.all(), user), filters.region)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.enterprise:
        queryset = queryset.filter(enterprise_id=filters.enterprise)
    if filters.origin:
        queryset = queryset.filter(origin=filters.origin)
    queryset = dated(queryset, "opened_on", filters.year, filters.period)
    if filters.dual_penalty is not None:
        queryset = queryset.filter(dual_penalty=filters.dual_penalty)
    if filters.overdue is not None:
        condition = case_overdue_q(today or clock.today())
        queryset = queryset.filter(condition if filters.overdue else ~condition)
    if filters.q:
        text = filters.q.strip()
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(cause__icontains=text) | Q(enterprise__name__icontains=text)
        )
    return queryset


def case_detail(user, pk: int) -> EnforcementCase:
    from benan.core.scope import get_in_scope

    return get_in_scope(
        EnforcementCase.objects.select_related(
            "enterprise", "region", "inspection", "created_by", "decided_by"
        ),
        user,
        pk=pk,
    )


def suspensions(
    user,
    *,
    region: str | None = None,
    year: int | None = None,
    period: Period | None = None,
    state: str | None = None,
    enterprise: int | None = None,
) -> QuerySet:
    errors: dict[str, list[str]] = {}
    check_region_year(region, year, errors)
    if state and state not in SuspensionState.values:
        errors["state"] = [f"“{state}”不是可选状态，可选：{choices_hint(SuspensionState)}"]
    if errors:
        raise ValidationError(errors)
    queryset = in_region(scope(SuspensionOrder.objects.all(), user), region)
    queryset = dated(queryset, "start_date", year, period)
    if state:
        queryset = queryset.filter(state=state)
    if enterprise:
        queryset = queryset.filter(enterprise_id=enterprise)
    return queryset.select_related("enterprise", "case")


def referrals(
    user, *, region: str | None = None, year: int | None = None, period: Period | None = None,
    state: str | None = None,
) -> QuerySet:
    errors: dict[str, list[str]] = {}
    check_region_year(region, year, errors)
    if state and state not in ReferralState.values:
        errors["state"] = [f"“{state}”不是可选状态，可选：{choices_hint(ReferralState)}"]
    if errors:
        raise ValidationError(errors)
    queryset = in_region(scope(CriminalReferral.objects.all(), user), region)
    queryset = dated(queryset, "reported_on", year, period)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("case", "case__enterprise")


def blacklist_entries(
    user,
    *,
    region: str | None = None,
    year: int | None = None,
    period: Period | None = None,
    active: bool | None = None,
    today: date | None = None,
) -> QuerySet:
    errors: dict[str, list[str]] = {}
    check_region_year(region, year, errors)
    if errors:
        raise ValidationError(errors)
    queryset = in_region(scope(BlacklistEntry.objects.all(), user), region)
    queryset = dated(queryset, "entry_date", year, period)
    if active is not None:
        condition = active_blacklist_q(today or clock.today())
        queryset = queryset.filter(condition if active else ~condition)
    return queryset.select_related("enterprise", "case")


def active_blacklist_q(today: date) -> Q:
    """On the list today: not removed, entered, and the term not yet over (even before the sweep)."""
    return Q(state__in=ACTIVE_BLACKLIST_STATES, entry_date__lte=today, planned_exit_date__gt=today)


def public_blacklist(*, q: str | None = None, today: date | None = None) -> QuerySet:
    """The published list (公示): everyone may read it, no login, no scope; only what is public."""
    queryset = BlacklistEntry.objects.filter(active_blacklist_q(today or clock.today()))
    if q:
        text = q.strip()
        queryset = queryset.filter(Q(enterprise__name__icontains=text) | Q(enterprise__uscc__icontains=text))
    return queryset.select_related("enterprise").order_by("-entry_date", "-id")


def stats(
    user, *, region: str | None = None, year: int | None = None, period: Period | None = None
) -> dict:
    """{cases, dual_penalty, suspensions, referrals, fines_total_cny, blacklisted} in the scope."""
    case_rows = cases(user, CaseFilter(region=region, year=year, period=period)).aggregate(
        cases=Count("pk"),
        dual_penalty=Count("pk", filter=Q(dual_penalty=True)),
        fines=Sum("fines_total"),
    )
    return {
        "cases": case_rows["cases"],
        "dual_penalty": case_rows["dual_penalty"],
        "suspensions": suspensions(user, region=region, year=year, period=period).count(),
        "referrals": referrals(user, region=region, year=year, period=period).count(),
        # Quantized: SQLite sums decimals to a bare number, PostgreSQL keeps the scale.
        "fines_total_cny": Decimal(case_rows["fines"] or 0).quantize(Decimal("0.01")),
        "blacklisted": blacklist_entries(user, region=region, year=year, period=period).count(),
    }


def history(case: EnforcementCase, user=None) -> QuerySet:
    """The case's audit entries and those of its orders, referrals and blacklist entries, in order;
    for `user`, only the referrals they may see (an enterprise sees none)."""
    referrals_ = case.referrals.all() if user is None else scope(case.referrals.all(), user)
    entries = audit.history(case)
    for related in (case.suspensions.all(), referrals_, case.blacklist_entries.all()):
        for obj in related:
            entries = entries | audit.history(obj)
    return entries.order_by("seq")


def officer_candidates(region_code: str) -> list:
    """Active inspectors and safety offices whose region contains the county `region_code` (the
    county's, its city's, the province's): who may be put on a case there."""
    from benan.core.models import Role, User

    codes, region = [], Region.objects.select_related("parent__parent").filter(code=region_code).first()
    while region is not None:
        codes.append(region.code)
        region = region.parent
    return list(
        User.objects.filter(
            is_active=True, role__in=[Role.INSPECTOR, Role.SAFETY_OFFICE], region_id__in=codes
        )
        .select_related("region__parent")
        .order_by("-region_id", "role", "username")
    )


def referrals_of(case: EnforcementCase, user) -> QuerySet:
    return scope(case.referrals.all(), user).select_related("case", "case__enterprise")


def attachments_visible_to(user) -> Q:
    """Attachments `user` may read through cases in their scope (evidence)."""
    return Q(Exists(scope(EnforcementCase.objects.filter(evidence=OuterRef("pk")), user)))


# -- derived flags -----------------------------------------------------------------------------


def case_overdue(case: EnforcementCase, today: date | None = None) -> bool:
    today = today or clock.today()
    return (
        case.state in (CaseState.OPENED, CaseState.INVESTIGATING, CaseState.NOTIFIED)
        and today > case.decision_due
    )


def referral_decision_overdue(referral: CriminalReferral, today: date | None = None) -> bool:
    today = today or clock.today()
    if referral.state == ReferralState.REPORTED:
        return today > referral.decision_due
    return referral.decided_on is not None and referral.decided_on > referral.decision_due


def referral_transfer_overdue(referral: CriminalReferral, now=None) -> bool:
    if referral.transfer_due is None:
        return False
    moment = referral.transferred_at or now or clock.now()
    return moment > referral.transfer_due


def blacklist_active(entry: BlacklistEntry, today: date | None = None) -> bool:
    return entry.is_active_on(today or clock.today())


def decision_waits_until(case: EnforcementCase) -> date:
    """The last day of the party's statement (and hearing request) period after 告知."""
    return max([case.statement_due] + ([case.hearing_due] if case.hearing_right else []))


def case_actions(case: EnforcementCase, user) -> list[str]:
    """What `user` may try on `case` now: the loop's moves and the side actions of the state."""
    from .models import (
        EDITABLE_STATES,
        HEADS,
        OFFICERS,
        PENALISED_STATES,
        REFERRABLE_STATES,
        SUSPENDABLE_STATES,
    )

    actions = [t.action for t in EnforcementCase.LOOP.available(case, user)]
    # Cheap guards checked ahead, so nobody is offered a form that is bound to be refused.
    if "hearing" in actions and not (case.hearing_requested and case.hearing_held_on is None):
        actions.remove("hearing")
    if "decide" in actions and (
        (user.role == "inspector" and not case.officers.filter(pk=user.pk).exists())
        or (case.statement_on is None and clock.today() <= decision_waits_until(case))
    ):
        actions.remove("decide")
    if user is None or not (user.role in OFFICERS or user.is_admin):
        return actions
    if case.state in EDITABLE_STATES:
        actions += ["officers", "evidence"]
    if case.state in SUSPENDABLE_STATES:
        actions.append("suspend")
    if case.state in REFERRABLE_STATES:
        actions.append("refer")
    if case.state in PENALISED_STATES and (user.role in HEADS or user.is_admin):
        actions.append("blacklist")
    return actions

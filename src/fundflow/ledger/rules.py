"""Object permissions of the ledger pages and API (django-rules). Reads are scoped by ``selectors``; these answer
per object whether the user may act.

Two tiers per action: a *gate* (role and region: who may ever do this to the object — failing it is 403 on a
visible object) and the full permission (gate and state: whether the button is shown now). A user who passes
the gate but not the state (a plan not approved yet, an indicator already received) reaches the service, whose
refusal names the rule (400) — so the refusal says why, instead of a bare 403.
"""

from __future__ import annotations

import rules

from fundflow.accounts.scope import profile_of
from fundflow.ledger import selectors
from fundflow.platform.predicates import is_finance


def _own_region_id(user: object) -> int | None:
    profile = profile_of(user)  # type: ignore[arg-type]
    return None if profile is None else profile.region_id  # type: ignore[no-any-return]


@rules.predicate
def plan_of_own_region(user: object, plan: object) -> bool:
    """Only the region that made the plan issues it (not the region above, which sees it too)."""
    return plan is not None and plan.region_id == _own_region_id(user)  # type: ignore[attr-defined]


@rules.predicate
def plan_approved(user: object, plan: object) -> bool:
    return plan is not None and plan.status == "approved" and bool(plan.result_json)  # type: ignore[attr-defined]


@rules.predicate
def plan_not_issued(user: object, plan: object) -> bool:
    return plan is not None and not plan.ledger_documents.exists()  # type: ignore[attr-defined]


@rules.predicate
def sent_to_own_region(user: object, indicator: object) -> bool:
    """An indicator issued to the user's region itself (not to a region below it, nor to a budget unit)."""
    return indicator is not None and indicator.rec_region_id == _own_region_id(user)  # type: ignore[attr-defined]


@rules.predicate
def held_by_own_region(user: object, indicator: object) -> bool:
    """Held in the region's own books as a region (an indicator to one of its budget units is the unit's)."""
    return (
        indicator is not None
        and indicator.rec_unit_id is None  # type: ignore[attr-defined]
        and indicator.holder_region_id == _own_region_id(user)  # type: ignore[attr-defined]
    )


@rules.predicate
def indicator_pending(user: object, indicator: object) -> bool:
    return indicator is not None and indicator.status == "pending"  # type: ignore[attr-defined]


@rules.predicate
def indicator_received_normal(user: object, indicator: object) -> bool:
    return (
        indicator is not None
        and indicator.status == "received"  # type: ignore[attr-defined]
        and indicator.kind == "normal"  # type: ignore[attr-defined]
    )


@rules.predicate
def indicator_has_available(user: object, indicator: object) -> bool:
    from fundflow.ledger.services import figures_of

    return indicator is not None and figures_of(indicator).available > 0  # type: ignore[arg-type]


@rules.predicate
def document_of_own_region(user: object, document: object) -> bool:
    return document is not None and document.issuer_id == _own_region_id(user)  # type: ignore[attr-defined]


@rules.predicate
def document_visible(user: object, document: object) -> bool:
    return document is not None and selectors.documents_visible_to(user).filter(pk=document.pk).exists()  # type: ignore[attr-defined]


@rules.predicate
def indicator_visible(user: object, indicator: object) -> bool:
    return indicator is not None and selectors.indicators_visible_to(user).filter(pk=indicator.pk).exists()  # type: ignore[attr-defined]


# Gates (403 on a visible object when they fail).
may_issue_plan = is_finance & plan_of_own_region
may_receive = is_finance & sent_to_own_region
may_reallocate = is_finance & held_by_own_region
may_amend = is_finance & document_of_own_region

rules.add_perm("ledger.view_document", document_visible)
rules.add_perm("ledger.view_indicator", indicator_visible)
rules.add_perm("ledger.issue_from_plan", may_issue_plan)
rules.add_perm("ledger.issue_plan", may_issue_plan & plan_approved & plan_not_issued)
rules.add_perm("ledger.receive_gate", may_receive)
rules.add_perm("ledger.receive_indicator", may_receive & indicator_pending)
rules.add_perm("ledger.reallocate_gate", may_reallocate)
rules.add_perm("ledger.reallocate_indicator", may_reallocate & indicator_received_normal & indicator_has_available)
rules.add_perm("ledger.amend_document", may_amend)

"""Every read of the ledger for a user goes through here, so scope is applied in exactly one place.

Region users (finance and auditors) see what their region and the regions below it issued or hold: documents
issued in the subtree, and — of a document issued from above — only the lines (indicators) held in the subtree.
A recipient unit sees the indicators held by its unit, their payments and the documents that carry them.
Missing and not-yours answer alike (404) through the ``access_*`` helpers, so ids leak nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fundflow.accounts.models import Profile, Role
from fundflow.accounts.scope import profile_of
from fundflow.ledger.models import Document, Indicator, Payment, Warning
from fundflow.platform.scope import access_object, in_region_subtree
from fundflow.regions.models import Region


def subtree_q(field: str, region: Region) -> Q:
    """``field`` (a Region foreign key path such as ``holder_region``) is ``region`` or lies below it."""
    return in_region_subtree(region, field)


def _profile(user: object) -> Profile | None:
    return profile_of(user)  # type: ignore[arg-type]


def regions_visible_to(user: object) -> QuerySet[Region]:
    """The user's region and everything below it (a unit user: its unit's region only)."""
    profile = _profile(user)
    if profile is None:
        return Region.objects.none()
    if profile.role == Role.UNIT:
        return Region.objects.filter(pk=profile.region_id)
    path = profile.region.path
    return Region.objects.filter(Q(path=path) | Q(path__startswith=path + "/"))


def indicators_visible_to(user: object) -> QuerySet[Indicator]:
    profile = _profile(user)
    if profile is None:
        return Indicator.objects.none()
    if profile.role == Role.UNIT:
        if profile.unit_id is None:
            return Indicator.objects.none()
        return Indicator.objects.filter(rec_unit_id=profile.unit_id)
    region = profile.region
    return Indicator.objects.filter(subtree_q("issuer", region) | subtree_q("holder_region", region))


def documents_visible_to(user: object) -> QuerySet[Document]:
    profile = _profile(user)
    if profile is None:
        return Document.objects.none()
    held = indicators_visible_to(user).values("document_id")
    if profile.role == Role.UNIT:
        return Document.objects.filter(pk__in=held)
    return Document.objects.filter(subtree_q("issuer", profile.region) | Q(pk__in=held))


def payments_visible_to(user: object) -> QuerySet[Payment]:
    profile = _profile(user)
    if profile is None:
        return Payment.objects.none()
    if profile.role == Role.UNIT:
        return Payment.objects.filter(indicator__in=indicators_visible_to(user).values("pk"))
    return Payment.objects.filter(subtree_q("payer_region", profile.region))


def warnings_visible_to(user: object) -> QuerySet[Warning]:
    profile = _profile(user)
    if profile is None:
        return Warning.objects.none()
    if profile.role == Role.UNIT:
        own = indicators_visible_to(user).values("pk")
        paid = payments_visible_to(user).values("pk")
        return Warning.objects.filter(
            Q(subject_kind=Warning.SubjectKind.INDICATOR, subject_id__in=own)
            | Q(subject_kind=Warning.SubjectKind.PAYMENT, subject_id__in=paid)
        )
    return Warning.objects.filter(subtree_q("region", profile.region))


def access_document(user: object, pk: object) -> Document:
    return access_object(documents_visible_to(user), pk, "未找到该预算指标文件")  # type: ignore[no-any-return]


def access_indicator(user: object, pk: object) -> Indicator:
    return access_object(indicators_visible_to(user), pk, "未找到该指标")  # type: ignore[no-any-return]


def access_warning(user: object, pk: object) -> Warning:
    return access_object(warnings_visible_to(user), pk, "未找到该预警")  # type: ignore[no-any-return]

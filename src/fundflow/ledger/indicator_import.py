"""Importing indicators from a file (指标导入): documents received from outside the system (财政部, an upper
level not yet on fundflow) and earlier years' ledgers.

The same rules as issuing (``fundflow.core.ledger``): marker, fund and project name inherited from the parent
indicator, children never above the parent's available balance, positive amounts, a direct fund alone in its
document. Every row is checked before anything is written; the file is written in one transaction. A row whose
指标编号 already exists with the same values is unchanged (importing a file twice is a reported no-op); with other
values it is refused (``ledger.duplicate-key``), never overwritten.

Imported indicators are booked as received (the file *is* the receipt; ``received_at`` is the import time).
A 上级指标编号 that is neither in the file nor in the ledger (a 财政部 indicator) is kept as given and the row
is a top indicator. 下达方 “中央” / “财政部” / 100000 stands for the central level, which has no region here: the
document is then filed under the receiving region with 发文机关 财政部.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from fundflow.accounts.models import FINANCE_ROLES, Profile
from fundflow.accounts.scope import profile_of
from fundflow.core.errors import PlanError, Problem
from fundflow.core.ledger import docno
from fundflow.core.ledger.balances import IndicatorFigures, check_issue, check_positive
from fundflow.core.ledger.chain import Identity, check_document_funds, check_inherited
from fundflow.core.ledger.rules import problem
from fundflow.io.indicators_file import IndicatorRow, read_indicators
from fundflow.ledger.models import DirectFundMarker, Document, ImportBatch, Indicator
from fundflow.ledger.services import _with_user, assign_doc_no, figures_of, identity_of
from fundflow.platform.errors import ServiceError
from fundflow.regions.matching import regions_named, units_named
from fundflow.regions.models import BudgetUnit, Region

COLUMNS_HELP = [
    ("指标编号", "BGT_ID", "必填，唯一"),
    ("上级指标编号", "ORI_BGT_ID", "顶层留空；系统外（如财政部）的编号照录"),
    ("文号", "COR_BGT_DOC_NO", "必填，如 塔地财社〔2021〕87号"),
    ("发文日期", "DOC_DATE", "必填"),
    ("下达方", "MOF_DIV_CODE", "区划代码或名称；中央文件填“中央”"),
    ("接收方", "REC_DIV_CODE", "区划代码或名称，或预算单位名称"),
    ("资金名称", "", "必填，与上级指标一致"),
    ("项目名称", "PRO_NAME", "与上级指标一致"),
    ("预算年度", "FISCAL_YEAR", "必填"),
    ("金额", "AMOUNT", "元，大于零"),
    ("直达资金标识", "", "如“01 中央直达资金”，非直达资金留空"),
    ("收入科目", "", ""),
    ("支出功能科目", "EXP_FUNC_CODE", "必有此列"),
    ("经济科目", "", "可选"),
    ("提前下达", "", "是/否，空为否"),
]
CENTRAL = {"100000", "中央", "财政部", "中华人民共和国财政部"}


@dataclasses.dataclass(frozen=True)
class ImportReport:
    filename: str
    rows: int
    created: int
    unchanged: int
    documents: int
    warnings: int = 0

    @property
    def noop(self) -> bool:
        return self.created == 0

    def describe(self) -> str:
        if self.noop:
            return f"{self.filename}：{self.rows} 行均已导入过，内容相同，未作改变"
        return (
            f"{self.filename}：导入指标 {self.created} 条、文件 {self.documents} 份，"
            f"已存在且相同 {self.unchanged} 条；新产生预警 {self.warnings} 条"
        )


@dataclasses.dataclass
class _Resolved:
    row: IndicatorRow
    doc_no: str
    issuer: Region
    office: str
    region: Region | None
    unit: BudgetUnit | None
    marker_code: str
    marker_name: str

    @property
    def holder(self) -> Region:
        return self.unit.region if self.unit is not None else self.region  # type: ignore[return-value,union-attr]

    @property
    def identity(self) -> Identity:
        return Identity(self.marker_code, self.marker_name, self.row.fund, self.row.project_name)

    def signature(self) -> tuple[Any, ...]:
        r = self.row
        return (
            self.doc_no,
            self.issuer.pk,
            self.region.pk if self.region else None,
            self.unit.pk if self.unit else None,
            r.fund,
            r.project_name,
            r.fiscal_year,
            r.amount,
            self.marker_code,
            self.marker_name,
            r.income_code,
            r.exp_func_code,
            r.eco_code,
            r.advance,
            r.ori_bgt_id,
        )


def _signature_of(ind: Indicator) -> tuple[Any, ...]:
    return (
        ind.cor_doc_no,
        ind.issuer_id,
        ind.rec_region_id,
        ind.rec_unit_id,
        ind.fund,
        ind.project_name,
        ind.fiscal_year,
        ind.amount,
        ind.marker_code,
        ind.marker_name,
        ind.income_code,
        ind.exp_func_code,
        ind.gov_eco_code,
        ind.advance,
        ind.ori_bgt_id,
    )


def import_indicators(
    *, user: Any, filename: str, content: bytes, max_rows: int | None = None, evaluate: bool = True
) -> ImportReport:
    """Validate the whole file, then write it in one transaction (or refuse with every problem).

    ``user`` None is the command line acting for the whole system; a user must be finance and may import only
    rows held in its region or below. After a write the warning rules are evaluated for the regions touched.
    """
    try:
        rows, problems = read_indicators(content, filename, max_rows)
    except PlanError as exc:
        raise ServiceError("导入文件无法读取，未导入任何数据", exc.problems) from None
    _refuse(problems)
    with transaction.atomic():
        report, touched = _import(user, filename, content, rows)
    if evaluate and report.created:
        from fundflow.ledger.warnings import evaluate_warnings

        report = dataclasses.replace(report, warnings=evaluate_warnings(regions=touched).created)
    return report


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ServiceError("导入文件有误，未导入任何数据", problems)


def _import(user: Any, filename: str, content: bytes, rows: list[IndicatorRow]) -> tuple[ImportReport, list[Region]]:
    problems: list[Problem] = []
    resolved = _resolve(rows, problems)
    scope = _scope_region(user)
    # Rows carved from an indicator already in the ledger: the chain check judges that parent's holder instead.
    carved = set(
        Indicator.objects.filter(bgt_id__in=[r.row.ori_bgt_id for r in resolved if r.row.ori_bgt_id]).values_list(
            "bgt_id", flat=True
        )
    )
    first: dict[str, int] = {}
    for r in resolved:
        if r.row.bgt_id in first:
            problems.append(
                problem(
                    "ledger.import-duplicate-id", r.row.at("bgt_id"), bgt_id=r.row.bgt_id, other=first[r.row.bgt_id]
                )
            )
        first.setdefault(r.row.bgt_id, r.row.number)
        if scope is not None and not r.holder.is_within(scope):
            problems.append(problem("ledger.import-out-of-scope", r.row.at("recipient"), name=r.row.recipient))
        if scope is not None and r.row.ori_bgt_id not in carved and _issues_in_system_above(r, scope):
            problems.append(problem("ledger.import-issuer-in-system", r.row.at("issuer"), issuer=r.row.issuer))
        problems += check_positive(r.row.amount, r.row.at("amount"))
        if r.issuer.pk == r.holder.pk and r.office == "财政部":
            continue
        below = r.unit.region.is_within(r.issuer) if r.unit else (r.region.is_within(r.issuer) and r.region != r.issuer)  # type: ignore[union-attr]
        if not below:
            problems.append(
                problem(
                    "ledger.import-not-below", r.row.at("recipient"), recipient=r.row.recipient, issuer=r.row.issuer
                )
            )
    _refuse(problems)

    existing = {i.bgt_id: i for i in Indicator.objects.filter(bgt_id__in=list(first))}
    new: list[_Resolved] = []
    unchanged = 0
    for r in resolved:
        found = existing.get(r.row.bgt_id)
        if found is None:
            new.append(r)
        elif _signature_of(found) == r.signature():
            unchanged += 1
        else:
            problems.append(problem("ledger.duplicate-key", r.row.at("bgt_id"), key=f"指标编号 {r.row.bgt_id}"))
    _refuse(problems)
    if not new:
        return ImportReport(filename, len(rows), 0, unchanged, 0), []

    order = _parents_first(new, problems)
    problems += _chain_problems(new, scope)
    documents = _document_problems(new, problems)
    _refuse(problems)

    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.INDICATORS,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(rows),
        created_by=user if getattr(user, "pk", None) else None,
        report={"created": len(new), "unchanged": unchanged},
    )
    docs = _write_documents(user, documents)
    made: dict[str, Indicator] = {}
    now = timezone.now()
    for r in order:
        parent = made.get(r.row.ori_bgt_id) or Indicator.objects.filter(bgt_id=r.row.ori_bgt_id).first()
        if not r.row.ori_bgt_id:
            parent = None
        made[r.row.bgt_id] = _write_indicator(user, r, docs[r.doc_no], parent, now)
    batch.report = {**batch.report, "documents": len([d for d in documents.values() if d[1] is None])}
    batch.save(update_fields=["report"])
    touched = list({r.holder.pk: r.holder for r in new}.values())
    created_docs = sum(1 for _, doc in documents.values() if doc is None)
    return ImportReport(filename, len(rows), len(new), unchanged, created_docs), touched


def _issues_in_system_above(r: _Resolved, scope: Region) -> bool:
    """An upper region that works in fundflow (it has finance users) issues its documents here: a lower region
    may not import a document in its name, which would add to that region's books. Documents of 财政部 and of
    upper regions not (yet) on the system may be imported."""
    if r.office == "财政部" or r.issuer == scope or not scope.is_within(r.issuer):
        return False
    return Profile.objects.filter(region=r.issuer, role__in=FINANCE_ROLES).exists()


def _scope_region(user: Any) -> Region | None:
    if user is None:
        return None
    profile = profile_of(user)
    if profile is None or not profile.is_finance:
        raise ServiceError("您没有权限进行此操作")
    return profile.region  # type: ignore[no-any-return]


# ---------------------------------------------------------------- resolving names


def _resolve(rows: list[IndicatorRow], problems: list[Problem]) -> list[_Resolved]:
    """Regions by code or name (aliases too), units by name or code, markers by "code name" (or a unique name)."""
    texts = {r.issuer for r in rows} | {r.recipient for r in rows}
    by_code = {g.code: g for g in Region.objects.filter(code__in=list(texts))}
    by_name = regions_named(t for t in texts if t not in by_code)
    units = {u.code: [u] for u in BudgetUnit.objects.filter(code__in=list(texts)).select_related("region")}
    units.update(units_named(r.recipient for r in rows if r.recipient not in by_code))
    markers = list(DirectFundMarker.objects.all())
    out = []
    for row in rows:
        before = len(problems)
        central = row.issuer in CENTRAL
        issuer = None if central else _one_region(row, "issuer", row.issuer, by_code, by_name, problems)
        region, unit = _recipient(row, by_code, by_name, units, problems)
        marker = _marker(row, markers, problems)
        if central and region is None:
            problems.append(
                problem(
                    "ledger.import-unknown-party",
                    row.at("recipient"),
                    what="接收方",
                    name=row.recipient,
                    kinds="行政区划",
                )
            )
        text = docno.normalise(row.doc_no)
        if docno.parse(text) is None:
            problems.append(problem("ledger.doc-no-format", row.at("doc_no"), doc_no=row.doc_no))
        if len(problems) > before or marker is None:
            continue
        out.append(
            _Resolved(
                row=row,
                doc_no=text,
                issuer=region if central else issuer,  # type: ignore[arg-type]
                office="财政部" if central else "",
                region=region,
                unit=unit,
                marker_code=marker[0],
                marker_name=marker[1],
            )
        )
    return out


def _one_region(
    row: IndicatorRow,
    key: str,
    text: str,
    by_code: dict[str, Region],
    by_name: dict[str, list[Region]],
    problems: list[Problem],
) -> Region | None:
    what = "下达方" if key == "issuer" else "接收方"
    if text in by_code:
        return by_code[text]
    found = by_name.get(text, [])
    if len(found) == 1:
        return found[0]
    if found:
        choices = "、".join(f"{g.name}（{g.code}）" for g in found)
        problems.append(problem("ledger.import-ambiguous", row.at(key), what=what, name=text, choices=choices))
    elif key == "issuer":
        problems.append(
            problem("ledger.import-unknown-party", row.at(key), what=what, name=text, kinds="行政区划代码或名称")
        )
    return None


def _recipient(
    row: IndicatorRow,
    by_code: dict[str, Region],
    by_name: dict[str, list[Region]],
    units: dict[str, list[BudgetUnit]],
    problems: list[Problem],
) -> tuple[Region | None, BudgetUnit | None]:
    text = row.recipient
    if text in by_code or by_name.get(text):
        return _one_region(row, "recipient", text, by_code, by_name, problems), None
    found = units.get(text, [])
    if len(found) == 1:
        return None, found[0]
    if found:
        choices = "、".join(f"{u.name}（{u.code}）" for u in found)
        problems.append(
            problem("ledger.import-ambiguous", row.at("recipient"), what="接收方", name=text, choices=choices)
        )
    else:
        problems.append(
            problem(
                "ledger.import-unknown-party", row.at("recipient"), what="接收方", name=text, kinds="行政区划或预算单位"
            )
        )
    return None, None


def _marker(row: IndicatorRow, markers: list[DirectFundMarker], problems: list[Problem]) -> tuple[str, str] | None:
    if not row.marker:
        return "", ""
    code, _, name = row.marker.partition(" ")
    exact = [m for m in markers if (m.code, m.name) == (code, name)]
    named = [m for m in markers if m.name == row.marker]
    found = exact or named
    if len(found) == 1:
        return found[0].code, found[0].name
    problems.append(problem("ledger.import-unknown-marker", row.at("marker"), marker=row.marker))
    return None


# ---------------------------------------------------------------- the chain


def _parents_first(new: list[_Resolved], problems: list[Problem]) -> list[_Resolved]:
    """The new rows ordered so every parent in the file is written before its children; cycles are problems."""
    by_id = {r.row.bgt_id: r for r in new}
    order: list[_Resolved] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for start in new:
        chain = []
        node: _Resolved | None = start
        while node is not None and state.get(node.row.bgt_id) is None:
            state[node.row.bgt_id] = 1
            chain.append(node)
            node = by_id.get(node.row.ori_bgt_id)
        if node is not None and state.get(node.row.bgt_id) == 1:
            problems.append(problem("ledger.import-parent-cycle", node.row.at("ori_bgt_id"), bgt_id=node.row.bgt_id))
        for r in reversed(chain):
            state[r.row.bgt_id] = 2
            order.append(r)
    return order


def _chain_problems(new: list[_Resolved], scope: Region | None = None) -> list[Problem]:
    """Inherited identity, the parent held by the issuer, and children within the parent's available balance.

    A parent already in the ledger must be held in the importing user's ``scope``: carving a child from an upper or
    sibling region's indicator would write in that region's books, and the other checks would read its figures and
    names out to the user. Such a row gets one problem that tells nothing about the parent."""
    in_file = {r.row.bgt_id: r for r in new}
    wanted = [r.row.ori_bgt_id for r in new if r.row.ori_bgt_id and r.row.ori_bgt_id not in in_file]
    in_ledger = {i.bgt_id: i for i in Indicator.objects.filter(bgt_id__in=wanted).select_related("holder_region")}
    problems: list[Problem] = []
    children: dict[str, list[_Resolved]] = defaultdict(list)
    for r in new:
        pid = r.row.ori_bgt_id
        if not pid:
            continue
        if pid in in_file:
            parent = in_file[pid]
            identity, holder, to_unit = parent.identity, parent.holder, parent.unit is not None
        elif pid in in_ledger:
            ind = in_ledger[pid]
            if scope is not None and not ind.holder_region.is_within(scope):
                problems.append(problem("ledger.import-out-of-scope", r.row.at("ori_bgt_id"), name=f"上级指标 {pid} "))
                continue
            identity, holder, to_unit = identity_of(ind), ind.holder_region, ind.rec_unit_id is not None
        else:
            continue  # an indicator outside the ledger (财政部): kept as given
        problems += check_inherited(identity, r.identity, r.row.at("ori_bgt_id"))
        if holder.pk != r.issuer.pk or to_unit:
            problems.append(problem("ledger.wrong-holder", r.row.at("ori_bgt_id"), bgt_id=pid, holder=r.issuer.name))
        children[pid].append(r)
    for pid, kids in children.items():
        figures = figures_of(in_ledger[pid]) if pid in in_ledger else IndicatorFigures(in_file[pid].row.amount)
        at = kids[0].row.at("amount")
        problems += check_issue(pid, figures, [k.row.amount for k in kids], at)
    return problems


def _document_problems(
    new: list[_Resolved], problems: list[Problem]
) -> dict[str, tuple[list[_Resolved], Document | None]]:
    """Rows grouped per 文号: one issuer, date and year each; an existing 文号 only as an earlier import's
    document of the same issuer; a direct fund alone in its document."""
    groups: dict[str, list[_Resolved]] = defaultdict(list)
    for r in new:
        groups[r.doc_no].append(r)
    existing = {d.doc_no: d for d in Document.objects.filter(doc_no__in=list(groups))}
    out = {}
    for doc_no, rows in groups.items():
        at = rows[0].row.at("doc_no")
        head = rows[0]
        for field, key, value in (
            ("下达方", "issuer", lambda r: r.issuer.name),
            ("发文日期", "doc_date", lambda r: r.row.doc_date.isoformat()),
            ("预算年度", "fiscal_year", lambda r: str(r.row.fiscal_year)),
        ):
            for r in rows[1:]:
                if value(r) != value(head):
                    values = f"第 {head.row.number} 行为 {value(head)}，此行为 {value(r)}"
                    problems.append(
                        problem("ledger.import-doc-conflict", r.row.at(key), doc_no=doc_no, field=field, values=values)
                    )
        doc = existing.get(doc_no)
        identities = [r.identity for r in rows]
        if doc is not None:
            if doc.kind != Document.Kind.EXTERNAL or doc.issuer_id != rows[0].issuer.pk:
                problems.append(problem("ledger.doc-no-taken", at, doc_no=doc_no))
            identities += [identity_of(i) for i in doc.indicators.all()]
        problems += check_document_funds(identities, at)
        out[doc_no] = (rows, doc)
    return out


# ---------------------------------------------------------------- writing


def _write_documents(user: Any, documents: dict[str, tuple[list[_Resolved], Document | None]]) -> dict[str, Document]:
    out = {}
    for doc_no, (rows, doc) in documents.items():
        if doc is None:
            first = rows[0]
            text, prefix, year, number = assign_doc_no(year=first.row.doc_date.year, doc_no=doc_no)
            doc = _with_user(
                Document(
                    issuer=first.issuer,
                    issuer_office=first.office,
                    doc_no=text,
                    prefix=prefix,
                    year=year,
                    number=number,
                    title=f"{text}（外部导入）",
                    doc_date=first.row.doc_date,
                    advance=any(r.row.advance for r in rows),
                    budget_year=first.row.fiscal_year,
                    kind=Document.Kind.EXTERNAL,
                    fiscal_year=first.row.fiscal_year,
                    created_by=user if getattr(user, "pk", None) else None,
                ),
                user,
            )
            doc.save()
        out[doc_no] = doc
    return out


def _write_indicator(
    user: Any, r: _Resolved, document: Document, parent: Indicator | None, now: datetime.datetime
) -> Indicator:
    row = r.row
    ind = _with_user(
        Indicator(
            bgt_id=row.bgt_id,
            fiscal_year=row.fiscal_year,
            document=document,
            cor_doc_no=r.doc_no,
            sup_doc_no=parent.cor_doc_no if parent else "",
            parent=parent,
            ori_bgt_id=row.ori_bgt_id,
            issuer=r.issuer,
            rec_region=r.region,
            rec_unit=r.unit,
            holder_region=r.holder,
            fund=row.fund,
            project_name=row.project_name,
            amount=row.amount,
            income_code=row.income_code,
            exp_func_code=row.exp_func_code,
            gov_eco_code=row.eco_code,
            marker_code=r.marker_code,
            marker_name=r.marker_name,
            advance=row.advance,
            status=Indicator.Status.RECEIVED,
            received_at=now,
            received_by=user if getattr(user, "pk", None) else None,
            received_income_code=row.income_code,
        ),
        user,
    )
    ind.save()
    return ind

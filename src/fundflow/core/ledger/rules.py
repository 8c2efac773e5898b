"""Ledger rule ids as data: id → severity and a Chinese message template (``str.format`` fields).

Ids are stable (tests, the web UI and docs/rules.md refer to them). ``problem(rule_id, **fields)`` makes the
:class:`~fundflow.core.errors.Problem` with the formatted message, so every refusal of the same rule reads alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fundflow.core.errors import Location, Problem


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "预警"


@dataclass(frozen=True, slots=True)
class LedgerRule:
    id: str
    severity: Severity
    template: str
    title: str = ""  # a short Chinese name, shown where the id alone would be (warning lists)

    def message(self, **fields: Any) -> str:
        return self.template.format(**fields)


E, W = Severity.ERROR, Severity.WARNING
_RULES = (
    LedgerRule("ledger.marker-changed", E, "直达资金标识不得改变：上级指标为“{parent}”，此处为“{child}”"),
    LedgerRule("ledger.fund-changed", E, "资金名称不得改变：上级指标为“{parent}”，此处为“{child}”"),
    LedgerRule("ledger.project-changed", E, "项目名称不得改变：上级指标为“{parent}”，此处为“{child}”"),
    LedgerRule(
        "ledger.mixed-document",
        E,
        "直达资金指标须单独发文下达，不得与其他资金混在同一文件中（本文件涉及：{funds}）",
    ),
    LedgerRule(
        "ledger.exceeds-available",
        E,
        "下达金额 {amount} 元超过指标 {bgt_id} 的可用余额 {available} 元（指标金额 {total} 元，已下达 {issued} 元，"
        "已支付 {paid} 元，扣回 {reductions} 元）",
    ),
    LedgerRule("ledger.amount-not-positive", E, "金额应大于零（扣回除外），此处为 {amount} 元"),
    LedgerRule(
        "ledger.reduction-exceeds-available",
        E,
        "扣回金额 {amount} 元超过被扣回指标 {bgt_id} 的可用余额 {available} 元",
    ),
    LedgerRule("ledger.reduction-no-target", E, "“{recipient}”结算为负数 {amount} 元，但指标账中没有可扣回的预拨指标"),
    LedgerRule(
        "ledger.refund-exceeds-payment",
        E,
        "退回金额 {amount} 元超过原支付凭证 {ori} 尚未退回的金额 {remaining} 元",
    ),
    LedgerRule(
        "ledger.payment-exceeds-available",
        E,
        "支付金额 {amount} 元超过指标 {bgt_id} 的可用余额 {available} 元",
    ),
    LedgerRule("ledger.duplicate-key", E, "{key} 已存在且内容不同，不得覆盖"),
    LedgerRule("ledger.not-received", E, "指标 {bgt_id} 尚未接收，不能再分配或支付"),
    LedgerRule("ledger.wrong-holder", E, "指标 {bgt_id} 不属于{holder}"),
    LedgerRule("ledger.already-received", E, "指标 {bgt_id} 已于 {when} 接收"),
    LedgerRule("ledger.doc-no-format", E, "文号“{doc_no}”格式不对，应如“塔地财社〔2021〕87号”"),
    LedgerRule("ledger.doc-no-taken", E, "文号“{doc_no}”已被使用，文号不得重复"),
    LedgerRule("ledger.plan-not-approved", E, "分配方案“{title}”尚未审定，不能下达"),
    LedgerRule("ledger.plan-issued", E, "分配方案“{title}”已由 {doc_no} 下达，不能重复下达"),
    LedgerRule("ledger.recipient-unlinked", E, "分配对象“{recipient}”未对应到地区或预算单位，无法下达"),
    LedgerRule("ledger.amend-kind", E, "调整文件的类别应为追加、调减或收回"),
    LedgerRule("ledger.import-duplicate-id", E, "指标编号 {bgt_id} 在文件中重复（另见第 {other} 行）"),
    LedgerRule("ledger.import-unknown-party", E, "{what}“{name}”不是已知的{kinds}"),
    LedgerRule("ledger.import-ambiguous", E, "{what}“{name}”对应多个：{choices}，请改填代码"),
    LedgerRule(
        "ledger.import-unknown-marker", E, "直达资金标识“{marker}”不在标识表中（应如“01 中央直达资金”，非直达资金留空）"
    ),
    LedgerRule("ledger.import-doc-conflict", E, "文号 {doc_no} 的各行{field}不一致：{values}"),
    LedgerRule("ledger.import-parent-cycle", E, "指标 {bgt_id} 的上级指标编号形成循环"),
    LedgerRule("ledger.import-out-of-scope", E, "{name}不在您的管辖范围内，不能导入"),
    LedgerRule(
        "ledger.import-issuer-in-system",
        E,
        "下达方“{issuer}”在本系统中下达指标，其文件应由其在系统中下达，不能由下级导入",
    ),
    LedgerRule("ledger.import-not-below", E, "接收方“{recipient}”不在下达方“{issuer}”之下"),
    LedgerRule("ledger.import-reference", E, "{message}"),
    LedgerRule("ledger.payment-header", E, "支付文件表头有误：{what}"),
    LedgerRule("ledger.payment-field", E, "{what}"),
    LedgerRule("ledger.payment-region", E, "付款地区“{region}”{what}"),
    LedgerRule("ledger.duplicate-in-file", E, "支付凭证号 {key} 在文件中重复出现（第 {rows} 行）"),
    LedgerRule("ledger.refund-no-original", E, "退回的原凭证号 {ori} {what}"),
    LedgerRule(
        "ledger.refund-other-indicator",
        E,
        "退回的指标编号 {bgt_id} 与原支付凭证 {ori} 的指标编号 {expected} 不一致",
    ),
    LedgerRule(
        "warn.not-reallocated", W, "直达资金指标 {bgt_id} 接收已 {days} 天仍未分配（时限 {limit} 天）", "指标逾期未分配"
    ),
    LedgerRule("warn.spending-behind", W, "支出进度 {actual}% 低于序时进度 {expected}%", "支出进度滞后"),
    LedgerRule(
        "warn.identity-mismatch",
        W,
        "{field}与上级指标不一致：上级为“{parent}”，此处为“{child}”",
        "标识或名称与上级不一致",
    ),
    LedgerRule("warn.code-mismatch", W, "支付的{field} {paid} 与指标的 {expected} 不一致", "支付科目与指标不一致"),
    LedgerRule(
        "warn.paid-before-year",
        W,
        "提前下达指标 {bgt_id} 在预算年度 {year} 之前（{date}）发生支付",
        "提前下达指标提前支付",
    ),
)
RULES: dict[str, LedgerRule] = {r.id: r for r in _RULES}


def problem(rule_id: str, location: Location | None = None, **fields: Any) -> Problem:
    """The problem of ``rule_id`` with its message filled in from ``fields``."""
    return Problem(rule_id, RULES[rule_id].message(**fields), location)

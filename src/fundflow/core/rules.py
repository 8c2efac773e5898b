"""The registry of rule ids: every problem and finding fundflow reports names one of these.

A rule id is a stable name (``area.what``) that tests, the JSON output and docs/rules.md refer to; declaring each
once here — with its severity and a one-line description — is what keeps them stable: :class:`~fundflow.core.errors.
Problem` refuses an id that is not declared, and tests/test_docs.py checks docs/rules.md against this list (and the
disclosure checker's own registry, ``fundflow.core.disclosure.rules``) rather than against the source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How a rule's problem or finding weighs: an error refuses the input (or fails ``check-table``)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    description: str


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_RULES = (
    # Files (every reader)
    Rule("file.missing", ERROR, "the plan, recipients or table file does not exist"),
    Rule("file.encoding", ERROR, "a CSV or text file is neither UTF-8 nor GBK/GB18030"),
    Rule("file.type", ERROR, "a recipients file is neither .csv nor .xlsx"),
    Rule("file.empty", ERROR, "a recipients file has no rows"),
    Rule("file.no-name-column", ERROR, "a recipients file has no name/名称 column"),
    Rule("file.too-many-rows", ERROR, "web: an upload to import or check has more rows than the upload limit"),
    Rule("file.header", ERROR, "a web upload's header lacks 名称 or a column the method needs"),
    Rule("file.pdf-unavailable", ERROR, "a PDF was asked for but LibreOffice is not installed"),
    Rule("file.pdf-failed", ERROR, "LibreOffice did not produce the PDF (or timed out)"),
    Rule("file.duplicate-column", ERROR, "two columns of a recipients file have the same header"),
    Rule("file.formula-no-value", ERROR, "an Excel cell holds a formula without a stored result"),
    Rule("file.missing-column", ERROR, "an import file (indicators, regions, units) lacks a required column"),
    # Plan files: shape
    Rule("yaml.syntax", ERROR, "the plan is not valid YAML"),
    Rule("yaml.root", ERROR, "the plan is not a mapping of keys"),
    Rule("yaml.type", ERROR, "a value has the wrong shape (text, list or mapping expected)"),
    Rule("yaml.number", ERROR, "a value that must be a number is not"),
    Rule("yaml.integer", ERROR, "a value that must be a whole number is not"),
    Rule("yaml.key", ERROR, "a mapping key is a list or mapping instead of text"),
    # Plan parameters
    Rule("plan.unknown-key", ERROR, "a key the format does not know"),
    Rule("plan.duplicate-key", ERROR, "a common field written again in the web form's parameter text"),
    Rule("plan.forbidden-key", ERROR, "web parameters name recipients, recipients_file or adjustments"),
    Rule("plan.title-missing", ERROR, "no title"),
    Rule("plan.method", ERROR, "method missing or unknown"),
    Rule("plan.unit", ERROR, "unit is not 元 or 万元"),
    Rule("plan.places", ERROR, "rounding.places outside 0–6"),
    Rule("plan.rounding-mode", ERROR, "unknown rounding mode"),
    Rule("plan.apportion", ERROR, "unknown apportionment"),
    Rule("plan.no-recipients", ERROR, "no recipients at all"),
    Rule("plan.recipients-twice", ERROR, "both recipients and recipients_file"),
    Rule("plan.recipients-file-outside", ERROR, "recipients_file names a file outside the plan file's folder"),
    Rule("plan.total-missing", ERROR, "a factor plan without total"),
    Rule("plan.total-not-positive", ERROR, "total ≤ 0"),
    Rule("plan.total-unreachable", ERROR, "total has more decimals than the plan prints"),
    Rule("plan.total-mismatch", ERROR, "the computed total differs from the stated total"),
    Rule("plan.formula-text", ERROR, "web: a printed parameter text begins with a formula character"),
    Rule("factor.none", ERROR, "a factor plan without factors"),
    Rule("factor.name", ERROR, "a factor without a name"),
    Rule("factor.weight", ERROR, "a weight missing or not written as 0.50 / 50%"),
    Rule("factor.weights-sum", ERROR, "weights do not add up to 100%"),
    Rule("factor.duplicate", ERROR, "two factors with the same name"),
    Rule("factor.negative-weight", ERROR, "a negative weight"),
    Rule("factor.no-counts", ERROR, "a factor without count columns"),
    Rule("share.none", ERROR, "a standard_share plan without components"),
    Rule("share.name", ERROR, "a component without a name"),
    Rule("share.kind", ERROR, "a component's kind is not standard or share"),
    Rule("share.standard", ERROR, "a standard component lacks count or standard_yuan"),
    Rule("share.pot", ERROR, "a share component lacks pot_yuan"),
    Rule("share.spec", ERROR, "a share component must have exactly one of share_percent and count"),
    Rule("share.duplicate", ERROR, "two components with the same name"),
    Rule("share.negative-standard", ERROR, "a negative standard"),
    Rule("share.negative-pot", ERROR, "a negative pot"),
    Rule("share.bad-base", ERROR, "a stated base ≤ 0"),
    Rule("settlement.document", ERROR, "a settlement plan without advance_document"),
    # Recipients and their inputs
    Rule("recipient.name-missing", ERROR, "a recipient without a name"),
    Rule("recipient.duplicate", ERROR, "the same name twice in one group"),
    Rule("recipient.group-missing", ERROR, "some recipients are grouped and this one is not"),
    Rule("recipient.unknown-group", ERROR, "a recipient's group is not among the declared groups"),
    Rule("recipient.out-of-scope", ERROR, "a recipient's name is a region or unit outside the plan's region (web)"),
    Rule("input.missing-column", ERROR, "a recipient lacks a column the method needs"),
    Rule("input.blank", ERROR, "a numeric cell is blank"),
    Rule("input.not-number", ERROR, "a numeric cell holds text"),
    Rule("input.negative", ERROR, "a count, amount or duplicate count is negative"),
    Rule("input.fractional-count", ERROR, "a head or household count is not a whole number"),
    Rule("input.too-many-places", ERROR, "a given amount has more decimals than the plan prints"),
    Rule("input.unknown-row", ERROR, "a page edit names a row that is not in the plan"),
    Rule("input.unknown-column", ERROR, "a page edit names a column that is not an input column"),
    Rule("input.too-large", ERROR, "an adjustment entered in the page or API is too large to store"),
    Rule("input.too-long", ERROR, "an adjustment's reason is longer than 255 characters"),
    Rule("input.required", ERROR, "an import file's required text cell is blank"),
    Rule("input.not-date", ERROR, "an import file's date cell is not a date"),
    Rule("input.not-yes-no", ERROR, "an import file's yes/no cell (提前下达) is neither 是 nor 否"),
    Rule("input.formula-text", ERROR, "web: a recipient's group, name or note begins with a formula character"),
    Rule("text.too-long", ERROR, "a text is longer than its database column (web and API)"),
    Rule("text.control-character", ERROR, "a single-line text holds a line break or other control character"),
    Rule("settlement.standard-missing", ERROR, "neither entitlement nor a per-capita standard for a recipient"),
    Rule("settlement.negative-persons", ERROR, "duplicates exceed insured persons"),
    # Computing
    Rule("factor.zero-base", ERROR, "a factor's counts add up to zero, so its pot cannot be shared"),
    Rule("factor.apportion-failed", ERROR, "the hierarchical adjustment cannot meet a target without negatives"),
    Rule("share.zero-base", ERROR, "counts for a computed share add up to zero"),
    Rule("share.oversubscribed", ERROR, "the shares of one pot add up to more than 100%"),
    Rule("adjustment.incomplete", ERROR, "an adjustment lacks recipient, part, delta or reason"),
    Rule("adjustment.unknown-recipient", ERROR, "an adjustment names no recipient, or an ambiguous one"),
    Rule("adjustment.unknown-part", ERROR, "an adjustment names a part the table does not have"),
    Rule("adjustment.bad-delta", ERROR, "a zero delta, or one with more decimals than the plan prints"),
    Rule("adjustment.no-reason", ERROR, "an adjustment without a reason"),
    Rule("adjustment.unbalanced", ERROR, "a group's deltas for one part do not sum to zero"),
    Rule("adjustment.negative", ERROR, "an adjustment would make a figure negative"),
    Rule("adjustment.unknown-row", ERROR, "a web/API edit names an adjustment that is not in the plan"),
    # check-codes
    Rule("code.unknown", ERROR, "a quoted code is not in the year's catalogue"),
    Rule("code.name-mismatch", ERROR, "a known code is printed with another name"),
    Rule("code.unknown-kind", ERROR, "a quoted number is not a classification code"),
    # check-table: reading the table
    Rule("table.no-header", ERROR, "no factor header with a weight"),
    Rule("table.no-total-column", ERROR, "no total column after the factor columns"),
    Rule("table.no-rows", ERROR, "no data rows recognised"),
    # check-table: findings
    Rule("table.row-total", ERROR, "a row's total column is not the sum of its part columns"),
    Rule("table.column-sum", ERROR, "a 小计 or 合计 row is not the sum of the rows it totals"),
    Rule("table.blank-total", ERROR, "a total cell is blank while the cells it sums are not"),
    Rule("table.lost-sign", ERROR, "a figure printed positive is negative by the sums it breaks"),
    Rule("table.standard-product", ERROR, "an amount differs from count × standard"),
    Rule("table.settlement", ERROR, "a row breaks the settlement identity"),
    Rule("table.factor-weights", ERROR, "a factor table's header weights do not add up to 100%"),
    Rule("table.factor-unexplained", WARNING, "factor cells differ from every recomputation, unbalanced within groups"),
    Rule("table.clawback-note", WARNING, "a negative settlement whose 备注 does not say it is clawed back"),
    Rule("table.clawback", INFO, "a negative settlement: the amount clawed back and its advance document"),
    # Budget files of the disclosure
    Rule("budget.unknown-key", ERROR, "a key the format does not know"),
    Rule("budget.missing", ERROR, "a required value is missing"),
    Rule("budget.negative", ERROR, "a negative amount"),
    Rule("budget.places", ERROR, "an amount with more than two decimals (万元)"),
    Rule("budget.source", ERROR, "an unknown funding source"),
    Rule("budget.nature", ERROR, "nature is not basic or project"),
    Rule("budget.code", ERROR, "a function code is not 7 digits or an economic code not 5 digits"),
    Rule("budget.code-unknown", ERROR, "a code is not in the catalogue for the year"),
    Rule("budget.project-missing", ERROR, "a project line without project"),
    Rule("budget.project-on-basic", ERROR, "a basic line with project"),
    Rule("budget.project-unknown", ERROR, "a line names a project not listed under projects"),
    Rule("budget.project-standard", ERROR, "a project's amount ≠ standard × quantity"),
    Rule("budget.three-public", ERROR, "“三公” figures smaller than the basic lines of their economic codes"),
    Rule("budget.sheet-missing", ERROR, "the Excel template lacks one of its sheets"),
    Rule("budget.header", ERROR, "a template sheet's header row is not the template's"),
    Rule("budget.duplicate", ERROR, "a fact of 基本情况, or a 三公经费 year row, is filled twice"),
    Rule("budget.formula", ERROR, "a template cell holds a formula instead of a typed value"),
    Rule("budget.formula-text", ERROR, "web: a budget text begins with a formula character"),
    Rule("budget.unit-mismatch", ERROR, "web import: the file's unit is not the chosen budget unit"),
    # Performance targets (绩效目标表)
    Rule("perf.value-blank", WARNING, "a target value (指标值) cell is blank"),
    Rule("perf.value-unparsed", WARNING, "a target value with digits reads as no known form; kept as text"),
    Rule("perf.level-unknown", WARNING, "a level-1 or level-2 indicator name that no indicator tree knows"),
    Rule("perf.level-parent", ERROR, "a level-2 indicator under a level-1 that no indicator tree allows"),
    Rule("perf.tree-era", WARNING, "a level-2 indicator placed as the other era's indicator tree places it"),
    Rule("perf.region-sum", ERROR, "an additive indicator's region value is not the sum of its recipients'"),
    Rule("perf.region-cell", ERROR, "a recipient's value of an additive indicator is missing or not a number"),
    Rule("perf.funds-sum", ERROR, "the parts of 资金情况 (中央/地方/其他) do not add up to 年度金额"),
    Rule("perf.funds-cell", ERROR, "a 资金情况 amount cell holds text instead of a number"),
    Rule("perf.table-shape", ERROR, "a target table's text lacks its indicator header or a required row"),
    Rule("perf.derived-edited", WARNING, "a recipient's value differs from the one derived from the allocation"),
    Rule("perf.funds-allocation", ERROR, "a table's 年度金额 differs from the allocation's amount for its region"),
)
del ERROR, WARNING, INFO

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
assert len(RULES) == len(_RULES), "a rule id is declared twice"

# The disclosure checker keeps its own registry (with scopes and Chinese titles); its reader reports one of them
# (a table that cannot be read) as a problem.
_DISCLOSURE_AREA = "disclosure."


# The ledger keeps its own registry too (with Chinese message templates): ``fundflow.core.ledger.rules``.
_LEDGER_AREAS = ("ledger.", "warn.")


def is_registered(rule: str) -> bool:
    """Whether ``rule`` is declared here or, for ``disclosure.*`` / ``ledger.*`` / ``warn.*``, in the disclosure
    checker's or the ledger's registry."""
    if rule.startswith(_DISCLOSURE_AREA):
        from fundflow.core.disclosure.rules import RULES as DISCLOSURE_RULES

        return rule in DISCLOSURE_RULES
    if rule.startswith(_LEDGER_AREAS):
        from fundflow.core.ledger.rules import RULES as LEDGER_RULES

        return rule in LEDGER_RULES
    return rule in RULES

"""What a column holds, read from its header the way a finance officer reads it.

Headers are matched on their text without the bracketed unit ("补助标准（元/人/月）" → "补助标准"), after the
unit has been read from the brackets. The order of the tests matters and is deliberate:

1. 标准 (a per-unit standard) unless the header also says 金额/资金 (then it is money computed at a standard);
2. 月数 (months a per-month standard is paid for);
3. a percentage (比例, 占比, %): never summed;
4. settlement roles, most specific first: 此次/本次 (the result) before 待以后年度收回, 抵扣/扣回, 已拨/已预拨/
   提前下达 (the advance) and 应补助/应拨/核定 (the entitlement) — so that "本次下达" is the result and
   "核定下达" the entitlement, and "应抵扣" a deduction rather than an entitlement;
5. a sum: 合计, 小计, 总计, 资金合计, 金额合计, 总额;
6. a count: 人数, 户数, 人次, 数量, or a unit in brackets such as （人）, （户）, （个）;
7. money: 金额, 资金, 经费, 补助, 拨付, 下达, or a money unit (元, 万元) in the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Role(StrEnum):
    STANDARD = "standard"
    MONTHS = "months"
    PERCENT = "percent"
    RESULT = "result"  # 此次结算 / 本次下达
    DEFERRED = "deferred"  # 待以后年度收回
    DEDUCT = "deduct"  # 应抵扣 / 扣回
    ADVANCED = "advanced"  # 已预拨 / 已拨
    DUE = "due"  # 应补助 / 应拨 / 核定下达
    TOTAL = "total"  # 合计 / 小计
    COUNT = "count"
    MONEY = "money"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Role.STANDARD: "标准",
            Role.MONTHS: "月数",
            Role.PERCENT: "比例",
            Role.RESULT: "此次结算（本次下达）",
            Role.DEFERRED: "待以后年度收回",
            Role.DEDUCT: "应抵扣（扣回）",
            Role.ADVANCED: "已预拨（已拨）",
            Role.DUE: "应补助（应拨、核定）",
            Role.TOTAL: "合计",
            Role.COUNT: "数量",
            Role.MONEY: "金额",
            Role.OTHER: "其他",
        }[self]


SETTLEMENT_ROLES = (Role.RESULT, Role.DEFERRED, Role.DEDUCT, Role.ADVANCED, Role.DUE)
NOT_SUMMED = (Role.STANDARD, Role.MONTHS, Role.PERCENT)

_BRACKETS = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_SPACES = re.compile(r"\s+")
_RULES: tuple[tuple[Role, re.Pattern[str]], ...] = (
    (Role.MONTHS, re.compile(r"月数|月份数|个月|享受月|补助月|发放月")),
    (Role.PERCENT, re.compile(r"比例|比重|占比|百分比|%|％")),
    (Role.RESULT, re.compile(r"此次|本次|这次|结算数|清算数|应补[(（]?退|多退少补|补退|实拨|实际下达|应补拨")),
    (Role.DEFERRED, re.compile(r"以后年度|待收回|结转以后|下年度收回|暂不收回")),
    (Role.DEDUCT, re.compile(r"抵扣|抵减|扣减|扣回|应收回|收回|抵顶")),
    (Role.ADVANCED, re.compile(r"已预拨|预拨|已拨|已下达|提前下达|已安排|预下达|已分配|已清算|已补助|已兑付|已发放")),
    (Role.DUE, re.compile(r"应补助|应补|应拨|应安排|应下达|应分配|核定|应享受|应得|应付|应发|结算应")),
    (Role.TOTAL, re.compile(r"合计|小计|总计|总额|合\s*计")),
    (Role.COUNT, re.compile(r"人数|户数|人次|数量|个数|床位数|人口|户$|人$|面积|亩数|学生数|对象数")),
    (Role.MONEY, re.compile(r"金额|资金|经费|补助|补贴|拨付|下达|预算|奖励|万元|元")),
)
_COUNT_UNITS = re.compile(r"[（(]\s*(人|户|个|人次|亩|平方公里|公里|所|家|名|辆|张|床|套|处|座|头|只)\s*[）)]")


def squash(text: str) -> str:
    return _SPACES.sub("", text.replace("\u3000", ""))


def core_text(label: str) -> str:
    """The header without bracketed units or notes: "补助标准（元/人/月）" → "补助标准"."""
    return _BRACKETS.sub("", squash(label)) or squash(label)


def role_of(label: str) -> Role:
    """The role of a column from its (possibly multi-level, "·"-joined) header; the lowest level decides first."""
    levels = [lv for lv in squash(label).split("·") if lv]
    for level in reversed(levels or [""]):
        role = _role_of_level(level)
        if role is not Role.OTHER:
            return role
    return Role.OTHER


_REFUND = re.compile(r"补[(（]?退|退[(（]?补|多退少补")


def _role_of_level(label: str) -> Role:
    core = core_text(label)
    if _REFUND.search(squash(label)) and not re.search(r"人数|户数", core):
        return Role.RESULT  # 应补（退）: the bracket is the point, so it is read before brackets are dropped
    if "标准" in core and not re.search(r"金额|资金|合计|小计|数额|补助数|拨付数", core):
        return Role.STANDARD
    if _COUNT_UNITS.search(squash(label)) and not re.search(r"金额|资金", core):
        return Role.COUNT
    for role, pattern in _RULES:
        if pattern.search(core):
            if role is Role.DUE and re.search(r"人数|户数|人次", core):
                return Role.COUNT  # 应补助人数 is a count, not money
            return role
    if re.search(r"万元|元", squash(label)):
        return Role.MONEY
    return Role.OTHER


def money_unit(label: str, default: str) -> str:
    """The money unit a header states in brackets (万元 / 元), else the table's."""
    text = squash(label)
    if "万元" in text:
        return "万元"
    if re.search(r"[（(]元[）)/]|元[）)]|（元|\(元", text):
        return "元"
    return default


@dataclass(frozen=True, slots=True)
class StandardText:
    """A standard printed in a header or a note: "C级 0.75万元/户", "补助标准（元/人/月）", "每人每月300元"."""

    value: Decimal | None  # None when only the unit is printed (the figures are in the column)
    unit: str  # 元 or 万元
    per: str  # 人, 户, …
    period: str | None  # 月 or 年 (per month / per year), None when not stated
    key: str  # the category the standard applies to (C级), "" when none
    text: str  # the printed text it was read from

    @property
    def yuan(self) -> Decimal | None:
        """The standard in 元 per unit (per period)."""
        if self.value is None:
            return None
        return self.value * 10000 if self.unit == "万元" else self.value


_PER = r"人次|人|户|个|亩|床|所|家|名|辆|学生|对象|平方米|人·月"
_SLASH = re.compile(
    rf"(?P<key>[A-Za-z0-9一-龥]{{0,6}}?)\s*[:：为]?\s*(?P<value>\d+(?:\.\d+)?)?\s*(?P<unit>万元|元)\s*/\s*"
    rf"(?P<per>{_PER})\s*(?:[/·]\s*(?P<period>月|年))?"
)
_EVERY = re.compile(
    rf"(?P<key>[A-Za-z0-9一-龥]{{0,6}}?)\s*[:：]?\s*每(?P<per>{_PER})(?:每(?P<period>月|年))?"
    r"(?:补助|发放|补贴|资助|奖励)?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>万元|元)"
)
_KEY_NOISE = re.compile(r"^(其中|标准|补助|按|为|每|的|和|、|，|,|；|;)+|(标准|补助|按|为|的)+$")


def standards_in(text: str) -> list[StandardText]:
    """Every standard a piece of text states, in order."""
    text = squash(text)
    found: list[StandardText] = []
    for pattern in (_SLASH, _EVERY):
        for m in pattern.finditer(text):
            value = Decimal(m.group("value")) if m.group("value") else None
            key = _KEY_NOISE.sub("", m.group("key") or "")
            found.append(StandardText(value, m.group("unit"), m.group("per"), m.group("period"), key, m.group(0)))
    return found


_MONTHS = re.compile(r"(\d{1,2})\s*个月")


def months_in(text: str) -> int | None:
    m = _MONTHS.search(squash(text))
    return int(m.group(1)) if m else None


_DOCUMENT = re.compile(r"[一-龥]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号")


def document_in(text: str) -> str | None:
    """The first document number in a text: "塔地财社〔2021〕8号"."""
    m = _DOCUMENT.search(squash(text))
    return _DOC_VERBS.sub("", m.group(0)) if m else None


_DOC_VERBS = re.compile(r"^(?:从|按照|按|根据|依据|据|经|由|已|自|在|即|的|原|文件|通过)+")

"""Reading the figures a narrative states, as a person reads them.

A sentence like ``基本支出 416.59 万元，占 40%，比上年预算增加 22.28 万元，增长 2%`` states an amount for a
subject, its share, its change on last year and the growth rate. The reader splits each paragraph into such
statements; which table figure a subject means is decided by the checker. Project blocks of section 七
(``项目名称：…`` up to the next one) are read separately for standard × quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.disclosure.stated import Paragraph, normalise

# a number as printed: ``1051.79`` or with thousands separators ``1,051.79`` (commas are dropped when read)
_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_TOKEN = re.compile(
    rf"(?P<change>(?:比|较)上年(?:预算)?(?:数)?\s*(?P<cword>增加|减少)\s*{_NUM}\s*万元)"
    rf"|(?P<previous>上年(?:预算)?(?:数)?\s*(?:为|是)?\s*{_NUM}\s*万元)"
    rf"|(?P<share>占\s*{_NUM}\s*[%％])"
    rf"|(?P<growth>(?P<gword>增长|下降)\s*{_NUM}\s*[%％])"
    rf"|(?P<amount>{_NUM}\s*万元)"
)
_CLAUSE_BREAK = re.compile(r"[，,。；;、]")


@dataclass(frozen=True, slots=True)
class Figure:
    """One stated amount with what follows it in the same sentence."""

    section: str
    paragraph: int
    line: int | None
    subject: str
    amount: Decimal
    share: Decimal | None = None
    change: Decimal | None = None
    growth: Decimal | None = None
    previous: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProjectStatement:
    """A project as section 七 describes it."""

    name: str
    paragraph: int
    line: int | None
    amount: Decimal | None
    standard: Decimal | None
    quantity: Decimal | None


def _subject(text: str) -> str:
    """The words before an amount, back to the previous clause break; a ``其中：`` style lead-in is dropped."""
    clause = _CLAUSE_BREAK.split(text)[-1]
    clause = normalise(clause)
    if not re.search(r"[类款项][：:]", clause) and ("：" in clause or ":" in clause):
        clause = re.split(r"[：:]", clause)[-1]
    return clause


def _numbers(m: re.Match[str]) -> Decimal:
    groups = [g for g in m.groups()[1:] if g is not None and g[0].isdigit()]
    return number(groups[-1])


def number(text: str) -> Decimal:
    """A printed number, thousands separators removed."""
    return Decimal(text.replace(",", ""))


def read_figures(paragraphs: tuple[Paragraph, ...]) -> list[Figure]:
    """Every stated amount of every paragraph, with its share, change and growth when the sentence gives them."""
    out: list[Figure] = []
    for index, p in enumerate(paragraphs):
        for sentence in re.split(r"[。；;]", p.text):
            current: dict[str, object] | None = None
            start = 0
            for m in _TOKEN.finditer(sentence):
                value = _numbers(m)
                if m.group("amount"):
                    if current is not None:
                        out.append(Figure(**current))  # type: ignore[arg-type]
                    subject = _subject(sentence[start : m.start()])
                    current = {
                        "section": p.section,
                        "paragraph": index,
                        "line": p.line,
                        "subject": subject,
                        "amount": value,
                    }
                elif current is not None and m.group("share"):
                    current["share"] = value
                elif current is not None and m.group("previous"):
                    current["previous"] = value
                elif current is not None and m.group("change"):
                    current["change"] = value if m.group("cword") == "增加" else -value
                elif current is not None and m.group("growth"):
                    current["growth"] = value if m.group("gword") == "增长" else -value
                start = m.end()
            if current is not None:
                out.append(Figure(**current))  # type: ignore[arg-type]
    return out


_PROJECT = re.compile(r"项目名称[：:]\s*(.+)$")
_STANDARD = re.compile(rf"{_NUM}\s*元\s*/")
_QUANTITY = re.compile(rf"(?:人数|数量)[：:]?\s*{_NUM}")
_ALLOCATED = re.compile(rf"资金分配情况[：:]\s*{_NUM}\s*万元")


def read_projects(paragraphs: tuple[Paragraph, ...], section: str = "七") -> list[ProjectStatement]:
    """Project blocks of ``section``: name, allocated amount, and the first standard and quantity stated."""
    out: list[ProjectStatement] = []
    block: list[tuple[int, Paragraph]] = []

    def flush() -> None:
        if not block:
            return
        index, first = block[0]
        match = _PROJECT.search(first.text)
        assert match is not None
        text = "\n".join(p.text for _, p in block)
        found = [_STANDARD.search(text), _QUANTITY.search(text), _ALLOCATED.search(text)]
        standard, quantity, amount = (number(m.group(1)) if m else None for m in found)
        out.append(ProjectStatement(normalise(match.group(1)), index, first.line, amount, standard, quantity))

    for index, p in enumerate(paragraphs):
        if p.section != section:
            continue
        if _PROJECT.search(p.text):
            flush()
            block = []
        if block or _PROJECT.search(p.text):
            block.append((index, p))
    flush()
    return out


def stated_percents(paragraphs: tuple[Paragraph, ...]) -> list[tuple[int, Decimal]]:
    """Every share and growth percentage, with its paragraph index (for the precision rule)."""
    out: list[tuple[int, Decimal]] = []
    for index, p in enumerate(paragraphs):
        for m in _TOKEN.finditer(p.text):
            if m.group("share") or m.group("growth"):
                out.append((index, _numbers(m)))
    return out

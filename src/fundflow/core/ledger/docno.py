"""文号 (document numbers) such as ``塔地财社〔2021〕87号``: parse, format, normalise, next free number.

Documents arrive typed by hand or OCR'd, so the year brackets come as 〔〕, [], （）, (), 【】 or 〖〗 and spaces
creep in ("87 号"); :func:`normalise` maps all of them to the canonical 〔〕 form so a number is unique however
it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_OPEN = "〔[［(（【〖"
_CLOSE = "〕]］)）】〗"
_PATTERN = re.compile(
    rf"^(?P<prefix>[^\s{re.escape(_OPEN)}]+)[{re.escape(_OPEN)}](?P<year>\d{{4}})[{re.escape(_CLOSE)}]"
    r"(?P<seq>\d+)号$"
)


@dataclass(frozen=True, slots=True)
class DocNo:
    prefix: str
    year: int
    seq: int

    def __str__(self) -> str:
        return format_doc_no(self.prefix, self.year, self.seq)


def format_doc_no(prefix: str, year: int, seq: int) -> str:
    """``塔地财社〔2021〕87号``; the sequence is written without leading zeros."""
    return f"{prefix}〔{year}〕{seq}号"


def normalise(text: str) -> str:
    """Remove all whitespace (incl. full-width) and map year brackets to 〔〕; leading zeros of 号 are dropped.

    Text that is not a 文号 is returned with whitespace removed only.
    """
    compact = "".join(text.split()).replace("\u3000", "")
    parsed = parse(compact)
    return str(parsed) if parsed is not None else compact


def parse(text: str) -> DocNo | None:
    """The parts of a 文号, or None when ``text`` is not one (any bracket variant, spaces allowed)."""
    compact = "".join(text.split()).replace("\u3000", "")
    match = _PATTERN.match(compact)
    if match is None:
        return None
    seq = int(match["seq"])
    if seq <= 0:
        return None
    return DocNo(match["prefix"], int(match["year"]), seq)


def next_number(prefix: str, year: int, taken: Iterable[int]) -> int:
    """The next 号 for ``prefix`` and ``year``: one past the highest taken, so numbers are never reused.

    Gaps (numbers entered by hand for outside documents, or skipped) are not filled: a 号 once passed may have
    been printed on paper already.
    """
    return max(taken, default=0) + 1

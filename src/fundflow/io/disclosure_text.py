"""Reading a published disclosure (text with tab-separated tables, like seed 004) into a :class:`Disclosure`.

The reader follows the document as a person does: ``表一：`` … ``表九：`` start the tables (the title line says
which table it is), ``编制单位：`` names the unit, tab-separated lines are the grid, other lines inside a table
are notes (``备注：…``); 第三部分 after the tables is the narrative, whose ``一、关于…`` headings set the section
of each paragraph; 第四部分 is the glossary. The table of contents at the top is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from fundflow.core.disclosure.stated import Disclosure, Paragraph, StatedTable, TableKey
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.io.disclosure_grid import GridError, GridLine, clean, parse_table

Numbered = list[tuple[int | None, str]]

_MARKER = re.compile(r"^\s*表([一二三四五六七八九])\s*[：:]")
# a page number or continuation mark printed between the pages of a split table: ``- 12 -``, ``第 3 页``, ``（续表）``
_PAGE = re.compile(
    r"^\s*(?:[-—–－\s]*(?:第\s*)?\d+\s*(?:页)?(?:\s*/\s*共?\s*\d+\s*页?)?[-—–－\s]*|[（(]?续表?[）)]?)\s*$"
)
_SECTION = re.compile(r"^\s*([一二三四五六七八九十]+)、")
_TITLE_KEYWORDS = (
    ("三公", TableKey.THREE_PUBLIC),
    ("政府性基金", TableKey.FUND),
    ("财政拨款", TableKey.FISCAL),
    ("收支总体", TableKey.OVERVIEW),
    ("收入总体", TableKey.INCOME),
    ("支出总体", TableKey.EXPENDITURE),
    ("基本支出", TableKey.GPB_BASIC),
    ("项目支出", TableKey.GPB_PROJECT),
    ("一般公共预算支出", TableKey.GPB),
)


def table_key(title: str) -> TableKey | None:
    """Which of the nine tables a title names (``单位收支总体情况表`` → 收支总体)."""
    text = clean(title)
    return next((key for word, key in _TITLE_KEYWORDS if word in text), None)


def read_disclosure_text(path: Path) -> Disclosure:
    """Read a text file; unreadable files and unrecognisable tables raise PlanError (Chinese, with lines)."""
    if not path.exists():
        raise PlanError.single("file.missing", "文件不存在", Location(str(path)))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "文本文件不是 UTF-8 编码", Location(str(path))) from None
    return parse_disclosure([(i, line) for i, line in enumerate(text.splitlines(), 1)], str(path))


def parse_disclosure(lines: Numbered, source: str | None = None) -> Disclosure:
    """Parse numbered lines (text lines, or sheet rows joined by tabs) into tables and paragraphs."""
    markers = [i for i, (_, t) in enumerate(lines) if _MARKER.match(t)]
    narrative_at = next(
        (i for i, (_, t) in enumerate(lines) if t.strip().startswith("第三部分") and (not markers or i > markers[-1])),
        len(lines),
    )
    tables: dict[TableKey, StatedTable] = {}
    problems: list[Problem] = []
    unit = ""
    for n, start in enumerate(markers):
        end = markers[n + 1] if n + 1 < len(markers) else narrative_at
        block = lines[start + 1 : end]
        title = next((t for _, t in block if t.strip() and "\t" not in t), "")
        key = table_key(title)
        number = lines[start][0]
        if key is None:
            problems.append(
                Problem("disclosure.table-missing", f"无法识别表名“{title.strip()}”", Location(source, number))
            )
            continue
        grid = [GridLine(no, t.split("\t")) for no, t in block if "\t" in t]
        notes = tuple(
            t.strip()
            for _, t in block
            if t.strip()
            and "\t" not in t
            and clean(t) != clean(title)
            and not _PAGE.match(t)
            and not t.strip().startswith(("编制单位", "单位："))
        )
        for _, t in block:
            if t.strip().startswith("编制单位") and not unit:
                unit = re.split(r"[：:]", t, maxsplit=1)[-1].strip()
        try:
            tables[key] = parse_table(key, grid, notes, number)
        except GridError as exc:
            problems.append(
                Problem("disclosure.table-missing", f"{key.number}无法读取：{exc}", Location(source, number))
            )
    if problems:
        raise PlanError(problems)
    paragraphs, glossary = _narrative(lines[narrative_at + 1 :])
    return Disclosure(unit, _year(lines), tables, paragraphs, source, glossary)


def _year(lines: Numbered) -> int | None:
    for _, t in lines[:40]:
        if m := re.search(r"(\d{4})\s*年\s*(?:单位|部门)?预算公开", t):
            return int(m.group(1))
    return None


def _narrative(lines: Numbered) -> tuple[tuple[Paragraph, ...], tuple[str, ...]]:
    paragraphs: list[Paragraph] = []
    glossary: list[str] = []
    section = ""
    in_glossary = False
    for number, text in lines:
        t = text.strip()
        if not t or "\t" in text:
            continue
        if t.startswith("第四部分"):
            in_glossary = True
            continue
        if in_glossary:
            glossary.append(t)
            continue
        if m := _SECTION.match(t):
            section = m.group(1)
        paragraphs.append(Paragraph(section, t, number))
    return tuple(paragraphs), tuple(glossary)

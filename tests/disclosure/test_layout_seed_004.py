"""The generated tables are laid out as seed 004 prints them: titles, header rows, column order, total labels."""

import re

import pytest

from fundflow.core.disclosure.stated import TableKey, normalise
from fundflow.io.disclosure_grid import GridLine, layout, parse_table
from fundflow.io.disclosure_xlsx import write_disclosure_xlsx
from tests.disclosure.conftest import SEED_004

# The seed's text extraction clips this narrow header cell after 额 (the generator prints 额度）).
CLIPPED = {"单位年余（不含库中支付额"}


def _seed_blocks() -> dict[str, tuple[str, list[list[str]]]]:
    """表一 … 表九 of the seed text: the title line and the tab-separated rows."""
    lines = SEED_004.read_text(encoding="utf-8").splitlines()
    end = next(i for i, t in enumerate(lines) if t.startswith("第三部分") and i > 100)
    blocks: dict[str, tuple[str, list[list[str]]]] = {}
    current = ""
    for text in lines[:end]:
        if m := re.match(r"^(表[一二三四五六七八九])：", text):
            current = m.group(1)
            blocks[current] = ("", [])
        elif current:
            title, rows = blocks[current]
            if "\t" in text:
                rows.append(text.split("\t"))
            elif text.strip() and not title:
                blocks[current] = (text.strip(), rows)
    return blocks


SEED = _seed_blocks()


def _labels(row: list[str]) -> list[str]:
    """The non-empty, non-numeric cells of a row, whitespace removed."""
    out = [normalise(c) for c in row]
    return [c for c in out if c and not re.fullmatch(r"[\d.]+", c)]


def _same(ours: list[str], seed: list[str]) -> bool:
    return len(ours) == len(seed) and all(
        a == b or (b in CLIPPED and a.startswith(b)) for a, b in zip(ours, seed, strict=True)
    )


@pytest.mark.parametrize("key", list(TableKey), ids=lambda k: k.number)
def test_title_header_and_total_labels_match_the_seed(key, akto_package):
    title, seed_rows = SEED[key.number]
    drawn = layout(akto_package.tables[key])
    assert key.heading == normalise(title)
    for ours, seed in zip(drawn.grid[: drawn.header], seed_rows[: drawn.header], strict=True):
        assert _same(_labels(ours), _labels(seed)), (ours, seed)
    # the row below the header is data, not a further header row of the seed
    assert _labels(seed_rows[drawn.header]) != ["类", "款", "项"]
    assert _labels(drawn.grid[-1]) == _labels(seed_rows[-1])


@pytest.mark.parametrize("key", [TableKey.OVERVIEW, TableKey.FISCAL], ids=lambda k: k.number)
def test_income_side_labels_match_the_seed(key, akto_package):
    _, seed_rows = SEED[key.number]
    drawn = layout(akto_package.tables[key])
    ours = [normalise(r[0]) for r in drawn.grid[drawn.header :] if r[0].strip()]
    assert ours == [normalise(r[0]) for r in seed_rows[2:] if r[0].strip()]


def test_spanning_header_cells_are_merged_in_the_xlsx(akto_package, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "akto.xlsx"
    write_disclosure_xlsx(akto_package, path)
    wb = load_workbook(path)
    merged = {name: {str(r) for r in wb[name].merged_cells.ranges} for name in wb.sheetnames}
    assert {"A5:B5", "C5:D5"} <= merged["表一"]  # 收入 / 支出
    assert {"A5:C5", "D5:D6", "E5:E6"} <= merged["表二"]  # 功能分类科目编码 over 类/款/项
    assert {"A5:D5", "E5:G5", "A6:C6"} <= merged["表三"]
    assert {"A5:A6", "C5:E5", "F5:F6"} <= merged["表八"]  # 公务用车购置及运行费 over its two columns
    assert wb["表二"]["A5"].value == "功能分类科目编码"
    assert wb["表八"]["C5"].value == "公务用车购置及运行费"


def test_readers_accept_the_seed_and_the_canonical_labels():
    canonical = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "上年结转"]
    printed = ["总计", "一般公共预算拨款", "政府基金预算拨款", "国有资本经营预算", "财政专户（教育收费）", "单位年余"]
    tables = []
    for labels in (canonical, printed):
        rows = [
            GridLine(1, ["功能分类科目编码", "", "", "功能分类科目名称", *labels]),
            GridLine(2, ["类", "款", "项", ""]),
            GridLine(3, ["210", "", "", "卫生健康支出", "5", "5", "", "", "", ""]),
        ]
        tables.append(parse_table(TableKey.INCOME, rows))
    assert tables[0].columns == tables[1].columns == tuple(canonical)
    assert tables[0].rows == tables[1].rows

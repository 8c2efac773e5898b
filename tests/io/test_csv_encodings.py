"""CSV files as Chinese software saves them: Excel's default GBK, UTF-8 with or without a BOM (issue 13 item 8)."""

from __future__ import annotations

import codecs
from decimal import Decimal as D

import pytest

from fundflow.core.errors import PlanError
from fundflow.io.encoding import decode_text
from fundflow.io.recipients_file import read_recipients_file

TEXT = "分组,名称,低保对象人数\n塔城地区,额敏县,6580\n塔城地区,裕民县,2130\n"


@pytest.mark.parametrize(
    "content",
    [TEXT.encode("gb18030"), TEXT.encode("gbk"), TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8")],
    ids=["gb18030", "gbk", "utf-8", "utf-8-bom"],
)
def test_the_cli_reads_a_recipients_csv_in_any_of_these_encodings(tmp_path, content):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    recipients = read_recipients_file(path)
    assert [(r.group, r.name, r.values) for r in recipients] == [
        ("塔城地区", "额敏县", {"低保对象人数": D(6580)}),
        ("塔城地区", "裕民县", {"低保对象人数": D(2130)}),
    ]


def test_a_file_that_is_neither_is_a_chinese_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(PlanError) as caught:
        read_recipients_file(path)
    assert caught.value.problems[0].rule == "file.encoding"
    assert "不是 UTF-8 编码，也不是 GBK/GB18030 编码" in caught.value.problems[0].message


def test_utf8_wins_when_the_bytes_are_valid_utf8():
    assert decode_text("额敏县".encode()) == "额敏县"
    assert decode_text("额敏县".encode("gb18030")) == "额敏县"

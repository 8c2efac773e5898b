"""Decoding uploaded or local text files (CSV, tab-separated text) whatever Chinese software saved them as.

Excel in China saves "CSV" as GBK by default and Notepad may add a UTF-8 byte-order mark, so a file is read as
UTF-8 (with or without BOM) when it is valid UTF-8, else as GB18030 (a superset of GBK and GB2312). Valid UTF-8
Chinese text is practically never also meaningful GB18030 and the reverse is checked, so the guess is safe.
"""

from __future__ import annotations

import codecs


def decode_text(content: bytes) -> str:
    """The text of ``content``; ValueError (a UnicodeDecodeError) when it is neither UTF-8 nor GB18030."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030")

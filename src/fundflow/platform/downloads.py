"""Download responses: the content with a Chinese file name that cannot split or inject a header."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def download_name(filename: str) -> str:
    """A file name safe to offer for download: no path separators or control characters, never empty."""
    cleaned = "".join("_" if ch in "/\\" or unicodedata.category(ch)[0] == "C" else ch for ch in filename)
    cleaned = cleaned.strip().strip(".") or "download"
    return cleaned


def content_disposition(filename: str) -> str:
    """``attachment`` with the name in Chinese (RFC 5987 ``filename*``) and a plain ASCII fallback."""
    name = download_name(filename)
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    fallback = f"download.{suffix}" if suffix.isascii() and suffix.isalnum() else "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    """``content`` as an attachment named ``filename`` (e.g. 提前下达2021年…分配表.xlsx)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response

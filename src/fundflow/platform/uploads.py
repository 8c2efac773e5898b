"""Uploaded files, taken the same way by every page and API call: the size limit is checked before the file is
read into memory, and what a service receives is plain ``(filename, bytes)``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from fundflow.platform.errors import ServiceError

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_ROWS = 20_000


def upload_max_bytes() -> int:
    """Largest accepted upload (setting FUNDFLOW_UPLOAD_MAX_BYTES): a bigger file is refused before it is read."""
    return int(getattr(settings, "FUNDFLOW_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES))


def upload_max_rows() -> int:
    """Most data rows one upload may hold (setting FUNDFLOW_UPLOAD_MAX_ROWS); reading stops past it."""
    return int(getattr(settings, "FUNDFLOW_UPLOAD_MAX_ROWS", UPLOAD_MAX_ROWS))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def check_upload_size(filename: str, size: int | None) -> None:
    """Refuse a file over the size limit (services check the bytes they get again, for the CLI and tests)."""
    limit = upload_max_bytes()
    if size is not None and size > limit:
        raise ServiceError(
            f"文件 {filename} 大小为 {_megabytes(size)}，超过上传上限 {_megabytes(limit)}，未导入任何数据。"
            "请删去无关的工作表、行和列后重新上传。"
        )


def read_upload(upload: Any) -> tuple[str, bytes]:
    """An uploaded file (a form's or serializer's cleaned ``file``) as ``(filename, content)``; a ServiceError
    naming the file when it is over the limit, before any of it is read."""
    check_upload_size(upload.name, upload.size)
    return upload.name, upload.read()

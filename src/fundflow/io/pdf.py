"""DOCX → PDF through headless LibreOffice (Debian ``libreoffice-writer-nogui``).

Known pitfalls handled here (see ../shared/design/ECOSYSTEM.md): parallel ``soffice`` runs collide on the
shared user profile and can hang or fail silently, so every conversion gets its own temporary profile
directory and a timeout; the output file's existence is checked rather than trusting the exit code.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from fundflow.core.errors import Location, PlanError

TIMEOUT_SECONDS = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_bytes(docx: bytes, *, timeout: int = TIMEOUT_SECONDS) -> bytes:
    """The PDF of a Word document given as bytes. LibreOffice converts files only, so the files it needs live
    here, in a private temporary folder, and nowhere in services or views."""
    with tempfile.TemporaryDirectory(prefix="fundflow-pdf-") as tmp:
        source = Path(tmp) / "package.docx"
        source.write_bytes(docx)
        target = Path(tmp) / "out" / "package.pdf"
        docx_to_pdf(source, target, timeout=timeout)
        return target.read_bytes()


def docx_to_pdf(docx: Path, pdf: Path, *, timeout: int = TIMEOUT_SECONDS) -> None:
    """Convert ``docx`` to ``pdf``. Raises PlanError (Chinese message) when LibreOffice is missing or fails."""
    program = soffice()
    if program is None:
        raise PlanError.single(
            "file.pdf-unavailable",
            "无法生成 PDF：未安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui）",
            Location(str(pdf)),
        )
    with tempfile.TemporaryDirectory(prefix="fundflow-soffice-") as tmp:
        work = Path(tmp)
        profile = (work / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx),
        ]
        try:
            subprocess.run(command, check=False, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PlanError.single(
                "file.pdf-failed", f"LibreOffice 在 {timeout} 秒内未完成 PDF 转换", Location(str(pdf))
            ) from None
        produced = work / (docx.stem + ".pdf")
        if not produced.exists() or produced.stat().st_size == 0:
            raise PlanError.single("file.pdf-failed", "LibreOffice 未能生成 PDF", Location(str(pdf)))
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), pdf)

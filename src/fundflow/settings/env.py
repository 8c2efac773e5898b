"""Environment variables read by the settings modules and by ``fundflow init`` — parsing only, no side effects.

Every variable is documented in docs/deployment.md. Invalid values raise ``ImproperlyConfigured`` naming the
variable, so a typo stops the server at start instead of silently running with a default.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_FILENAME = "secret_key"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 的值“{raw}”无效：应为 1 或 0。")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 的值“{raw}”无效：应为整数。") from None
    if value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name} 的值“{raw}”无效：不能小于 {minimum}。")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """Comma-separated list; blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def data_dir() -> Path:
    """Where SQLite and the secret key file live: ``FUNDFLOW_DATA_DIR``, default ``./var``. Not created here."""
    return Path(os.environ.get("FUNDFLOW_DATA_DIR") or Path.cwd() / "var").resolve()


def secret_key_file(directory: Path) -> Path:
    """``FUNDFLOW_SECRET_KEY_FILE`` (e.g. a mounted secret), else ``secret_key`` in the data directory."""
    if explicit := env_str("FUNDFLOW_SECRET_KEY_FILE"):
        return Path(explicit)
    return directory / SECRET_KEY_FILENAME


def configured_secret_key(directory: Path) -> str | None:
    """The secret key from ``FUNDFLOW_SECRET_KEY`` or the key file; ``None`` when neither exists (read only)."""
    if key := env_str("FUNDFLOW_SECRET_KEY"):
        return key
    try:
        key = secret_key_file(directory).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return key or None


def require_secret_key(directory: Path) -> str:
    """The configured secret key, or a clear refusal: the key is never invented at import time."""
    key = configured_secret_key(directory)
    if key is None:
        raise ImproperlyConfigured(
            f"未配置密钥（SECRET_KEY）：没有环境变量 FUNDFLOW_SECRET_KEY，也没有密钥文件 {secret_key_file(directory)}。"
            "\n请先运行 fundflow init（会创建数据目录和密钥文件），"
            "或设置 FUNDFLOW_SECRET_KEY / FUNDFLOW_SECRET_KEY_FILE。"
        )
    return key

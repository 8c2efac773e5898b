"""Production: a server reached over the network over HTTPS (``DJANGO_SETTINGS_MODULE=fundflow.settings.production``).

Base settings plus: a configured secret key (refused at start otherwise — never generated here), DEBUG always
off, HTTPS only (SSL redirect, HSTS, Secure cookies), HttpOnly CSRF cookie, a 30-minute idle session timeout, and
JSON log lines on stdout. Behind a TLS-terminating proxy set ``FUNDFLOW_TRUSTED_PROXY`` to the proxy's address so
the original scheme is read from X-Forwarded-Proto. Every variable: docs/deployment.md.
"""

from __future__ import annotations

from fundflow.settings.base import *  # noqa: F403
from fundflow.settings.base import DATA_DIR, FUNDFLOW_TRUSTED_PROXY, LOG_LEVEL, logging_config
from fundflow.settings.env import env_bool, env_int, env_str, require_secret_key

SECRET_KEY = require_secret_key(DATA_DIR)
DEBUG = False

# HTTPS only. The redirect can be switched off when the proxy already redirects; /healthz stays reachable over
# plain HTTP for load-balancer and container probes.
SECURE_SSL_REDIRECT = env_bool("FUNDFLOW_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if FUNDFLOW_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("FUNDFLOW_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FUNDFLOW_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True  # forms carry the token in a hidden field; no script reads the cookie

# Idle timeout: the session expires after this many minutes without a request (each request renews it).
SESSION_COOKIE_AGE = env_int("FUNDFLOW_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGGING = logging_config(env_str("FUNDFLOW_LOG_FORMAT", "json"), LOG_LEVEL)

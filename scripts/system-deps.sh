#!/usr/bin/env bash
# Install the Debian packages fundflow's tests need, only when missing:
#   postgresql (server for the PostgreSQL test run), chromium (browser tests), fonts-noto-cjk (Chinese glyphs),
#   libreoffice-writer-nogui (DOCX → PDF for generated documents).
set -euo pipefail
need=()
ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: please install as root: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

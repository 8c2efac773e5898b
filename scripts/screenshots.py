"""Take the README's screenshots of the web system from a fresh demo database.

Run from the repository: ``.venv/bin/python scripts/screenshots.py``. It makes a throwaway data directory,
runs ``fundflow demo`` and ``fundflow serve --port 8799`` there, drives Debian's headless Chromium
(``apt-get install chromium fonts-noto-cjk``; no browser download) at 1366×768 as demo-tacheng (plan list and
plan, an indicator or 待接收, 直达资金监控 with its drill-down and trace/Sankey page, 预警) and demo-region (the
因素法 form, the seed-001 table, 尾差调整, an explanation, the indicator document 新财社〔2020〕34号), writes PNGs
to docs/screenshots/, and stops the server. The pages are the demo's ledger chain as ``fundflow demo`` loads it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8799
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
SEED_001_DOCUMENT = "新财社〔2020〕34号"
TACHENG_DOCUMENT = "塔地财社〔2023〕32号"
MONITOR_YEAR = 2021
MONITOR_FUND = "中央财政医疗救助补助资金（城乡医疗救助补助资金）"


def fundflow_command() -> list[str]:
    script = Path(sys.executable).with_name("fundflow")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from fundflow.cli import main; sys.exit(main())"]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for_server(server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"fundflow serve exited early with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"fundflow serve did not answer on {BASE} within {timeout:.0f} s")


def new_context(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", device_scale_factor=1)
    context.set_default_timeout(15_000)
    return context


def log_in(page, username: str, password: str) -> None:
    page.goto(f"{BASE}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{BASE}/allocations/")


def open_plan(page, document_number: str) -> None:
    page.goto(f"{BASE}/allocations/")
    row = page.locator("table.grid tbody tr").filter(has_text=document_number)
    row.get_by_role("link").first.click()
    page.wait_for_selector("h1")


def shoot(page, name: str, *, full_page: bool = False) -> None:
    path = OUT / name
    page.screenshot(path=str(path), full_page=full_page)
    print(f"  {path.relative_to(ROOT)}")


def scroll_to(page, selector: str) -> None:
    """Bring a section to the top of the viewport (less a little air), as a reader scrolling to it would."""
    script = "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 12)"
    page.locator(selector).first.evaluate(script)


def shoot_tacheng(browser, password: str) -> None:
    """Prefecture staff: login, plan list, the 48.5 万元 plan, 待接收 or an indicator, monitoring, trace, warnings."""
    from playwright.sync_api import expect

    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{BASE}/login/")
    page.get_by_label("用户名").fill("demo-tacheng")
    shoot(page, "login.png")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{BASE}/allocations/")
    shoot(page, "plan-list.png")
    open_plan(page, TACHENG_DOCUMENT)
    expect(page.locator("#result tbody tr").first).to_contain_text("48.50")
    shoot(page, "plan-detail.png")

    # 待接收 when the demo leaves something pending, else the indicator Tacheng received from the region.
    page.goto(f"{BASE}/ledger/indicators/?view=pending")
    if page.locator("#pending-link").inner_text() != "待接收（0）":
        shoot(page, "pending.png")
    else:
        page.goto(f"{BASE}/ledger/indicators/")
        row = page.locator("table.grid tbody tr").filter(has_text=SEED_001_DOCUMENT).filter(has_text="塔城地区")
        row.get_by_role("link").first.click()
        page.wait_for_selector("h1")
        shoot(page, "indicator.png")

    # 直达资金监控 of the seed-001 fund, then the indicators behind Tacheng's received figure and its trace.
    page.goto(f"{BASE}/ledger/monitor/")
    page.locator("select[name=year]").select_option(str(MONITOR_YEAR))
    page.locator("select[name=fund]").select_option(MONITOR_FUND)
    page.get_by_role("button", name="查询").click()
    monitor = page.locator("table.monitor tbody tr")
    expect(monitor.first).to_contain_text("塔城地区")
    shoot(page, "monitor.png")
    monitor.first.locator("td a").first.click()
    page.wait_for_selector("h1")
    shoot(page, "monitor-drill.png")
    page.get_by_role("link", name="追溯").first.click()
    page.wait_for_selector("#sankey canvas")
    page.wait_for_timeout(1500)  # ECharts animates the diagram in; let it settle.
    shoot(page, "trace.png")

    page.goto(f"{BASE}/ledger/warnings/")
    expect(page.locator("table.grid tbody tr").first).to_contain_text("warn.")
    shoot(page, "warnings.png")
    context.close()


def shoot_region(browser, password: str) -> None:
    """Region staff: the 因素法 form, the seed-001 table, an explanation, 尾差调整 and the indicator document."""
    from playwright.sync_api import expect

    context = new_context(browser)
    page = context.new_page()
    log_in(page, "demo-region", password)
    page.goto(f"{BASE}/allocations/new/?method=factor")
    page.get_by_label("标题").fill("2021年中央财政医疗救助补助资金分配表")
    page.get_by_label("资金名称").fill("中央财政医疗救助补助资金")
    page.get_by_label("资金总额").fill("101782")
    shoot(page, "plan-form.png", full_page=True)

    open_plan(page, SEED_001_DOCUMENT)
    expect(page.locator("#status")).to_have_text("已审定")
    shoot(page, "seed-001-table.png")
    scroll_to(page, "#adjustments-title")
    expect(page.locator("#adjustments tbody tr")).to_have_count(2)
    shoot(page, "plan-adjustments.png")
    page.locator("#result tbody tr.line").filter(has_text="乌什县").locator("td a").last.click()
    expect(page.locator("h1")).to_have_text("计算过程：乌什县")
    shoot(page, "explain.png")

    page.goto(f"{BASE}/ledger/documents/")
    page.get_by_role("link", name=SEED_001_DOCUMENT).click()
    page.wait_for_selector("h1")
    shoot(page, "document.png")
    context.close()


def take(password: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            shoot_tacheng(browser, password)
            shoot_region(browser, password)
        finally:
            browser.close()


def main() -> int:
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 1
    if port_in_use(PORT):
        print(f"Port {PORT} is already in use; stop whatever listens there first.", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    with tempfile.TemporaryDirectory(prefix="fundflow-screenshots-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FUNDFLOW_SECRET_KEY")}
        env.update(FUNDFLOW_DATA_DIR=data_dir, FUNDFLOW_DEMO_PASSWORD=password, FUNDFLOW_DEBUG="")
        print(f"fundflow demo (data directory {data_dir})")
        subprocess.run([*fundflow_command(), "demo"], env=env, cwd=data_dir, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [*fundflow_command(), "serve", "--port", str(PORT)],
            env=env,
            cwd=data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_server(server)
            print(f"fundflow serve on {BASE}; screenshots:")
            take(password)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

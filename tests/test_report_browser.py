"""The demo's report in a real browser: headless Chromium opens the index and an evidence page
with name resolution off, and they must render without console errors, with the copy rows and
their links. Screenshots are saved (the test's tmp directory, or $SYNDETECT_SCREENSHOTS)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CLI, TEST_CRAWL, syndetect_ok

from crawler.demo.render import load_content
from crawler.demo.runner import discovery_of, write_config
from crawler.demo.server import serve_web

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (.ci/run installs it)", pytrace=False)
    pytest.skip("chromium is not installed", allow_module_level=True)

# No name resolves: a page that needed the network would show it as a failed load.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
CONSOLE = re.compile(r":(?:INFO|WARNING|ERROR):CONSOLE[:(]\d+\)?\] (.*)")


def browse(page: Path, screenshot: Path | None = None) -> tuple[str, list[str]]:
    """The rendered DOM of `page` and the console messages it logged."""
    extra = [f"--screenshot={screenshot}", "--window-size=1280,2400"] if screenshot else []
    action = [] if screenshot else ["--dump-dom"]
    result = subprocess.run(
        [CHROMIUM, *FLAGS, *extra, *action, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=page.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, CONSOLE.findall(result.stderr)


def shots(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("SYNDETECT_SCREENSHOTS") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_the_harness_sees_console_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction();</script>", "utf-8")
    _, console = browse(page)
    assert any("undefinedFunction" in line for line in console)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> tuple[Path, list[dict]]:
    tmp = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{tmp / 'demo.db'}"
    content = load_content()
    with serve_web(content, discovery_of(content), first_address=190) as web:
        config = write_config(web, content, tmp / "sites.toml", TEST_CRAWL)
        subprocess.run([*CLI, "--db", db, "--quiet", "run", str(config)], check=True, timeout=300)
    syndetect_ok("--db", db, "report", "--format", "html", "--out", str(tmp / "report"))
    exported = syndetect_ok("--db", db, "export", "matches")
    return tmp / "report", [json.loads(line) for line in exported.stdout.splitlines()]


def test_demo_report_renders_in_a_browser(demo_report, tmp_path):
    report, copies = demo_report
    dom, console = browse(report / "index.html")
    assert console == []
    assert len(re.findall(r'<tr class="copy-row">', dom)) == len(copies) == 11
    for copy in copies:
        assert f'href="evidence/match-{copy["id"]}.html"' in dom
    assert dom.count("<svg") == 2, "the weekly chart and the graph"
    assert "What could not be seen" not in dom  # every demo site was crawled
    screenshot = shots(tmp_path) / "report-index.png"
    browse(report / "index.html", screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000, "a blank page is a few kB"


def test_sibling_evidence_page_renders_in_a_browser(demo_report, tmp_path):
    report, _ = demo_report
    index = (report / "index.html").read_text("utf-8")
    sibling = re.search(
        r'<tr class="sibling-row">.*?href="(evidence/match-\d+\.html)"', index, re.S
    )
    page = report / sibling.group(1)
    dom, console = browse(page)
    assert console == []
    assert "sibling" in dom and "daily-planet" in dom and 'href="../index.html"' in dom
    assert dom.count('<td colspan="2">none recorded</td>') == 0, "aligned passages are shown"
    screenshot = shots(tmp_path) / "report-evidence.png"
    browse(page, screenshot)
    assert screenshot.stat().st_size > 20_000

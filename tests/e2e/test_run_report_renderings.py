"""Issue 14, run report: the markdown, the HTML page and the CSV of a demo run are three
renderings of one model (pipeline/report_model.py), so they carry the same sections and the
same totals; the page draws its charts inline and prints. Run through the installed CLI."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qbo_sync.pipeline import report_model as model
from tests.console.conftest import chromium_path  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("qbo-sync"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"


def _cli(config: str, *argv: str) -> str:
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("QBO_SYNC_")}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    done = subprocess.run([CLI, "--config", config, *argv], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stdout


def _number(text: str) -> float:
    return float(text.replace("**", "").replace(",", "").strip())


def _markdown_totals(markdown: str) -> dict[str, list[float]]:
    found, title = {}, None
    for line in markdown.splitlines():
        if line.startswith("## "):
            title = line[3:]
        elif line.startswith("| **Total**"):
            found[title] = [_number(c) for c in line.strip("|").split("|")[1:] if c.strip()]
    return found


def _html_totals(page: str) -> dict[str, list[float]]:
    found = {}
    for title, body in re.findall(r"<h2>(.*?)</h2>(.*?)</section>", page, re.S):
        foot = re.search(r"<tfoot>(.*?)</tfoot>", body, re.S)
        if foot:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", foot.group(1))
            found[title.replace("&amp;", "&")] = [_number(c) for c in cells[1:] if c.strip()]
    return found


def test_markdown_html_and_csv_carry_the_same_sections_and_totals(prefect, make_resources, config_for,
                                                                     chromium_path):
    res = make_resources()
    config = config_for(res)
    markdown = _cli(config, "sync", "--all", "--yes")
    report = json.loads(_cli(config, "report", "--json"))
    page = Path(_cli(config, "report", "--html").strip()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(open(_cli(config, "report", "--csv").strip(), encoding="utf-8-sig")))

    sections = model.sections(report)
    titles = [s.title for s in sections]
    assert {"Preview", "Pushed to QuickBooks", "Job cost pushed per project", "Status",
            "Needs your attention", "Imported"} <= set(titles)
    assert [line[3:] for line in markdown.splitlines() if line.startswith("## ")] == titles
    assert [t.replace("&amp;", "&") for t in re.findall(r"<h2>(.*?)</h2>", page)] == titles
    assert list(dict.fromkeys(r["section"] for r in rows)) == [s.key for s in sections]

    # The same totals row in each rendering, and each total is the sum of the section's rows.
    md_totals, html_totals = _markdown_totals(markdown), _html_totals(page)
    with_totals = [s for s in sections if s.totals]
    assert set(md_totals) == set(html_totals) == {s.title for s in with_totals}
    for section in with_totals:
        figures = [c for c in section.columns if c.figure]
        csv_rows = [r for r in rows if r["section"] == section.key]
        first = next(c for c in section.columns if not c.figure).key
        csv_total = [float(next(r["value"] for r in csv_rows if r[first] == "Total"
                                and r["status" if c.csv_field == "status" else "measure"] == c.key))
                     for c in figures]
        summed = [round(sum(float(r["value"]) for r in csv_rows if r[first] != "Total"
                            and r["status" if c.csv_field == "status" else "measure"] == c.key), 2)
                  for c in figures]
        assert md_totals[section.title] == html_totals[section.title] == pytest.approx(csv_total), section.title
        assert csv_total == pytest.approx(summed), section.title

    # The hours total is what QuickBooks now holds; projects are named next to their ids.
    client = res.qbo.client()
    activities = client.query("SELECT * FROM TimeActivity MAXRESULTS 1000")["QueryResponse"].get("TimeActivity", [])
    in_qbo = sum(a["Hours"] + a["Minutes"] / 60 for a in activities)
    per_project = next(s for s in sections if s.key == "pushed per project")
    assert per_project.totals[2] == pytest.approx(in_qbo, abs=0.01)
    assert all(row[0] for row in per_project.rows if row[1] != "(no project)")
    assert f"<td>{per_project.rows[0][0]}</td><td>{per_project.rows[0][1]}</td>" in page
    status = next(s for s in sections if s.key == "status")
    assert status.totals[1:] == [sum(c[column.label] for c in report["counts"].values())
                                 for column in status.columns[1:]]

    # The page in Chromium: charts drawn inline, nothing fetched, and a print layout.
    from playwright.sync_api import sync_playwright

    from tests.console.conftest import CHROMIUM_ARGS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "run-report.html"
    path.write_text(page, encoding="utf-8")
    fetched = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto(path.as_uri())
        assert tab.locator("svg[role=img]").count() == 3   # hours, amounts per project; statuses
        assert tab.locator("svg rect").count() > len(per_project.rows)
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        tab.screenshot(path=str(ARTIFACTS / "run-report.png"), full_page=True)
        tab.emulate_media(media="print")
        tab.screenshot(path=str(ARTIFACTS / "run-report-print.png"), full_page=True)
        tab.pdf(path=str(ARTIFACTS / "run-report.pdf"), prefer_css_page_size=True)
        browser.close()
    assert fetched == [path.as_uri()], "the page loads nothing else: no CDN, no script"

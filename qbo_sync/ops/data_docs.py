"""Great Expectations Data Docs for a run's validation, for data engineers tuning suites.

The staging validation (qbo_sync.validation) keeps only plain reasons per record, so the
Data Docs site is built by running the same suites, with the same suite parameters, over
the entity's staged source rows through a GX Checkpoint. Each run gets its own static site
under reports_dir/data-docs/<run>/ (index.html, one page per suite and per validation);
the run's HTML report and a Prefect link artifact point at its index.html, which the
console serves (qbo_sync.console.files).

The site is self-contained: GX's pages load Bootstrap, jQuery, bootstrap-table, Font
Awesome and Vega from CDNs, and the machines that run qbo-sync are often offline. Every
page loses its scripts and remote stylesheets and gets data_docs.css (the few classes
they use); GX's index, a table that only its scripts fill in, is replaced by a static one.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

from qbo_sync import entities as registry
from qbo_sync.sources.schema import TABLES

SITE = "qbo_sync"
DOCS_FOLDER = "data-docs"


def site_dir(reports_dir: Path, run_key: str | None) -> Path:
    """Where the site of one run lives; run_key is the flow-run id (or any label)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", run_key or "local")
    return Path(reports_dir) / DOCS_FOLDER / safe


def index_of(reports_dir: Path, run_key: str | None) -> Path | None:
    """The run's Data Docs index.html, when it was built."""
    index = site_dir(reports_dir, run_key) / "index.html"
    return index.resolve() if index.is_file() else None


def index_for_report(reports_dir: Path, report: dict) -> Path | None:
    """The Data Docs of a run: its own site, else (its validation found nothing changed) the
    newest site that validated its entities."""
    own = index_of(reports_dir, report.get("flow_run_id"))
    if own is not None or not report.get("counts"):
        return own
    return latest_index(reports_dir, suites_of(list(report["counts"])))


def suites_of(entity_names: list[str] | None) -> list[str]:
    return [name for spec in registry.resolve(entity_names) for name in (spec.suite, spec.child_table) if name]


def latest_index(reports_dir: Path, suites: list[str]) -> Path | None:
    """The newest site that validated every one of `suites`: the Data Docs of a run whose
    validation found nothing changed are those of the run that last checked."""
    sites = sorted((Path(reports_dir) / DOCS_FOLDER).glob("*/index.html"), key=lambda p: p.stat().st_mtime,
                   reverse=True)
    return next((index.resolve() for index in sites
                 if all((index.parent / "validations" / suite).is_dir() for suite in suites)), None)


def _tables(db, spec) -> list[tuple[str, object, dict]]:
    """(suite, frame, parameters) per table of the entity: the entity's own rows, and a
    child table's rows (a bill's lines) keyed by the parent's key."""
    import pandas as pd
    from qbo_sync.pipeline import records as staged
    from qbo_sync.pipeline.validating import known_ids

    with db.session() as session:
        rows = staged.load(session, spec.name)
        parameters = known_ids(session, spec.suite_parameters)
        frame = staged.frame(spec.name, rows)
        children = [{**child, spec.key: r.source_id} for r in rows for child in json.loads(r.data.get("lines") or "[]")] \
            if spec.child_table else []
    tables = [(spec.suite, frame, parameters)]
    if spec.child_table:
        child = pd.DataFrame(children, columns=list(TABLES[spec.child_table])).fillna("")
        tables.append((spec.child_table, child,
                       {k: v for k, v in parameters.items() if k in ("known_cost_codes", "known_project_ids")}))
    return tables


def build_data_docs(res, entity_names: list[str] | None, run_key: str | None) -> Path:
    """Validate every staged row of the entities with their suites and write the Data Docs
    site of this run; returns the path of its index.html."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")   # no network here, and none wanted
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from qbo_sync.validation import prepare
    from qbo_sync.validation.suites import build_gx_suite, read_suite_json, suite_path, value_set_parameters

    target = site_dir(res.settings.reports_dir, run_key).resolve()   # GX takes absolute paths only
    target.mkdir(parents=True, exist_ok=True)
    suites_dir = res.settings.validations_dir
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.add_data_docs_site(site_name=SITE, site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(target)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
    source = context.data_sources.add_pandas("staged_source_rows")
    run_id = RunIdentifier(run_name=run_key or "local")
    results: dict[str, object] = {}
    for spec in registry.resolve(entity_names):
        for suite_name, frame, parameters in _tables(res.db, spec):
            data = read_suite_json(suite_name, suites_dir)
            suite = context.suites.add(build_gx_suite(data, suite_path(suite_name, suites_dir)))
            batch = source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe("staged")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=suite_name, data=batch, suite=suite))
            checkpoint = context.checkpoints.add(gx.Checkpoint(
                name=f"qbo-sync-{suite_name}", validation_definitions=[definition],
                result_format={"result_format": "SUMMARY"}))
            sets = value_set_parameters(data)
            values = {k: sorted(v) if k in sets else v for k, v in parameters.items()}
            outcome = checkpoint.run(
                batch_parameters={"dataframe": prepare.prepare_frame(frame, data["meta"].get("prepare", {}))},
                expectation_parameters=values, run_id=run_id)
            results[suite_name] = (next(iter(outcome.run_results.values())), len(frame))
    context.build_data_docs(site_names=[SITE])
    make_self_contained(target)
    write_index(target, run_key or "local", {name: (r.success, r.statistics, rows) for name, (r, rows) in results.items()})
    return target / "index.html"


STYLESHEET = Path(__file__).with_name("data_docs.css")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_HANDLER = re.compile(r"""\son[a-z]+=("[^"]*"|'[^']*')""", re.IGNORECASE)   # onclick="..." attributes
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=[\"'](?:https?:)?//[^>]*>", re.IGNORECASE)
_FAVICON = re.compile(r"(?:\.\./)*static/images/favicon\.ico")   # GX counts the levels of validation pages wrong
_REMOTE_LOGO = re.compile(r"(<img\b[^>]*\bsrc=)[\"']https?://[^\"']*/(logo-long\.png)[^\"']*[\"']", re.IGNORECASE)


def make_self_contained(site: Path) -> None:
    """Every page of the site without scripts, remote stylesheets or remote images."""
    styles = site / "static" / "styles"
    styles.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, styles / STYLESHEET.name)
    for page in site.rglob("*.html"):
        up = "../" * (len(page.relative_to(site).parts) - 1)
        text = page.read_text(encoding="utf-8")
        text = _SCRIPT.sub("", text)
        text = _HANDLER.sub("", text)
        text = _REMOTE_LINK.sub("", text)
        text = _REMOTE_LOGO.sub(rf'\1"{up}static/images/\2"', text)
        text = _FAVICON.sub(f"{up}static/images/favicon.ico", text)
        if STYLESHEET.name not in text:
            text = text.replace("</head>", f'<link rel="stylesheet" href="{up}static/styles/{STYLESHEET.name}">\n</head>', 1)
        page.write_text(text, encoding="utf-8")


def write_index(site: Path, run_key: str, results: dict[str, tuple[bool, dict, int]]) -> None:
    """index.html: each suite of the run, passed or failed, with links to its validation and suite pages."""
    e = html.escape
    rows = []
    for suite, (success, statistics, row_count) in sorted(results.items()):
        pages = sorted((site / "validations" / suite).rglob("*.html"))
        validation = pages[-1].relative_to(site).as_posix() if pages else ""
        link = f'<a href="{e(validation)}">the checks and the rows that failed them</a>' if validation else ""
        passed, evaluated = statistics.get("successful_expectations", 0), statistics.get("evaluated_expectations", 0)
        rows.append(
            f'<tr><td><a href="expectations/{e(suite)}.html">{e(suite)}</a></td>'
            f'<td class="{"passed" if success else "failed"}">{"Passed" if success else "Failed"}</td>'
            f'<td>{passed} of {evaluated}</td><td>{row_count}</td><td>{link}</td></tr>')
    (site / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs: run {e(run_key)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="static/styles/data_docs_default_styles.css">
<link rel="stylesheet" href="static/styles/{STYLESHEET.name}"></head>
<body><main class="qs-index">
<h1>Great Expectations Data Docs</h1>
<p class="lead">The validation suites of run <code>{e(run_key)}</code>, run over every staged source row.
Each suite's page lists its checks; each validation's page shows the checks that failed, on how
many rows, with sample values.</p>
<table class="table"><thead><tr><th>Suite</th><th>Result</th><th>Checks passed</th><th>Rows</th><th>Validation</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</main></body></html>
""", encoding="utf-8")

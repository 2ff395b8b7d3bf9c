"""Great Expectations Data Docs for a run's validation, for data engineers tuning suites.

The staging validation (qbo_sync.validation) keeps only plain reasons per record, so the
Data Docs site is built by running the same suites, with the same suite parameters, over
the entity's staged source rows through a GX Checkpoint. Each run gets its own static site
under reports_dir/data-docs/<run>/ (index.html, one page per suite and per validation);
the run's HTML report and a Prefect link artifact point at its index.html.
"""

from __future__ import annotations

import json
import os
import re
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
            checkpoint.run(batch_parameters={"dataframe": prepare.prepare_frame(frame, data["meta"].get("prepare", {}))},
                           expectation_parameters=values, run_id=run_id)
    context.build_data_docs(site_names=[SITE])
    return target / "index.html"

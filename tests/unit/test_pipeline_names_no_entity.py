"""The pipeline names no entity: what an entity needs lives in its declaration (qbo_sync/entities/).

The test reads every module of qbo_sync/pipeline/ and fails on a name of the registry's
entities, their source tables or the QBO entities they write, printing file:line for each.

Rule: code is checked, string literals included; comments and docstrings are not (they may
say what an example is, e.g. "a bill's lines"). A place not cleared yet is listed in ALLOWED
with its reason (none today), so that nothing new slips in.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from qbo_sync import entities as registry

PIPELINE = Path(registry.__file__).parent.parent / "pipeline"

# QBO entities an entity of ours writes or points at, besides those the registry declares.
QBO_NAMES = {"Bill", "TimeActivity", "Customer", "Vendor", "Employee", "Item", "Account", "Class",
             "Department", "PurchaseOrder", "Project"}

# (file, name) -> why it is still there. Empty: QuickBooks' own lists and rules live in
# qbo_sync/qbo/lists.py, and what an entity is in its declaration. Add nothing silently.
ALLOWED: dict[tuple[str, str], str] = {}


def entity_names() -> set[str]:
    names = set(QBO_NAMES)
    for spec in registry.ENTITIES.values():
        names.add(spec.name)
        names.add(spec.qbo_entity)
        names.update(table.name for table in spec.source_tables)
    return names


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def named_places(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for each entity name in the code of one module."""
    text = path.read_text()
    docstrings = _docstring_lines(ast.parse(text))
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in (tokenize.NAME, tokenize.STRING) or token.start[0] in docstrings:
            continue
        for match in pattern.finditer(token.string):
            found.append((token.start[0], match.group(1)))
    return found


def test_the_pattern_finds_a_name_in_code_but_not_in_a_comment(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text('"""About vendor_bills."""\nx = 1  # vendor_bills\nkind = "Bill"\nvendor_bills_total = 2\n')
    assert named_places(module, entity_names()) == [(3, "Bill")]


def test_pipeline_names_no_entity():
    names = entity_names()
    offending, used_allowances = [], set()
    for path in sorted(PIPELINE.glob("*.py")):
        for line, name in named_places(path, names):
            if (path.name, name) in ALLOWED:
                used_allowances.add((path.name, name))
                continue
            offending.append(f"qbo_sync/pipeline/{path.name}:{line}: {name}")
    assert not offending, "the pipeline names entities:\n" + "\n".join(offending)
    stale = set(ALLOWED) - used_allowances
    assert not stale, f"allowed names no longer used (remove them from ALLOWED): {sorted(stale)}"

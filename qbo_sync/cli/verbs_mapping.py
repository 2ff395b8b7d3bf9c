"""`qbo-sync mapping show|check` (the Mapping tab), `qbo-sync reconcile`, and `qbo-sync pull`'s reconcile."""

from __future__ import annotations

from qbo_sync.cli import CliError, _location, _print_json, _resources, _table


def _mappings(res):
    from qbo_sync import mappings

    try:
        return mappings.for_resources(res)
    except mappings.MappingsError as exc:
        raise CliError(str(exc)) from None


def cmd_mapping_show(args) -> int:
    from qbo_sync import mappings

    # Read-only: the mappings file beside the settings file, without loading every setting.
    try:
        found = mappings.load_mappings(mappings.find_path(_location(args).settings_file))
    except mappings.MappingsError as exc:
        raise CliError(str(exc)) from None
    effective = found.as_dict()
    if args.json:
        _print_json(effective)
        return 0
    import yaml

    print(f"# effective mapping (from {found.path})")
    print(yaml.safe_dump(effective, sort_keys=False).rstrip())
    return 0


def check_rows(res, pull: bool = True) -> list[dict]:
    """Source cost codes, employees and vendors and where each goes in QBO."""
    from sqlalchemy import select

    from qbo_sync.db.models import QboRef, Record
    from qbo_sync.entities import ENTITIES
    from qbo_sync.entities.names import name_key
    from qbo_sync.qbo import references

    maps = _mappings(res)
    if pull:
        references.pull(res.db, res.reader, ("Customer", "Vendor", "Employee", "Item", "Account", "Class"))
    with res.db.session() as session:
        refs = {(r.entity, name_key(r.name)): r for r in session.scalars(select(QboRef))}
        staged = {(r.entity, r.source_id): r for r in session.scalars(
            select(Record).where(Record.entity.in_(("cost_codes", "employees", "vendors"))))}
    rows = []
    for entity in ("cost_codes", "employees", "vendors"):
        spec = ENTITIES[entity]
        for row in res.source.read(entity).to_dict("records"):
            if entity == "cost_codes":
                qbo_entity, name = maps.cost_codes.target_of(row)
            else:
                qbo_entity, name = spec.qbo_entity, spec.display_name(row)
            record = staged.get((entity, row[spec.key]))
            existing = refs.get((qbo_entity, name_key(name)))
            if record is not None and record.qbo_id:
                state, qbo_id = "synced", record.qbo_id
            elif existing is not None:
                state, qbo_id = "links to an existing object", existing.qbo_id
            elif entity != "cost_codes" and not getattr(maps, entity).create_missing:
                state, qbo_id = "NO TARGET: not in QBO and create_missing is off", ""
            else:
                state, qbo_id = "no QBO target yet: the next push creates it", ""
            rows.append({"entity": entity, "source_id": row[spec.key], "target": f"{qbo_entity} \"{name}\"",
                         "qbo_id": qbo_id, "state": state})
    return rows


def cmd_mapping_check(args) -> int:
    res = _resources(args)
    rows = check_rows(res, pull=not args.no_pull)
    missing = [r for r in rows if not r["qbo_id"]]
    shown = rows if args.all else missing
    if args.json:
        _print_json(shown)
        return 0
    if not shown:
        print("Every source cost code, employee and vendor has a QBO target.")
        return 0
    print(_table(shown, [("entity", "Entity"), ("source_id", "Id"), ("target", "QBO target"),
                         ("qbo_id", "QBO id"), ("state", "State")], max_width=70))
    print(f"\n{len(missing)} of {len(rows)} have no QBO target yet.")
    return 0


def cmd_reconcile(args) -> int:
    from qbo_sync.pipeline import reconcile

    res = _resources(args)
    if args.accept:
        for text in args.accept:
            record = reconcile.accept(res.db, text)
            print(f"{record.entity}/{record.source_id}: accepted; the next push makes QuickBooks match the source")
        return 0
    from qbo_sync import entities as registry
    from qbo_sync.pipeline import payments

    payments.refresh(res.db, res.reader, registry.resolve(None))   # a payment's new version is no edit
    result = reconcile.reconcile(res.db, res.reader)
    if args.json:
        _print_json(result.__dict__)
        return 0
    _print_reconcile(result)
    return 0


def cmd_pull(args) -> int:
    """`qbo-sync pull`: the reference lists, then reconcile, so status shows what QBO changed."""
    from qbo_sync.pipeline import reconcile
    from qbo_sync.qbo import references

    from qbo_sync.qbo.metering import ReadBudgetSpent

    res = _resources(args)
    try:
        res.reader.meter.check_optional("the reference lists and QuickBooks-side changes")
        if args.no_reconcile:
            counts, result = references.pull(res.db, res.reader), None
        else:
            counts, result = reconcile.pull_and_reconcile(res.db, res.reader)
    except ReadBudgetSpent as spent:
        raise CliError(str(spent)) from None
    finally:
        res.reader.meter.flush()
    if args.json:
        _print_json({"pulled": counts, "reconcile": result.__dict__ if result else None})
        return 0
    print("Pulled from QuickBooks: " + ", ".join(f"{n} {entity}" for entity, n in counts.items()))
    if result is not None:
        _print_reconcile(result)
    return 0


def _print_reconcile(result) -> None:
    print(f"Checked {result.checked} synced records against QuickBooks: {len(result.changed)} changed "
          f"and {len(result.deleted)} deleted there (now Needs Action); bills paid {result.bills_paid}, "
          f"open {result.bills_open}.")
    for key in result.changed:
        print(f"  changed in QuickBooks: {key}")
    for key in result.deleted:
        print(f"  deleted in QuickBooks: {key}")


def register(verbs) -> None:
    p = verbs.add_parser("mapping", help="the mapping settings: show them, check what has no QBO target")
    sub = p.add_subparsers(dest="mapping_verb", required=True, metavar="ACTION")
    m = sub.add_parser("show", help="print the effective mapping (mappings.yaml beside the settings, and the defaults)")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_mapping_show)
    m = sub.add_parser("check", help="list source cost codes, employees and vendors with no QBO target yet")
    m.add_argument("--all", action="store_true", help="list every record, with its target")
    m.add_argument("--no-pull", action="store_true", help="use the QBO lists pulled before")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_mapping_check)
    p = verbs.add_parser("reconcile", help="find records changed or deleted in QBO since they were synced")
    p.add_argument("--accept", nargs="+", metavar="RECORD",
                   help="let the source win for these records (ENTITY/ID or record number)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reconcile)
    _register_pull(verbs)


def _register_pull(verbs) -> None:
    pull = verbs.add_parser("pull", help="refresh the QBO reference lists, then reconcile", description=(
        "Refresh the QBO reference lists used for matching and mapping, then reconcile: records "
        "changed or deleted in QBO since they were synced become Needs Action, and every synced "
        "bill's open balance is stored for the run report."))
    pull.add_argument("--json", action="store_true")
    pull.add_argument("--no-reconcile", action="store_true", help="only refresh the reference lists")
    pull.set_defaults(func=cmd_pull)

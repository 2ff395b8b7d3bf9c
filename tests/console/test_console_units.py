"""Pure parts of the console: password hashes, settings, and the list queries at scale
(SQLite, and PostgreSQL when QBO_SYNC_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import pytest

from sqlalchemy import select

from qbo_sync import statuses
from qbo_sync.console import auth, queries
from qbo_sync.db.engine import StagingDb
from qbo_sync.entities import PROJECTS
from qbo_sync.settings import SettingsError, load_settings
from tests.console.seed import insert_projects
from tests.fixtures import staging_url  # noqa: F401  (SQLite and PostgreSQL)


def test_password_hash_verifies_only_the_same_password_and_is_salted():
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first != second, "each hash has its own salt"
    assert "correct horse" not in first
    assert auth.verify_password("correct horse", first)
    assert not auth.verify_password("correct horsE", first)
    assert not auth.verify_password("correct horse", "plain-text-in-settings")
    with pytest.raises(ValueError):
        auth.hash_password("")


def test_console_settings_name_a_bad_role_and_refuse_start_without_users(tmp_path):
    with pytest.raises(SettingsError, match=r"console.users.0.role"):
        load_settings(None, console={"users": [{"username": "a", "password_hash": "x", "role": "boss"}]})
    with pytest.raises(auth.ConsoleConfigError, match="hash-password"):
        auth.check_users(load_settings(None, data_dir=tmp_path))
    with pytest.raises(auth.ConsoleConfigError, match="password_hash of a"):
        auth.check_users(load_settings(None, console={"users": [{"username": "a", "password_hash": "secret"}]}))


def test_session_key_is_generated_once_into_the_data_dir(tmp_path):
    settings = load_settings(None, data_dir=tmp_path)
    key = auth.session_secret(settings)
    assert len(key) > 40 and auth.session_secret(settings) == key
    assert (tmp_path / "console.key").stat().st_mode & 0o077 == 0


def test_list_pages_filters_and_searches_thousands_of_records(staging_url):
    db = StagingDb(staging_url)
    try:
        insert_projects(db, 4000)
        first = queries.list_page(db, PROJECTS, queries.ListQuery("projects", per_page=50))
        assert (first.total, first.pages, len(first.rows)) == (4000, 80, 50)
        assert first.status_counts == {code: 1000 for code in statuses.LABELS}
        assert [r["source_id"] for r in first.rows[:2]] == ["P-000000", "P-000001"]
        assert first.rows[0]["columns"] == ["2025-00000", "Harbor View Properties LLC", "Active",
                                            "2025-01-01", "2025-12-31"]

        failed = queries.list_page(db, PROJECTS, queries.ListQuery("projects", statuses.FAILED, page=20))
        assert failed.total == 1000 and failed.query.page == 20
        assert {r["status_label"] for r in failed.rows} == {"Failed"}
        assert failed.rows[0]["reasons"] == ["QBO refused it"]

        search = queries.list_page(db, PROJECTS, queries.ListQuery("projects", None, "HARBOR"))
        assert search.total == 400 and all("Harbor" in r["name"] for r in search.rows)
        both = queries.list_page(db, PROJECTS, queries.ListQuery("projects", statuses.SYNCED, "harbor", page=99))
        assert both.total == 200 and both.query.page == 4, "a page past the end shows the last page"
        assert all(r["synced"] != "Not Synced" for r in both.rows)

        wildcard = queries.list_page(db, PROJECTS, queries.ListQuery("projects", search="%"))
        assert wildcard.total == 0, "% is searched as text, not as a wildcard"
        by_id = queries.list_page(db, PROJECTS, queries.ListQuery("projects", search="p-003999"))
        assert [r["source_id"] for r in by_id.rows] == ["P-003999"]
    finally:
        db.dispose()


def test_console_wording_keeps_the_facts_and_drops_every_cli_command():
    from qbo_sync.console import reasons
    from qbo_sync.qbo.faults import _PLAIN, classify

    stored = [classify(code, detail="the detail").plain for code in _PLAIN] + [
        "Changed in QuickBooks after it was synced (version 0 → 2): review it; qbo-sync reconcile "
        "--accept vendors/V-1 lets the source overwrite it",
        "Deleted in QuickBooks after it was synced: the sync will not create it again until you "
        "accept (qbo-sync reconcile --accept bills/B-1)",
        "Failed before: QBO refused it (fix it in the source, then qbo-sync retry)",
        'no QBO customer has the id or name "Acme" (run qbo-sync pull if it was added in QuickBooks just now)',
    ]
    shown = [reasons.console_text(text) for text in stored]
    assert not [text for text in shown if "qbo-sync" in text or not text.strip()]
    assert shown[-2:] == ["Failed before: QBO refused it (fix it in the source)",
                          'no QBO customer has the id or name "Acme"']
    assert reasons.offered_action("failed", [stored[0]], None, "Vendor") == "link_existing"   # 6240 comes first
    named = 'QuickBooks already has a vendor named "Ace", and names must be unique across customers, vendors'
    assert reasons.offered_action("failed", [named], None, "Vendor") == "link_existing"
    assert reasons.offered_action("failed", [named], None, "Customer") == ""   # a vendor cannot be a project
    assert reasons.offered_action("needs_action", [], {"state": "changed"}) == "reconcile"
    assert reasons.offered_action("needs_action", [], {"parts": {"mon": "deleted"}}) == "recreate"


def test_totals_sum_every_matching_record_in_the_database_and_leave_non_numbers_out(staging_url):
    from sqlalchemy import update

    from qbo_sync.db.models import Record
    from qbo_sync.entities import TIMESHEETS
    from tests.console.seed import insert_timesheets

    db = StagingDb(staging_url)
    try:
        insert_timesheets(db, 400)     # 8 hours Monday to Friday each
        with db.engine.begin() as conn:   # one entry's Monday is "abc": left out, its other days kept
            record_id = conn.scalar(select(Record.id).where(Record.source_id == "T-000001"))
            conn.execute(update(Record).where(Record.id == record_id).values(data={
                "entry_id": "T-000001", "employee_id": "E-00001", "project_id": "P-000001",
                "cost_code": "01-100", "week_ending": "2026-01-04", "mon": "abc", "tue": " 7.25 ",
                "wed": "8", "thu": "8", "fri": "8", "sat": "", "sun": "0"}))
        every = queries.totals(db, TIMESHEETS, queries.ListQuery("timesheets"))
        headers = [c.header for c in TIMESHEETS.columns]
        shown = dict(zip(headers, every))
        assert shown["Employee"] is None and shown["Sat"] == "0"
        assert shown["Mon"] == "3,192"                      # 399 x 8
        assert shown["Tue"] == "3,199.25"                   # 399 x 8 + 7.25
        assert shown["Week"] == "15,991.25"                 # the days' sum
        needs = dict(zip(headers, queries.totals(db, TIMESHEETS, queries.ListQuery("timesheets", statuses.NEEDS_ACTION))))
        assert needs["Week"] == "3,991.25"                  # 99 entries x 40 hours + T-000001 (Needs Action)
        page = queries.list_page(db, TIMESHEETS, queries.ListQuery("timesheets", search="T-000001"))
        assert page.rows[0]["cells"][headers.index("Employee")].text == "Employee 00001"   # the name, not the id
        assert page.rows[0]["cells"][headers.index("Week")].text == "—"   # not a number: no week total
        assert page.rows[0]["position"] == 1
    finally:
        db.dispose()

"""A source that cannot be read fails with a message naming the file or table and column:
never a stack trace from the reader, never a hang, never a password."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest
import sqlalchemy as sa

import qbo_sync.sources.sql as sql_module
from qbo_sync.sources.base import SourceError
from qbo_sync.sources.csv_folder import CsvSource
from qbo_sync.sources.demo import DemoSource
from qbo_sync.sources.schema import TABLES
from qbo_sync.sources.sql import SqlSource

from .conftest import needs_postgres
from .stores import POSTGRES_URL, PostgresStore, SqliteStore

# -- CSV -----------------------------------------------------------------------------------


@pytest.fixture
def csv_company(tmp_path, demo):
    demo.write_csv(tmp_path)
    return tmp_path


def test_missing_csv_file_names_the_file_and_folder(csv_company):
    (csv_company / "vendors.csv").unlink()
    with pytest.raises(SourceError) as caught:
        CsvSource(csv_company).read("vendors")
    assert str(caught.value) == f"vendors.csv: file not found in {csv_company}"


def test_missing_csv_folder_is_named(tmp_path):
    with pytest.raises(SourceError, match=r"projects\.csv: source folder .*nowhere not found"):
        CsvSource(tmp_path / "nowhere").read("projects")


def test_csv_that_is_not_utf8_names_the_file_the_byte_and_where(csv_company):
    path = csv_company / "timesheets.csv"
    text = path.read_bytes()
    position = text.index(b"Install") if b"Install" in text else text.index(b"\n") + 5
    path.write_bytes(text[:position] + b"\xff" + text[position + 1:])
    line = text.count(b"\n", 0, position) + 1
    with pytest.raises(SourceError) as caught:
        CsvSource(csv_company).read("timesheets")
    assert str(caught.value).startswith(
        f"timesheets.csv: not valid UTF-8 (byte 0xff at position {position}, line {line})"
    )


def test_latin1_export_is_refused_not_misread(tmp_path):
    (tmp_path / "vendors.csv").write_bytes("vendor_id,name\nV-1,Société Générale Béton\n".encode("latin-1"))
    with pytest.raises(SourceError, match=r"vendors\.csv: not valid UTF-8 \(byte 0xe9 at position 23, line 2\)"):
        CsvSource(tmp_path).read("vendors")


def test_utf16_export_is_refused_with_a_hint(tmp_path):
    (tmp_path / "vendors.csv").write_bytes("vendor_id,name\nV-1,Acme\n".encode("utf-16"))
    with pytest.raises(SourceError, match=r"vendors\.csv: not valid UTF-8 \(byte 0xff at position 0, line 1\) \(it looks like UTF-16\)"):
        CsvSource(tmp_path).read("vendors")


def test_a_file_given_as_the_folder_is_named(tmp_path):
    (tmp_path / "export.zip").write_bytes(b"PK")
    with pytest.raises(SourceError, match=r"projects\.csv: source folder .*export\.zip is not a folder"):
        CsvSource(tmp_path / "export.zip").read("projects")


def test_utf8_with_byte_order_mark_and_padded_headers_is_read(tmp_path):
    text = "\ufeffvendor_id , name,Notes\nV-2,Façade Works,x\nV-1,\"Smith, Jones & Co\",y\n"
    (tmp_path / "vendors.csv").write_text(text, encoding="utf-8")
    frame = CsvSource(tmp_path).read("vendors")
    assert frame.to_dict("records") == [
        {"vendor_id": "V-1", "name": "Smith, Jones & Co", "email": "", "phone": "", "active": "", "updated_at": ""},
        {"vendor_id": "V-2", "name": "Façade Works", "email": "", "phone": "", "active": "", "updated_at": ""},
    ]


def test_header_only_csv_is_an_empty_table(tmp_path):
    (tmp_path / "vendors.csv").write_text("vendor_id,name\n", encoding="utf-8")
    frame = CsvSource(tmp_path).read("vendors")
    assert frame.empty and tuple(frame.columns) == TABLES["vendors"]


def test_empty_csv_file_is_a_clear_error(tmp_path):
    (tmp_path / "vendors.csv").write_bytes(b"")
    with pytest.raises(SourceError, match=r"vendors\.csv: the file is empty \(a header row is required\)"):
        CsvSource(tmp_path).read("vendors")


def test_broken_csv_rows_are_a_clear_error(tmp_path):
    (tmp_path / "vendors.csv").write_text('vendor_id,name\nV-1,Acme\nV-2,"Never closed\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"vendors\.csv: not a readable CSV file \("):
        CsvSource(tmp_path).read("vendors")


def test_row_with_more_fields_than_the_header_is_a_clear_error(tmp_path):
    (tmp_path / "vendors.csv").write_text("vendor_id,name\nV-1,Acme\nV-2,Bolt,extra\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"vendors\.csv: not a readable CSV file \(.*line 3"):
        CsvSource(tmp_path).read("vendors")


def test_every_row_longer_than_the_header_is_an_error_not_a_shift(tmp_path):
    (tmp_path / "vendors.csv").write_text("vendor_id,name\nV-1,Acme,x\nV-2,Bolt,y\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"vendors\.csv: not a readable CSV file \(.*line 2"):
        CsvSource(tmp_path).read("vendors")


def test_short_rows_read_missing_fields_as_empty(tmp_path):
    (tmp_path / "vendors.csv").write_text("vendor_id,name,email\nV-1,Acme\n", encoding="utf-8")
    assert CsvSource(tmp_path).read("vendors").iloc[0]["email"] == ""


def test_all_missing_required_columns_are_named(tmp_path):
    (tmp_path / "projects.csv").write_text("project_id,title\nP-1,Gym\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        CsvSource(tmp_path).read("projects")
    assert str(caught.value) == 'projects.csv: missing required columns "name", "client_name", "status"'


# -- SQL: configuration and URLs -------------------------------------------------------------


def test_unknown_table_in_mapping_is_refused_when_configured():
    with pytest.raises(SourceError, match='sql source config: unknown table "project"'):
        SqlSource("sqlite:///x.db", tables={"project": "pm_projects"})


def test_unknown_column_in_mapping_is_refused_when_configured():
    with pytest.raises(SourceError, match='sql source config: table "projects" has no column "title"'):
        SqlSource("sqlite:///x.db", columns={"projects": {"title": "name"}})


def test_unparseable_url_does_not_echo_the_password():
    with pytest.raises(SourceError) as caught:
        SqlSource("postgresql+psycopg://bob:hunter2@host:notaport/db")
    assert "hunter2" not in str(caught.value)
    assert "invalid database URL" in str(caught.value)


def test_missing_driver_is_named_without_the_password():
    with pytest.raises(SourceError) as caught:
        SqlSource("mysql+nosuchdriver://bob:hunter2@127.0.0.1/db").read("projects")
    message = str(caught.value)
    assert "hunter2" not in message and "mysql+nosuchdriver" in message and "not installed" in message


def test_missing_sqlite_file_is_unreachable_not_silently_created(tmp_path):
    path = tmp_path / "typo.db"
    with pytest.raises(SourceError, match=r"database unreachable: sqlite:///.*typo\.db \(SQLite file .* not found\)"):
        SqlSource(f"sqlite:///{path}").read("projects")
    assert not path.exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection_fails_fast_naming_the_url_without_password():
    url = f"postgresql+psycopg://bob:hunter2@127.0.0.1:{_free_port()}/erp"
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        SqlSource(url).read("projects")
    message = str(caught.value)
    assert time.monotonic() - started < 5
    assert message.startswith("database unreachable: postgresql+psycopg://bob:***@127.0.0.1:")
    assert "hunter2" not in message


def test_server_that_never_answers_times_out(monkeypatch):
    """A port that accepts TCP but never speaks: without a connect timeout this hangs."""
    monkeypatch.setattr(sql_module, "CONNECT_TIMEOUT_SECONDS", 2)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes handshakes; nobody ever accepts or replies
    port = silent.getsockname()[1]
    outcome: dict = {}

    def read():
        try:
            SqlSource(f"postgresql+psycopg://bob:hunter2@127.0.0.1:{port}/erp").read("projects")
        except SourceError as error:
            outcome["error"] = str(error)

    worker = threading.Thread(target=read, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(timeout=30)
    silent.close()
    assert not worker.is_alive(), "the read hung past 30 s"
    assert time.monotonic() - started < 15
    assert outcome["error"].startswith("database unreachable: postgresql+psycopg://bob:***@127.0.0.1:")
    assert "hunter2" not in outcome["error"]


# -- SQL: tables, columns and value rendering on real databases -------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, needs_postgres])])
def sql_store(request, tmp_path):
    store = SqliteStore(tmp_path) if request.param == "sqlite" else PostgresStore(POSTGRES_URL)
    yield store
    store.cleanup()


def test_table_missing_from_database_is_named(sql_store, company):
    source = sql_store.build({"projects": company["projects"]})
    with pytest.raises(SourceError) as caught:
        source.read("vendors")
    assert 'table "' in str(caught.value) and 'PmVendors" not found (source table for vendors)' in str(caught.value)


def test_unmapped_table_missing_is_named_by_its_logical_name(tmp_path, company):
    source = SqliteStore(tmp_path).build({"projects": company["projects"]})
    with pytest.raises(SourceError, match='^table "cost_codes" not found in sqlite:///'):
        SqlSource(source.url.render_as_string(hide_password=False)).read("cost_codes")


def test_column_names_match_ignoring_case_when_not_mapped(sql_store, company):
    """Unmapped logical columns are found as "VendorId", "Name"... (the store's CamelCase)."""
    source = sql_store.build({"vendors": company["vendors"]})
    bare = SqlSource(source.url.render_as_string(hide_password=False), tables=source.tables)
    with pytest.raises(SourceError, match='missing required column "vendor_id"'):
        bare.read("vendors")  # "vendor_id" vs "VendorId": differs by more than case
    renamed = SqlSource(
        source.url.render_as_string(hide_password=False), tables=source.tables,
        columns={"vendors": {"vendor_id": "VendorId", "updated_at": "UpdatedAt", "email": "EMAIL"}},
    )
    frame = renamed.read("vendors")  # "name" finds "Name", "EMAIL" finds "Email"
    pd.testing.assert_frame_equal(frame, company["vendors"])


def _typed_table(engine, schema=None):
    metadata = sa.MetaData(schema=schema)
    table = sa.Table(
        "typed_lines", metadata,
        sa.Column("bill", sa.Integer), sa.Column("line", sa.Integer), sa.Column("cost", sa.Numeric(12, 2)),
        sa.Column("plain", sa.Numeric), sa.Column("ratio", sa.Float), sa.Column("paid", sa.Boolean),
        sa.Column("day", sa.Date), sa.Column("stamp", sa.DateTime), sa.Column("note", sa.Text),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [
            {"bill": 12, "line": 2, "cost": 1234, "plain": 0.5, "ratio": 40.0, "paid": True,
             "day": pd.Timestamp("2026-01-04").date(), "stamp": pd.Timestamp("2026-01-05 08:30:00.250").to_pydatetime(), "note": "ok"},
            {"bill": 3, "line": None, "cost": 7.5, "plain": 12, "ratio": 0.1, "paid": False,
             "day": None, "stamp": None, "note": None},
        ])


def test_typed_values_render_as_text(sql_store):
    """Rendering: ints without '.0' (and NULL ints as ''), NUMERIC(12,2) with its two places,
    floats shortest, booleans true/false, dates YYYY-MM-DD, timestamps ISO 8601."""
    source = sql_store.build({"vendors": pd.DataFrame({"vendor_id": ["V-1"], "name": ["x"]})})
    schema = source.tables["vendors"].rpartition(".")[0] or None
    engine = sa.create_engine(source.url)
    _typed_table(engine, schema)
    engine.dispose()
    prefix = f"{schema}." if schema else ""
    lines = SqlSource(
        source.url.render_as_string(hide_password=False),
        tables={"vendor_bill_lines": prefix + "typed_lines"},
        columns={"vendor_bill_lines": {"bill_id": "bill", "line_no": "line", "amount": "cost",
                                       "cost_code": "plain", "project_id": "ratio", "description": "stamp"}},
    )
    frame = lines.read("vendor_bill_lines")
    # SQLite has no timestamp type: the text SQLAlchemy stored comes back as it is.
    stamp = "2026-01-05 08:30:00.250000" if sql_store.kind == "sqlite" else "2026-01-05T08:30:00.250000"
    assert frame.to_dict("records") == [
        {"bill_id": "3", "line_no": "", "cost_code": "12", "project_id": "0.1", "description": "", "amount": "7.50"},
        {"bill_id": "12", "line_no": "2", "cost_code": "0.5", "project_id": "40", "description": stamp, "amount": "1234.00"},
    ]
    assert lines.read("vendor_bill_lines", ["12"])["bill_id"].tolist() == ["12"]  # integer key, text ids
    flags = SqlSource(
        source.url.render_as_string(hide_password=False),
        tables={"vendors": prefix + "typed_lines"},
        columns={"vendors": {"vendor_id": "bill", "name": "note", "active": "paid", "updated_at": "day"}},
    ).read("vendors")
    assert flags[["vendor_id", "name", "active", "updated_at"]].values.tolist() == [
        ["3", "", "false", ""], ["12", "ok", "true", "2026-01-04"],
    ]


def test_many_ids_are_read_in_chunks(sql_store, company, monkeypatch):
    monkeypatch.setattr(sql_module, "IDS_PER_QUERY", 7)
    source = sql_store.build({"timesheets": company["timesheets"]})
    ids = company["timesheets"]["entry_id"].tolist()[::3] + ["T-nope"]
    frame = source.read("timesheets", ids)
    expected = company["timesheets"][company["timesheets"]["entry_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected)


# -- demo ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, -1, 1.5, "2", True, 10**6])
def test_demo_refuses_a_bad_size(size):
    with pytest.raises(SourceError, match="demo size must be a whole number from 1 to"):
        DemoSource(size=size)


def test_demo_refuses_a_bad_seed():
    with pytest.raises(SourceError, match="demo seed must be a whole number"):
        DemoSource(seed=-3)

"""Settings: YAML file, environment overrides, and errors that name the bad key."""

from __future__ import annotations

import pytest

from qbo_sync.settings import SettingsError, load_settings


def write(tmp_path, text: str):
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    return path


def test_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # no config/settings.yaml here
    settings = load_settings()
    assert settings.source.kind == "demo" and settings.qbo.kind == "sandbox"
    assert settings.staging_url == f"sqlite:///{tmp_path / '.qbo-sync' / 'staging.db'}"


def test_file_then_environment_override_nested_keys(tmp_path, monkeypatch):
    path = write(tmp_path, "sync:\n  project_mode: customer\n  rules:\n    projects: {auto_create: false}\n")
    assert load_settings(path).sync.project_mode == "customer"
    monkeypatch.setenv("QBO_SYNC_SYNC__PROJECT_MODE", "project")
    monkeypatch.setenv("QBO_SYNC_SOURCE__DEMO__SIZE", "3")
    settings = load_settings(path)
    assert settings.sync.project_mode == "project"
    assert settings.source.demo.size == 3
    assert settings.sync.rule("projects").auto_create is False
    assert settings.sync.rule("timesheets").auto_create is True


def test_a_rehearsal_file_wins_over_the_environment_meant_for_real_runs(tmp_path, monkeypatch):
    """The variables that point real runs at the company and the staging database must not
    lead a rehearsal there; what the rehearsal's file leaves out still comes from them."""
    path = write(tmp_path, "rehearsal_of: Acme\ndatabase_url: sqlite:////tmp/copy.db\n"
                           "qbo: {kind: remote, discovery_url: http://l/d, api_url_v3: http://l/v3, realm_id: '42',"
                           " client_secret: local}\n")
    monkeypatch.setenv("QBO_SYNC_DATABASE_URL", "postgresql+psycopg://real/db")
    monkeypatch.setenv("QBO_SYNC_QBO__REALM_ID", "9130")
    monkeypatch.setenv("QBO_SYNC_QBO__CLIENT_SECRET", "the-real-secret")
    monkeypatch.setenv("QBO_SYNC_TOKEN_KEY", "from-the-environment")
    settings = load_settings(path)
    assert (settings.database_url, settings.qbo.realm_id, settings.qbo.client_secret) == \
        ("sqlite:////tmp/copy.db", "42", "local")
    assert settings.token_key == "from-the-environment"
    ordinary = write(tmp_path, "qbo: {realm_id: '42'}\n")
    assert load_settings(ordinary).qbo.realm_id == "9130"      # any other file: the environment wins


def test_config_from_environment_variable(tmp_path, monkeypatch):
    path = write(tmp_path, "push: {batch_size: 10}\n")
    monkeypatch.setenv("QBO_SYNC_CONFIG", str(path))
    assert load_settings().push.batch_size == 10
    monkeypatch.setenv("QBO_SYNC_CONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(SettingsError, match="missing.yaml"):
        load_settings()


@pytest.mark.parametrize("text, message", [
    ("sync:\n  project_mode: bogus\n", "sync.project_mode"),
    ("sync:\n  auto_confirm_customr: true\n", "sync.auto_confirm_customr: unknown setting"),
    ("push: {batch_size: 31}\n", "push.batch_size"),
    ("source: {kind: sql}\n", "source.sql.url is required"),
    ("qbo: {kind: remote}\n", "qbo.kind remote needs qbo.discovery_url"),
    ("- a list\n", "top level must be a mapping"),
    ("sync: [unclosed\n", "not valid YAML"),
])
def test_bad_settings_name_the_key(tmp_path, text, message):
    with pytest.raises(SettingsError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_settings(write(tmp_path, text))


def test_bad_environment_value_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("QBO_SYNC_PUSH__BATCH_SIZE", "many")
    with pytest.raises(SettingsError, match="QBO_SYNC_PUSH__BATCH_SIZE"):
        load_settings(write(tmp_path, "{}\n"))

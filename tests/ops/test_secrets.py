"""Client id, client secret and token key from Prefect Secret blocks (on the session's
temporary Prefect server), named in settings as `prefect-secret:<block>`."""

from __future__ import annotations

import uuid

import pytest
import yaml
from cryptography.fernet import Fernet

from qbo_sync.ops.companies import write_company_config
from qbo_sync.settings import SettingsError, load_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def secret_block(prefect):
    """Save a Secret block with a unique name; returns (reference, value)."""
    from prefect.blocks.system import Secret

    def save(value: str) -> str:
        name = f"qbo-test-{uuid.uuid4().hex[:10]}"
        Secret(value=value).save(name)
        return f"prefect-secret:{name}"

    return save


def _settings_file(tmp_path, values: dict) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"), **values}))
    return str(path)


def test_settings_read_the_secrets_from_prefect_blocks(secret_block, tmp_path):
    key = Fernet.generate_key().decode()
    refs = {"id": secret_block("ABclient-id"), "secret": secret_block("s3cr3t-from-prefect"), "key": secret_block(key)}
    config = _settings_file(tmp_path, {"token_key": refs["key"], "qbo": {
        "client_id": refs["id"], "client_secret": refs["secret"]},
        "companies": {"north": {"realm_id": "1001"}}})

    settings = load_settings(config)

    assert (settings.qbo.client_id, settings.qbo.client_secret, settings.token_key) == \
        ("ABclient-id", "s3cr3t-from-prefect", key)
    # A company's derived settings file names the blocks again; the values never reach a file.
    derived = write_company_config(settings, "north").read_text()
    assert "s3cr3t-from-prefect" not in derived and key not in derived
    assert yaml.safe_load(derived)["qbo"]["client_secret"] == refs["secret"]
    again = load_settings(str(write_company_config(settings, "north")))
    assert (again.qbo.client_secret, again.token_key, again.qbo.realm_id) == ("s3cr3t-from-prefect", key, "1001")


def test_a_missing_block_is_a_clear_settings_error(prefect, tmp_path):
    config = _settings_file(tmp_path, {"qbo": {"client_secret": "prefect-secret:no-such-block-here"}})
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    message = str(error.value)
    assert "qbo.client_secret" in message and "no Prefect Secret block named 'no-such-block-here'" in message
    assert "Traceback" not in message


@pytest.mark.parametrize("staging_url", ["sqlite"], indirect=True)
def test_tokens_are_encrypted_with_the_key_from_the_block(secret_block, make_resources, tmp_path):
    from qbo_sync.qbo.tokens import TokenStore

    key = Fernet.generate_key()
    res = make_resources(token_key=secret_block(key.decode()))   # connects to the sandbox: tokens saved

    assert not (tmp_path / "data" / "token.key").exists(), "no key file when the key comes from Prefect"
    stored = TokenStore(res.db, key).load(res.qbo.realm_id)
    assert stored is not None and stored.refresh_token

"""Secrets kept in Prefect: a setting written `prefect-secret:<block name>` is read from that
Prefect Secret block when settings load, so the value lives on the Prefect server (or in
the environment), never in a file of the repo or the settings file.

    qbo:
      client_id: prefect-secret:qbo-client-id
      client_secret: prefect-secret:qbo-client-secret
    token_key: prefect-secret:qbo-token-key

Create a block with `prefect block create secret` in the UI, or
`Secret(value=...).save("qbo-client-secret")` in Python.
"""

from __future__ import annotations

PREFIX = "prefect-secret:"

# The settings that may name a Secret block, as paths into Settings.
SECRET_SETTINGS = (("token_key",), ("qbo", "client_id"), ("qbo", "client_secret"), ("qbo", "webhook_verifier_token"),
                   ("notifications", "smtp_password"), ("console", "secret_key"))


class SecretNotFound(ValueError):
    """A setting names a Prefect Secret block that cannot be read."""


def is_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def block_name(reference: str) -> str:
    name = reference[len(PREFIX):].strip()
    if not name:
        raise SecretNotFound(f"'{reference}' names no Secret block (write {PREFIX}<block name>)")
    return name


def read_secret(reference: str) -> str:
    """The value of the Secret block a `prefect-secret:NAME` setting names."""
    name = block_name(reference)
    from prefect.blocks.system import Secret   # only when a setting asks for it (~1 s import)

    try:
        value = Secret.load(name, validate=True).get()
    except ValueError as exc:   # prefect: "Unable to find block document named ..."
        raise SecretNotFound(f"no Prefect Secret block named '{name}' on the Prefect server "
                             f"({' '.join(str(exc).split())[:200]})") from None
    except Exception as exc:   # noqa: BLE001 - the server not reachable, a block of another type
        raise SecretNotFound(f"the Prefect Secret block '{name}' cannot be read: "
                             f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
    if not isinstance(value, str) or not value:
        raise SecretNotFound(f"the Prefect Secret block '{name}' holds no text value")
    return value

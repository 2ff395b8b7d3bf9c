"""A thin `requests` client of the sandbox's admin surface (/admin/...)."""

from __future__ import annotations

import requests


class SandboxAdminError(RuntimeError):
    pass


class SandboxAdmin:
    def __init__(self, base_url: str, timeout: float = 30, admin_key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()
        if admin_key:
            self._http.headers["X-Sandbox-Admin-Key"] = admin_key

    def _call(self, method: str, path: str, **kwargs) -> dict:
        response = self._http.request(method, f"{self.base_url}/admin{path}",
                                      timeout=self.timeout, **kwargs)
        if response.status_code != 200:
            raise SandboxAdminError(f"{method} /admin{path}: {response.status_code} {response.text}")
        return response.json()

    def info(self) -> dict:
        return self._call("GET", "/info")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def create_realm(self, projects_enabled: bool = True, seed: bool = True,
                     company_name: str | None = None, projects_api: str = "allowed") -> str:
        body = {"projects_enabled": projects_enabled, "seed": seed, "projects_api": projects_api}
        if company_name:
            body["company_name"] = company_name
        return self._call("POST", "/realms", json=body)["realm_id"]

    def create_realm_from_snapshot(self, snapshot: dict) -> str:
        """A new realm holding a copy of a company's lists (docs/sandbox.md, "Snapshots")."""
        return self._call("POST", "/realms/snapshot", json=snapshot)["realm_id"]

    def counts(self, realm_id: str) -> dict:
        return self._call("GET", f"/realms/{realm_id}/counts")

    def requests(self, realm_id: str, limit: int = 100) -> list[dict]:
        return self._call("GET", f"/realms/{realm_id}/requests", params={"limit": limit})["requests"]

    def forget_requests(self, realm_id: str) -> int:
        """Clear the realm's request-id memory; how many ids were forgotten."""
        return self._call("POST", f"/realms/{realm_id}/forget-requests")["forgotten"]

    def settings(self, **changes) -> dict:
        if changes:
            return self._call("POST", "/settings", json=changes)
        return self._call("GET", "/settings")

    def register_redirect_uris(self, *uris: str) -> list[str]:
        """Add redirect URIs to the demo app's registered list; answers the whole list."""
        return self._call("POST", "/app/redirect-uris", json={"redirect_uris": list(uris)})["redirect_uris"]

    def advance_clock(self, seconds: float) -> dict:
        return self._call("POST", "/clock/advance", json={"seconds": seconds})

    def issue_tokens(self, realm_id: str) -> dict:
        return self._call("POST", f"/realms/{realm_id}/tokens")

    def webhooks(self, realm_id: str, url: str | None, format: str = "legacy", verifier_token: str = "",
                 bundle_seconds: float = 1.0) -> dict:
        """Send this realm's changes to `url` (None: stop sending), bundled and signed."""
        return self._call("POST", f"/realms/{realm_id}/webhooks", json={
            "url": url, "format": format, "verifier_token": verifier_token, "bundle_seconds": bundle_seconds})

    def webhook_deliveries(self, realm_id: str) -> list[dict]:
        return self._call("GET", f"/realms/{realm_id}/webhooks/deliveries")["deliveries"]

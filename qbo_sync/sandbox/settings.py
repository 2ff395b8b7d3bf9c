"""The sandbox's tunable behaviour: throttle limits, time scale, fault injection, limits.

Defaults are QBO's (developer.intuit.com "Limits and throttles"); a new sandbox throttles
like QBO and injects no faults. Changed at run time through the admin API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Settings:
    throttle_enabled: bool = True
    requests_per_minute: int = 500        # per realm, batch requests included
    concurrent_requests: int = 10         # per realm
    batch_requests_per_minute: int = 40   # per realm
    time_scale: float = 1.0               # 60: one QBO minute lasts one second
    throttle_body: str = "json"           # "json" or "xml" (QBO has been seen to send XML)
    max_batch_items: int = 30             # more: error 1040
    fault_rate: float = 0.0               # share of API requests answered 500 or 503
    slow_rate: float = 0.0                # share of API requests answered late
    slow_seconds: float = 2.0
    drop_after_write_rate: float = 0.0    # share of writes applied, then the connection dropped
    fault_seed: int | None = None         # a seed makes the injected faults repeatable
    max_body_bytes: int = 4 * 1024 * 1024
    max_upload_bytes: int = 100 * 1024 * 1024   # one attachment (Intuit: 100 MB)
    access_token_seconds: int = 3600
    refresh_token_seconds: int = 8726400  # Intuit's x_refresh_token_expires_in (101 days)
    refresh_grace_seconds: int = 86400    # a rotated refresh token keeps working this long
    cdc_lookback_days: int = 30
    cdc_max_objects: int = 1000

    def as_dict(self) -> dict:
        return asdict(self)

    def update(self, changes: dict) -> None:
        """Apply changes, all or none; a ValueError names the bad key."""
        known = {f.name: f for f in fields(self)}
        staged = {}
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
            staged[key] = _coerce(key, value, getattr(self, key))
        if "throttle_body" in staged and staged["throttle_body"] not in ("json", "xml"):
            raise ValueError("throttle_body must be 'json' or 'xml'")
        for key in ("fault_rate", "slow_rate", "drop_after_write_rate"):
            if key in staged and not 0 <= staged[key] <= 1:
                raise ValueError(f"{key} must be between 0 and 1")
        if "time_scale" in staged and staged["time_scale"] <= 0:
            raise ValueError("time_scale must be positive")
        for key, value in staged.items():
            setattr(self, key, value)


def _coerce(key: str, value, current):
    if key == "fault_seed":
        return None if value is None else int(value)
    kind = type(current)
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    try:
        coerced = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a {kind.__name__}") from None
    if isinstance(coerced, (int, float)) and coerced < 0:
        raise ValueError(f"{key} cannot be negative")
    return coerced

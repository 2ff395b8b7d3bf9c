"""A record's objects in QuickBooks, each with the address of its page in QuickBooks' web app."""

from __future__ import annotations

import logging

from qbo_sync.qbo.web_links import web_url

log = logging.getLogger(__name__)


def record_links(res, payload: dict) -> list[dict]:
    """From views.payload(): the objects QBO holds for the record now, named, with their page."""
    try:
        endpoints = res.qbo.endpoints
    except Exception as exc:   # not connected: the pop-up still shows, without links
        log.info("no QuickBooks links: %s", exc)
        return []
    links = []
    for obj in payload.get("objects", []):
        url = web_url(endpoints.api_url_v3, endpoints.realm_id, obj["qbo_entity"], obj["qbo_id"])
        if obj["in_qbo_now"] and url:
            what = f"{obj['part']}" if obj["part"] else payload.get("name") or payload.get("source_id")
            links.append({"url": url, "label": f"{obj['qbo_entity']} {what} (id {obj['qbo_id']})"})
    return links

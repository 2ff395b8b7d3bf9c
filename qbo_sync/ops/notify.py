"""Notifications: a run with Failed or Needs Action records, a failed run, an expired
QuickBooks connection. Sent straight from the flow's end over a webhook, Slack and email.

Why not a Prefect automation or notification block: both need a running Prefect server
with its event pipeline, and the flow must also notify when run without one (the CLI's
local runs, CI). Sending from the flow keeps one path that works everywhere; a team that
prefers automations can add them in the UI on top of the same flow-run states.

Messages carry counts, entity names and reasons only: never settings, tokens or secrets.
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import requests

from qbo_sync.settings import NotificationSettings


@dataclass
class Notice:
    kind: str          # records-need-attention | run-failed | connection-expired
    subject: str
    text: str

    def payload(self) -> dict:
        return {"event": self.kind, "subject": self.subject, "text": self.text}


def notice_for_report(report: dict, company: str = "") -> Notice | None:
    """A notice when the run left Failed or Needs Action records; None when all is well."""
    failed = sum(c.get("Failed", 0) for c in report.get("counts", {}).values())
    action = sum(c.get("Needs Action", 0) for c in report.get("counts", {}).values())
    if not failed and not action:
        return None
    where = f" ({company})" if company else ""
    lines = [f"qbo-sync run {report.get('flow_run_id') or ''}{where}: {failed} Failed, {action} Needs Action."]
    for p in report.get("problems", [])[:20]:
        lines.append(f"- {p['entity']} {p['source_id']} {p['name']}: {p['status']}: {'; '.join(p['reasons'])}")
    if len(report.get("problems", [])) > 20:
        lines.append(f"... and {len(report['problems']) - 20} more: see the run report")
    if report.get("files", {}).get("html"):
        lines.append(f"Report: {report['files']['html']}")
    return Notice("records-need-attention", f"qbo-sync{where}: {failed} Failed, {action} Needs Action",
                  "\n".join(lines))


def notice_for_failure(message: str, expired_connection: bool, flow_run_id: str = "", company: str = "") -> Notice:
    where = f" ({company})" if company else ""
    if expired_connection:
        return Notice("connection-expired", f"qbo-sync{where}: the QuickBooks connection expired",
                      f"{message}\nRun `qbo-sync connect` to reconnect. Flow run {flow_run_id}.")
    return Notice("run-failed", f"qbo-sync{where}: run failed", f"Flow run {flow_run_id} failed: {message}")


def send(settings: NotificationSettings, notice: Notice) -> list[str]:
    """Send to every configured channel; returns the channels that failed (each is tried)."""
    failures = []
    channels = []
    if settings.webhook_url:
        channels.append(("webhook", lambda: _post(settings.webhook_url, notice.payload(), settings.timeout_seconds)))
    if settings.slack_webhook_url:
        channels.append(("slack", lambda: _post(settings.slack_webhook_url,
                                                {"text": f"*{notice.subject}*\n{notice.text}"},
                                                settings.timeout_seconds)))
    if settings.email_to and settings.smtp_host:
        channels.append(("email", lambda: _email(settings, notice)))
    for name, deliver in channels:
        try:
            deliver()
        except (requests.RequestException, OSError, smtplib.SMTPException) as exc:
            # A notification that cannot go out must not fail the run it reports on.
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    return failures


def _post(url: str, body: dict, timeout: float) -> None:
    answer = requests.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"},
                           timeout=timeout)
    answer.raise_for_status()


def _email(settings: NotificationSettings, notice: Notice) -> None:
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    message.set_content(notice.text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)

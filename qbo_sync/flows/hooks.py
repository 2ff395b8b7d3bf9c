"""Flow-run hooks: notifications when a run leaves problems, fails, or loses QuickBooks."""

from __future__ import annotations


def _settings(config: str | None):
    from qbo_sync.settings import load_settings

    return load_settings(config)


def notify_report(config: str | None, report: dict) -> None:
    from qbo_sync.ops.notify import Notice, notice_for_report, send

    from qbo_sync.pipeline.report_model import expiry_line

    notices = [notice_for_report(report)]
    if (report.get("connection") or {}).get("warn"):
        notices.append(Notice("connection-expiring", "qbo-sync: the QuickBooks connection expires soon",
                              expiry_line(report["connection"])))
    for notice in [n for n in notices if n is not None]:
        for failure in send(_settings(config).notifications, notice):
            print(f"Notification not sent: {failure}")


def notify_failure(flow, flow_run, state) -> None:
    """on_failure/on_crashed: the run itself failed; say so, naming an expired connection."""
    from qbo_sync.ops.notify import notice_for_failure, send
    from qbo_sync.qbo.connection import NotConnected

    try:
        error = state.result(raise_on_failure=False)
    except Exception as exc:   # the result may not be retrievable; the message still is
        error = exc
    message = str(error) if isinstance(error, BaseException) else (state.message or "unknown error")
    expired = isinstance(error, NotConnected) or "qbo-sync connect" in message
    try:
        settings = _settings(flow_run.parameters.get("config"))
    except Exception as exc:   # bad settings are the failure itself: nowhere to send
        print(f"Notification not sent: {exc}")
        return
    for failure in send(settings.notifications, notice_for_failure(message, expired, str(flow_run.id))):
        print(f"Notification not sent: {failure}")

"""What every console request shares: settings, the staging database, jobs, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.convertors import Convertor, register_url_convertor

from qbo_sync import entities as registry
from qbo_sync.console import cells, csrf, reasons
from qbo_sync.console.jobs import JobRunner
from qbo_sync.console.sessions import SESSION_ID, LiveSessions, LoginThrottle
from qbo_sync.entities.base import EntitySpec
from qbo_sync.resources import Resources
from qbo_sync.settings import ConsoleUser, Settings

HERE = Path(__file__).parent
SESSION_USER = "user"


class IdNumber(Convertor):
    """/records/{record_id:id}/...: a record (run, job) number that fits the database's
    integer; a longer or non-numeric one matches no route and is answered 404, never a
    validation or database error."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdNumber())


class NotSignedIn(Exception):
    """Raised by `user()`; answered with a redirect to the sign-in page (or 401 for scripts)."""


@dataclass
class ConsoleState:
    settings: Settings
    config: str | None          # the settings file the flows read
    res: Resources
    jobs: JobRunner
    templates: Jinja2Templates
    sessions: LiveSessions = field(default_factory=LiveSessions)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


def templates() -> Jinja2Templates:
    # Autoescape on for every template: names from the source and from QBO are shown as text.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.filters["console_reason"] = reasons.console_text   # stored reasons may name CLI commands
    env.filters["money"] = lambda amount: cells.money(Decimal(str(amount)))
    return Jinja2Templates(env=env)


def state(request: Request) -> ConsoleState:
    return request.app.state.console


def user(request: Request) -> ConsoleUser:
    """The signed-in user, looked up in the settings on every request (a removed user is out),
    in a session that is still live on the server (a signed-out cookie is out)."""
    name = request.session.get(SESSION_USER)
    found = next((u for u in state(request).settings.console.users if u.username == name), None)
    if found is None or not state(request).sessions.is_live(request.session.get(SESSION_ID)):
        request.session.pop(SESSION_USER, None)
        raise NotSignedIn()
    return found


def admin(request: Request) -> ConsoleUser:
    found = user(request)
    if found.role != "admin":
        raise HTTPException(403, f"{found.username} has the viewer role: viewers can look, not change anything")
    return found


def entity(name: str) -> EntitySpec:
    try:
        return registry.get(name)
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None


def staged_record(request: Request, record_id: int) -> tuple[str, str]:
    """(entity, source id) of a staged record; 404 when there is none."""
    from qbo_sync.console.queries import record_entity

    found = record_entity(state(request).res.db, record_id)
    if found is None:
        raise HTTPException(404, f"no staged record #{record_id}")
    return found


def render(request: Request, template: str, status_code: int = 200, **context):
    context.setdefault("tabs", list(registry.ENTITIES.values()))
    context["csrf_token"] = csrf.token(request)
    name = request.session.get(SESSION_USER) if state(request).sessions.is_live(request.session.get(SESSION_ID)) else None
    context.setdefault("me", next((u for u in state(request).settings.console.users if u.username == name), None))
    return state(request).templates.TemplateResponse(request, template, context, status_code=status_code)

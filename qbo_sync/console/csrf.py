"""CSRF protection: a random token per session, required on every state-changing request.

Forms send it as the `csrf_token` field, scripts as the X-CSRF-Token header.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

SESSION_KEY = "csrf"
HEADER = "x-csrf-token"
FIELD = "csrf_token"


def token(request: Request) -> str:
    if SESSION_KEY not in request.session:
        request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[SESSION_KEY]


async def require(request: Request) -> None:
    """A FastAPI dependency: refuse a POST whose token is missing or not this session's."""
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()
        sent = form.get(FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "The form has expired or did not come from this console "
                                 "(missing or wrong CSRF token). Reload the page and try again.")

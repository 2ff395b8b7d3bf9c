"""Reconnect to QuickBooks from the console: the OAuth authorization-code flow, its callback
a route of the console (ops/connect.py holds the flow's two halves, shared with the CLI).

The state is random and kept in the session; the callback refuses an answer whose state
is not the pending one, and saves nothing then. A state is used once.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from qbo_sync.console import csrf
from qbo_sync.console.state import admin, render, state
from qbo_sync.ops.connect import Authorization, finish_authorization, start_authorization
from qbo_sync.qbo.connection import NotConnected

PENDING = "qbo_authorization"   # session key: the authorization in flight
CONNECTED = "qbo_connected"     # session key: the company just connected, shown once on the overview
BOUNCED = "bounced"

router = APIRouter()


@router.post("/connection/reconnect", dependencies=[Depends(admin), Depends(csrf.require)])
def reconnect(request: Request):
    pending = start_authorization(state(request).res.qbo, str(request.url_for("quickbooks_callback")))
    request.session[PENDING] = {"state": pending.state, "redirect_uri": pending.redirect_uri}
    # A page that goes on to QuickBooks, not a redirect: the pages' Content-Security-Policy
    # (form-action 'self') stops a form's redirect to another site.
    return render(request, "reconnect.html", url=pending.url)


@router.get("/connection/callback", name="quickbooks_callback")
def callback(request: Request):
    params = {key: value for key, value in request.query_params.items() if key != BOUNCED}
    pending = request.session.get(PENDING)
    if pending is None and BOUNCED not in request.query_params:
        return _bounce(request)
    admin(request)   # signed in (else to the sign-in page), and allowed to change the connection
    request.session.pop(PENDING, None)   # one answer per authorization, right or wrong
    if not isinstance(pending, dict):
        raise NotConnected("This answer from QuickBooks does not belong to a Reconnect started in this "
                           "session: nothing was saved. Click Reconnect again.")
    name = finish_authorization(state(request).res.qbo,
                                Authorization("", pending["state"], pending["redirect_uri"]), params)
    request.session[CONNECTED] = name
    return RedirectResponse("/overview", status_code=303)


def _bounce(request: Request) -> HTMLResponse:
    """Load the callback once more from this console's own page.

    The session cookie is SameSite=Strict, so a browser leaves it out of a redirect that
    comes from QuickBooks' site; the same URL opened from a page of the console carries it.
    The session is not touched here: a new cookie would replace the signed-in one.
    """
    again = html.escape(f"{request.url.path}?{urlencode({**request.query_params, BOUNCED: '1'})}")
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={again}"><title>Connecting · qbo-sync console</title>'
            f'</head><body><p>Finishing the connection to QuickBooks… <a href="{again}">Continue</a></p></body></html>')
    return HTMLResponse(body)


def just_connected(request: Request) -> str | None:
    """The company a Reconnect has just connected, once (for the overview's message)."""
    return request.session.pop(CONNECTED, None)

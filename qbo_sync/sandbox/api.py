"""The QBO v3 Accounting API routes under /v3/company/{realm}/...

Authentication, throttling, fault injection and the request log happen before these
routes, in gate.py; here a request is parsed, run, and answered in QBO's JSON shape.
"""

from __future__ import annotations

from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request, Response
from starlette.routing import Route

from qbo_sync.sandbox import attachments, graphql
from qbo_sync.sandbox.batch import run_batch
from qbo_sync.sandbox.cdc import changes
from qbo_sync.sandbox.company import Company
from qbo_sync.sandbox.core import Sandbox
from qbo_sync.sandbox.faults import QboError, fault_body
from qbo_sync.sandbox.operations import entity_named, query, read, write

REQUESTID_MAX = 50


def json_response(body: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _json_body(raw: bytes):
    if not raw.strip():
        raise QboError(2010, "Property Name:the request body is empty")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise QboError(2010, f"Property Name:malformed JSON ({exc.args[0]})") from None


def routes(sandbox: Sandbox) -> list[Route]:
    """Plain Starlette routes: the v3 API is the hot path, and FastAPI's parameter
    solving would cost more than the work itself (see bench/bench_sandbox.py)."""
    prefix = "/v3/company/{realm}"

    def answer(body: dict, status: int = 200) -> Response:
        body["time"] = sandbox.clock.iso_ms()
        return json_response(body, status)

    def company(request: Request, realm: str, entity: str | None) -> Company:
        request.state.entity = entity
        return sandbox.company(realm)   # the gate has checked the realm exists

    async def idempotent(request: Request, realm: str, run) -> Response:
        """`requestid`: the same id on the same realm answers the first response again."""
        reqid = request.query_params.get("requestid")
        if reqid is not None and len(reqid) > REQUESTID_MAX:
            raise QboError(2050, f"requestid is at most {REQUESTID_MAX} characters; got "
                                 f"{len(reqid)}", "requestid")
        ns = f"r:{realm}:_reqid"
        if reqid:
            first = sandbox.store.get(ns, reqid)
            if first is not None:
                request.state.replayed = True
                return Response(first["body"].encode(), status_code=first["status"],
                                media_type="application/json")
        try:
            body, status = run(), 200
        except QboError as error:
            body, status = fault_body(error, sandbox.clock.iso_ms()), error.http_status
        else:
            body["time"] = sandbox.clock.iso_ms()
            request.state.wrote = True
        encoded = orjson.dumps(body)
        if reqid:
            sandbox.store.put(ns, reqid, {"status": status, "body": encoded.decode()})
        return Response(encoded, status_code=status, media_type="application/json")

    async def company_info(request: Request):
        realm, company_id = request.path_params["realm"], request.path_params["company_id"]
        return answer(read(company(request, realm, "CompanyInfo"), "CompanyInfo",
                           "1" if company_id == realm else company_id))

    async def preferences(request: Request):
        realm = request.path_params["realm"]
        if request.method == "POST":
            raw = await request.body()
            target = company(request, realm, "Preferences")
            return await idempotent(request, realm, lambda: write(target, "Preferences", _json_body(raw), None))
        return answer(read(company(request, realm, "Preferences"), "Preferences", "1"))

    async def run_query(request: Request):
        realm = request.path_params["realm"]
        text = request.query_params.get("query")
        if text is None and request.method == "POST":
            text = (await request.body()).decode("utf-8", "replace")
        target = company(request, realm, None)
        entity, result = query(target, text or "")
        request.state.entity = entity
        return answer({"QueryResponse": result})

    async def batch(request: Request):
        realm = request.path_params["realm"]
        raw = await request.body()
        target = company(request, realm, "batch")
        return await idempotent(request, realm, lambda: run_batch(
            target, _json_body(raw), max_items=sandbox.settings.max_batch_items,
            requestid=request.query_params.get("requestid")))

    async def cdc(request: Request):
        realm = request.path_params["realm"]
        params = request.query_params
        s = sandbox.settings
        return answer(changes(company(request, realm, "cdc"), params.get("entities"),
                              params.get("changedSince"), now=sandbox.clock.now(),
                              lookback_days=s.cdc_lookback_days, max_objects=s.cdc_max_objects))

    async def upload(request: Request):
        realm = request.path_params["realm"]
        raw = await request.body()
        target = company(request, realm, "Attachable")
        content_type = request.headers.get("content-type", "")
        return await idempotent(request, realm, lambda: attachments.upload(
            target, content_type, raw, max_bytes=sandbox.settings.max_upload_bytes))

    async def download(request: Request):
        realm, obj_id = request.path_params["realm"], request.path_params["obj_id"]
        target = company(request, realm, "Attachable")
        link = attachments.download_link(target, obj_id, now=sandbox.clock.now(),
                                         base_url=str(request.base_url).rstrip("/"))
        return Response(link, media_type="text/plain")   # QBO answers the bare link

    async def read_one(request: Request):
        realm, entity, obj_id = (request.path_params[k] for k in ("realm", "entity", "obj_id"))
        name = entity_named(entity)
        return answer(read(company(request, realm, name), name, obj_id))

    async def write_one(request: Request):
        realm, entity = request.path_params["realm"], request.path_params["entity"]
        name = entity_named(entity)
        raw = await request.body()
        target = company(request, realm, name)
        operation = request.query_params.get("operation")
        if request.query_params.get("include") == "void":
            operation = "void"   # QBO voids a payment with ?operation=update&include=void
        return await idempotent(request, realm, lambda: write(target, name, _json_body(raw), operation))

    return [
        Route(prefix + "/companyinfo/{company_id}", company_info, methods=["GET"]),
        Route(prefix + "/preferences", preferences, methods=["GET", "POST"]),
        Route(prefix + "/query", run_query, methods=["GET", "POST"]),
        Route(prefix + "/batch", batch, methods=["POST"]),
        Route(prefix + "/cdc", cdc, methods=["GET"]),
        Route(prefix + "/upload", upload, methods=["POST"]),
        Route(prefix + "/download/{obj_id}", download, methods=["GET"]),
        Route(prefix + "/{entity}/{obj_id}", read_one, methods=["GET"]),
        Route(prefix + "/{entity}", write_one, methods=["POST"]),
    ]


def files_router(sandbox: Sandbox) -> APIRouter:
    """The temporary download links (QBO's TempDownloadUri): outside /v3 and without a
    token, like the signed storage links QBO hands out; expired or forged: 403."""
    api = APIRouter()

    @api.get("/files/{realm}/{obj_id}")
    async def linked_file(realm: str, obj_id: str, expires: str = "", signature: str = ""):
        found = attachments.linked_file(sandbox, realm, obj_id, expires, signature)
        if found is None:
            return Response("This link has expired or is not valid", status_code=403,
                            media_type="text/plain")
        doc, data = found
        return Response(data, media_type=doc.get("ContentType") or "application/octet-stream",
                        headers={"Content-Disposition": "attachment; filename*=UTF-8''"
                                                        + quote(doc["FileName"])})

    return api


def graphql_router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter()

    @api.post("/graphql")
    async def run_graphql(request: Request):
        request.state.entity = "Project"
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return json_response(graphql.error("The request body is not JSON", "BAD_REQUEST"), 400)
        company = sandbox.company(request.state.realm)
        refused = graphql.refusal(company)
        if refused is not None:
            return json_response(refused, 403)
        return json_response(graphql.handle(company, payload))

    return api

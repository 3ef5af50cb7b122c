"""The dashboard's HTTP server: static pages plus GET-only JSON endpoints over `sql/ui/*.sql`.

Nothing here writes: every route is GET, every read goes through `art.connect()`. Path and
query parameters are checked names and integers (`art.ui.params`), bound as SQL values.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import hmac
import io
import ipaddress
import re
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from art.errors import ArtError, InvalidArgumentError, PortInUseError
from art.ui import data, params
from art.ui.console import run_console
from art.ui.snapshot import PathOrStore, Snapshot

STATIC = Path(__file__).parent / "static"
MAX_POINTS = 400
# Scripts only from our own files (no inline script can run, whatever a value holds);
# uPlot sizes its elements with inline styles.
CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


FOREVER = "public, max-age=31536000, immutable"


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str)


class Assets(StaticFiles):
    """The page's scripts and styles. Starlette answers a matching If-None-Match with 304; a
    URL carrying the file's content hash (`?v=`, as index.html writes it) never changes, so
    the browser keeps it without asking again."""

    def file_response(
        self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = FOREVER if versioned else "no-cache"
        return response


def versioned_index() -> tuple[bytes, str]:
    """index.html with each `/static/NAME` as `/static/NAME?v=HASH`, and its own ETag."""

    def stamp(match: re.Match[str]) -> str:
        digest = hashlib.sha256((STATIC / match.group(1)).read_bytes()).hexdigest()[:12]
        return f"/static/{match.group(1)}?v={digest}"

    html = re.sub(r"/static/([\w.-]+)", stamp, (STATIC / "index.html").read_text(encoding="utf-8"))
    body = html.encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def create_app(path_or_store: PathOrStore, token: str | None = None, ttl: float = 1.0) -> Starlette:
    """The ASGI app over one store; with `token`, every request must carry it."""
    snapshot = Snapshot(path_or_store, ttl)
    page, page_etag = versioned_index()

    async def read(fn: Callable[..., Any], *args: Any) -> Response:
        """`fn(con, *args)` as JSON bytes, computed once per version of the store. The
        Server-Timing header says how long the server took (the browser's timings show it)."""
        key = (fn.__name__, *args)
        started = time.perf_counter()
        body = await run_in_threadpool(
            snapshot.answer, key, lambda con: orjson.dumps(fn(con, *args), default=str)
        )
        took = (time.perf_counter() - started) * 1000
        timing = {"Server-Timing": f"answer;dur={took:.1f}"}
        return Response(body, media_type="application/json", headers=timing)

    async def index(request: Request) -> Response:
        headers = {"ETag": page_etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == page_etag:
            return Response(status_code=304, headers=headers)
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)

    async def stamp(request: Request) -> Response:
        return await read(data.stamp_answer)

    async def runs(request: Request) -> Response:
        q = request.query_params
        return await read(
            data.runs,
            params.metric(q.get("metric", "val/reward")),
            params.integer("window", q.get("window"), 1, 1000, default=1),
            params.mode(q.get("mode")),
        )

    async def curves(request: Request) -> Response:
        q = request.query_params
        selected = tuple(params.run(r) for r in q.getlist("run")[:12])
        return await read(
            data.curves,
            selected,
            params.integer("window", q.get("window"), 1, 1000, default=1),
            params.mode(q.get("mode")),
            params.integer("max_points", q.get("max_points"), 30, 5000, default=MAX_POINTS),
        )

    async def steps(request: Request) -> Response:
        q = request.query_params
        if q.get("project") is None and q.get("model") is None:
            return await read(data.steps, None, None)
        project, model = params.name("project", q.get("project")), params.name("model", q.get("model"))
        return await read(data.steps, project, model)

    async def trajectories(request: Request) -> Response:
        q = request.query_params
        return await read(
            data.trajectories,
            params.name("project", q.get("project")),
            params.name("model", q.get("model")),
            params.name("split", q.get("split")),
            params.integer("step", q.get("step"), 0, 10**12),
        )

    async def sql(request: Request) -> Response:
        q = request.query_params
        statement = q.get("q") or ""
        if len(statement) > 20_000:
            raise InvalidArgumentError("q", statement, "must be at most 20,000 characters")
        result = await run_in_threadpool(run_console, path_or_store, statement)
        if q.get("format") == "csv":
            return PlainTextResponse(
                _csv(result),
                media_type="text/csv",
                headers={"Content-Disposition": 'attachment; filename="query.csv"'},
            )
        return Json(result)

    async def refused(request: Request, exc: Exception) -> Response:
        return Json({"error": str(exc)}, status_code=400)

    routes = [
        Route("/", index),
        Route("/api/stamp", stamp),
        Route("/api/runs", runs),
        Route("/api/curves", curves),
        Route("/api/steps", steps),
        Route("/api/trajectories", trajectories),
        Route("/api/sql", sql),
        Mount("/static", Assets(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token)],
        exception_handlers={ArtError: refused},
    )


class Guard(BaseHTTPMiddleware):
    """The token check (query `token` once, then a cookie) and the security headers."""

    def __init__(self, app: Any, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.query_params.get("token")
        if self.token is not None:
            offered = given or request.cookies.get("art_token") or ""
            if not hmac.compare_digest(offered.encode(), self.token.encode()):
                return PlainTextResponse("a valid token is required: open the URL `art ui` printed", 401)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if self.token is not None and given:
            response.set_cookie("art_token", given, httponly=True, samesite="strict")
        return response


def _csv(result: dict[str, Any]) -> str:
    from art.cli_output import csv_cell  # the CLI's cells: `art sql --csv` gives the same file

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result["columns"])
    writer.writerows([[csv_cell(v) for v in r] for r in result["rows"]])
    return out.getvalue()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    path_or_store: PathOrStore, host: str = "127.0.0.1", port: int = 8765, token: str | None = None
) -> None:
    """Serve until interrupted. A host other than loopback needs a token. The port is taken
    before anything is printed: one in use is an error that says so, not uvicorn's log line
    after a "serving" line."""
    import uvicorn

    if not is_loopback(host) and not token:
        raise InvalidArgumentError("host", host, "is not a loopback address: pass --token (or ART_UI_TOKEN)")
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/" + (f"?token={token}" if token else "")
    from art.store.resolve import as_store

    socks = listening_sockets(host, port)
    # Ctrl-C stops it (exit 0, as uvicorn.run), also before uvicorn has taken the signal over
    try:
        with contextlib.suppress(KeyboardInterrupt):
            print(f"art ui: serving {as_store(path_or_store).describe()} at {url}", flush=True)
            app = create_app(path_or_store, token)
            uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning")).run(sockets=socks)
    finally:
        for sock in socks:
            sock.close()


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address `host` resolves to (`localhost`: 127.0.0.1 and ::1, as
    uvicorn binds them), listening; PortInUseError naming the port when one cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise InvalidArgumentError("host", host, f"does not resolve to an address ({e.strerror})") from e
    socks: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:  # beside an IPv4 socket on the same port, as asyncio does
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(2048)
    except OSError as e:
        for sock in socks:
            sock.close()
        hint = {
            errno.EADDRINUSE: "another program listens there: pass --port",
            errno.EACCES: "a port below 1024 needs privileges: pass --port",
        }.get(e.errno or 0, "pass --host")
        why = f"art ui cannot listen on {host} port {port} ({e.strerror or e}): {hint}"
        raise PortInUseError(why) from e
    return socks

"""The local service: resources, the gateway with its routes, the stream pump and the HTTP server, put
together. Used by ``make run`` and by the end-to-end and browser tests (on a free port)."""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.catalog import API_FUNCTIONS, FUNCTIONS, NOTIFIER, FunctionSpec
from infra.local import state
from infra.local.auth import DEMO_PASSWORD, LocalStaffPool, TokenVerifier, create_staff_pool, token_route
from infra.local.emulator import LocalResources, create_resources
from infra.local.gateway import (
    DEFAULT_REQUEST_TIMEOUT,
    Gateway,
    GatewayServer,
    LambdaContext,
    load_handler,
    serve,
)
from infra.local.outbox import outbox_page, sent_count, sent_emails
from infra.local.streams import StreamPump
from shared import config, wiring
from shared.domain.clock import OffsetClock
from shared.notifier import redrive_dead_letters

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "build" / "assets"
SWAGGER = ROOT / "build" / "swagger"
#: How long :meth:`LocalService.stop` gives its threads, in all (``make run`` must end within 5 s).
STOP_SECONDS = 2.5


def _json(status: int, body: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body, indent=2).encode()


def static_files(root: Path) -> Callable[[str], tuple[int, str, bytes]]:
    """Serve the files under ``root`` (and nothing outside it)."""

    def serve(relative: str) -> tuple[int, str, bytes]:
        path = (root / relative).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return 404, "text/plain", b"Not found"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return 200, content_type, path.read_bytes()

    return serve


#: Swagger UI over the OpenAPI document, for the local service only (``make run`` builds the files).
API_DOCS_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Heard API - local</title>"
    "<link rel='stylesheet' href='/_local/swagger/swagger-ui.css'></head><body><div id='swagger-ui'></div>"
    "<script src='/_local/swagger/swagger-ui-bundle.js'></script>"
    "<script src='/_local/swagger/swagger-init.js'></script></body></html>"
)


def _openapi() -> tuple[int, str, bytes]:
    from functions.openapi import render

    return 200, "application/json", render().encode()


@dataclass
class LocalService:
    resources: LocalResources
    gateway: Gateway
    server: GatewayServer
    pump: StreamPump
    clock: OffsetClock
    stopping: threading.Event
    state_file: Path | None = None
    threads: list[threading.Thread] = field(default_factory=list)
    staff: LocalStaffPool | None = None  # the staff user pool and its demo users

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @classmethod
    def start(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        pump_backoff: float = 0.5,
        state_file: Path | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> LocalService:
        """Create the resources in the active moto mock, reload the saved store if ``state_file`` is
        given, and bind the server (port 0: any free port). :meth:`serve_in_background` starts it."""
        resources = create_resources()
        if state_file is not None:
            loaded = state.load(state_file, resources.table_name)
            print(f"Local state: {loaded} items loaded from {state_file}", flush=True)
        clock = OffsetClock()
        config.use_clock(clock)
        wiring.reset()
        staff = create_staff_pool([area.id for area in config.policy().service_areas])
        gateway = Gateway(API_FUNCTIONS, TokenVerifier.for_pool(staff).claims)
        gateway.add_local_route("POST", "/_local/token", token_route(staff))
        gateway.add_static("/assets/", static_files(ASSETS))
        gateway.add_static("/_local/swagger/", static_files(SWAGGER))
        gateway.add_local_route("GET", "/_local/openapi.json", lambda *_: _openapi())
        gateway.add_local_route(
            "GET", "/_local/api-docs", lambda *_: (200, "text/html; charset=utf-8", API_DOCS_PAGE.encode())
        )
        gateway.add_local_route("GET", "/_local/outbox", lambda *_: _json(200, sent_emails()))
        gateway.add_local_route("GET", "/_local/outbox/count", lambda *_: _json(200, {"count": sent_count()}))
        gateway.add_local_route(
            "GET",
            "/_local/outbox.html",
            lambda *_: (200, "text/html; charset=utf-8", outbox_page(sent_emails()).encode()),
        )
        gateway.add_local_route(
            "GET",
            "/_local/dead-letters",
            lambda *_: _json(200, wiring.case_store().dead_letters(clock.now())),
        )
        gateway.add_local_route(
            "POST", "/_local/dead-letters/redrive", lambda *_: _json(200, _redrive(clock))
        )
        stopping = threading.Event()
        pump = StreamPump(
            resources.table_name,
            load_handler(NOTIFIER.handler),
            resources.dead_letter_queue_url,
            backoff_seconds=pump_backoff,
            sleep=stopping.wait,  # a retry's backoff ends at once when the service stops
        )
        server = serve(gateway, host, port, request_timeout=request_timeout)
        return cls(resources, gateway, server, pump, clock, stopping, state_file, staff=staff)

    def serve_in_background(self) -> None:
        """Serve HTTP, deliver the stream, run the scheduled functions (as EventBridge would) and, with
        a state file, save the store every few seconds: each on its own thread."""
        self._background("heard-http", self.server.serve_forever, 0.1)
        self._background("heard-stream", self.pump.run, self.stopping)
        for spec in FUNCTIONS:
            if spec.schedule_minutes:
                self._background(f"heard-{spec.name.lower()}", self._every, spec)
        if self.state_file is not None:
            self._background(
                "heard-state", state.keep_saving, self.state_file, self.resources.table_name, self.stopping
            )

    def _background(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def run_scheduled(self, spec: FunctionSpec) -> dict[str, Any]:
        """Invoke a scheduled function once, with the event EventBridge sends."""
        event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
        result: dict[str, Any] = load_handler(spec.handler)(event, LambdaContext(function_name=spec.name))
        return result

    def _every(self, spec: FunctionSpec) -> None:
        assert spec.schedule_minutes
        while not self.stopping.wait(spec.schedule_minutes * 60):
            try:
                self.run_scheduled(spec)
            except Exception as exc:  # keep the local service alive; report the type only
                print(f"{spec.name}: {type(exc).__name__}", flush=True)

    def stop(self, within: float = STOP_SECONDS) -> None:
        """Stop taking requests and close connections at once, then give the background threads until
        ``within`` seconds in all to finish, and save the store (cleanly) if it is kept."""
        deadline = time.monotonic() + within
        self.stopping.set()
        if any(t.name == "heard-http" for t in self.threads):
            self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.state_file is not None:
            saved = state.save(self.state_file, self.resources.table_name, clean=True)
            print(f"Local state: {saved} items saved to {self.state_file}", flush=True)

    def describe(self) -> str:
        policy = config.policy()
        lines = [
            f"Heard is running at {self.url}  (Ctrl-C to stop)",
            "",
            f"  Online form       {self.url}/",
            f"  Local outbox      {self.url}/_local/outbox.html  (JSON: /_local/outbox)",
            f"  Dead letters      {self.url}/_local/dead-letters  (POST /_local/dead-letters/redrive)",
            f"  API (Swagger UI)  {self.url}/_local/api-docs  (document: /_local/openapi.json)",
            "",
            "Emulated AWS (moto, in this process):",
            f"  DynamoDB table    {self.resources.table_name} (stream delivered to the Notifier function)",
            f"  SES sender        {self.resources.sender} (verified)",
            f"  SQS dead letters  {self.resources.dead_letter_queue_url}",
            f"  Team mailbox      {policy.team_mailbox}",
            *self._describe_staff(),
            "",
            *(
                [f"Local state: kept in {self.state_file} (saved every few seconds and at exit)"]
                if self.state_file
                else ["Local state: in memory only, lost at exit (HEARD_LOCAL_STATE=FILE keeps it)"]
            ),
            "",
            "Routes:",
            *(f"  {line}" for line in self.gateway.routes()),
        ]
        if not ASSETS.is_dir():
            lines += ["", "Warning: build/assets is missing; run `make assets` for the GOV.UK styles."]
        return "\n".join(lines)

    def _describe_staff(self) -> list[str]:
        if self.staff is None:
            return []
        return [
            f"  Cognito staff     {self.staff.pool_id} (officer API client {self.staff.client_id})",
            "",
            f"Demo staff users (password {DEMO_PASSWORD}):",
            *(
                f"  {user.username:20} {', '.join(user.groups)}"
                + (f"  (service areas: {', '.join(user.service_areas)})" if user.service_areas else "")
                for user in self.staff.users
            ),
            f'  Tokens: curl -s -X POST {self.url}/_local/token -d \'{{"username": "complaints-officer"}}\'',
            f'  then:   curl -s {self.url}/me -H "Authorization: $ID_TOKEN"',
        ]


def _redrive(clock: OffsetClock) -> dict[str, int]:
    redriven, found = redrive_dead_letters(wiring.case_store(), clock)
    return {"redriven": redriven, "found": found}

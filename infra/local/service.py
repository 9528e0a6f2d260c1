"""The local service: resources, the gateway with its routes, the stream pump and the HTTP server, put
together. Used by ``make run`` and by the end-to-end and browser tests (on a free port)."""

from __future__ import annotations

import json
import mimetypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from infra.catalog import API_FUNCTIONS, FUNCTIONS, NOTIFIER, WORKFLOW, FunctionSpec
from infra.local import clock as local_clock
from infra.local import state
from infra.local.auth import DEMO_PASSWORD, LocalStaffPool, TokenVerifier, create_staff_pool, token_route
from infra.local.clock import LocalClock
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
from infra.local.streams import Consumer, StreamPump, matches
from shared import config, names, wiring
from shared.domain.calendar import LONDON
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
    clock: LocalClock
    stopping: threading.Event
    store: state.LocalStore | None = None  # the kept store (make run's default), or in memory only
    threads: list[threading.Thread] = field(default_factory=list)
    staff: LocalStaffPool | None = None  # the staff user pool and its demo users
    scheduler: LocalScheduler | None = None

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
        clock: LocalClock | None = None,
        stopped: Callable[[], bool] | None = None,
    ) -> LocalService:
        """Create the resources in the active moto mock, reload the kept store if ``state_file`` is
        given (and keep every write in it from then on, before it is answered), and bind the server
        (port 0: any free port). :meth:`serve_in_background` starts it. Without ``state_file`` the store
        is in memory only.

        ``clock`` is the one clock the service, its workflow and its scheduler follow: a test passes its
        own (which moves only when told); without one the clock follows real time (``make run``). A kept
        store's clock moves either on to where it was last kept. ``stopped``: whether a stop has been
        asked for, which ends a long load at once (:class:`state.LoadStopped`)."""
        resources = create_resources()
        store = state.LocalStore.open(state_file) if state_file is not None else None
        try:
            return cls._start(resources, store, host, port, pump_backoff, request_timeout, clock, stopped)
        except BaseException:
            if store is not None:  # let the file go: a test, or a second try, may open it again
                store.close()
            raise

    @classmethod
    def _start(
        cls,
        resources: LocalResources,
        store: state.LocalStore | None,
        host: str,
        port: int,
        pump_backoff: float,
        request_timeout: float,
        clock: LocalClock | None,
        stopped: Callable[[], bool] | None,
    ) -> LocalService:
        saved = None
        if store is not None:
            saved = store.clock()
            started = time.monotonic()
            triggers = [spec.stream for spec in (NOTIFIER, WORKFLOW) if spec.stream is not None]
            loaded = store.load_into(
                resources.table_name, lambda record: any(matches(t.filter, record) for t in triggers), stopped
            )
            took = time.monotonic() - started
            print(f"Local state: {loaded} items loaded from {store.path} in {took:.1f} s", flush=True)
        if clock is None:
            clock = LocalClock(saved, follow_real_time=True)
        elif saved is not None and saved > clock.now():
            clock.set(saved)
        if store is not None:
            store.attach(clock.now)
        local_clock.install(clock)
        config.use_clock(clock)
        staff = create_staff_pool([area.id for area in config.policy().service_areas])
        os.environ[names.STAFF_POOL_ID_ENV] = staff.pool_id
        wiring.reset()
        gateway = Gateway(API_FUNCTIONS, TokenVerifier.for_pool(staff).claims)
        if store is not None:  # nothing is answered before what it may show is on the disk
            gateway.before_answer = store.sync
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
        assert WORKFLOW.stream is not None
        pump = StreamPump(
            resources.table_name,
            load_handler(NOTIFIER.handler),
            resources.dead_letter_queue_url,
            more=(Consumer(WORKFLOW.name, WORKFLOW.stream, load_handler(WORKFLOW.handler)),),
            backoff_seconds=pump_backoff,
            sleep=stopping.wait,  # a retry's backoff ends at once when the service stops
        )
        server = serve(gateway, host, port, request_timeout=request_timeout)
        service = cls(resources, gateway, server, pump, clock, stopping, store, staff=staff)
        service.scheduler = LocalScheduler(service, clock.now())
        gateway.add_local_route("GET", "/_local/clock", lambda *_: _json(200, {"now": _z(clock.now())}))
        gateway.add_local_route("POST", "/_local/clock", lambda *request: service.clock_route(request[3]))
        return service

    # --- the local clock ---------------------------------------------------------------------------

    def settle(self) -> None:
        """Return when the stream is delivered and every workflow execution waits (or has ended)."""
        region = self.resources.state_machine_arn.split(":")[3]
        self.clock.settle_executions(lambda: local_clock.running_executions(region), self.pump.drain)

    def advance_to(self, target: datetime) -> int:
        """Move the clock to ``target`` through every wake-up on the way (see LocalClock.advance_to)."""
        scheduler = self.scheduler
        assert scheduler is not None
        return self.clock.advance_to(target, self.settle, scheduler.next_stepped, scheduler.run_due)

    def clock_route(self, body: bytes) -> tuple[int, str, bytes]:
        try:
            target = clock_target(json.loads(body or b"{}"), self.clock.now())
        except (ValueError, TypeError) as problem:
            return _json(400, {"title": "Bad clock request", "detail": str(problem)})
        before = sent_count()
        steps = self.advance_to(target)
        if self.store is not None:  # kept, and on the disk before the answer, as every write is
            self.store.save_clock(self.clock.now())
        return _json(200, {"now": _z(self.clock.now()), "steps": steps, "emails_sent": sent_count() - before})

    def serve_in_background(self) -> None:
        """Serve HTTP, deliver the stream and run the scheduled functions (as EventBridge would), each on
        its own thread."""
        self._background("heard-http", self.server.serve_forever, 0.1)
        self._background("heard-stream", self.pump.run, self.stopping)
        self._background("heard-scheduler", self._scheduling)

    def _background(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def run_scheduled(self, spec: FunctionSpec) -> dict[str, Any]:
        """Invoke a scheduled function once, with the event EventBridge sends."""
        event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
        result: dict[str, Any] = load_handler(spec.handler)(event, LambdaContext(function_name=spec.name))
        return result

    def _scheduling(self) -> None:
        """Run the scheduled functions when they fall due by the local clock (as time passes; an
        advance of the clock runs them itself, step by step)."""
        scheduler = self.scheduler
        assert scheduler is not None
        while not self.stopping.is_set():
            due = scheduler.next_due()
            if self.clock.wait_until(due, lambda: not self.stopping.is_set(), parks=False):
                scheduler.run_due()

    def stop(self, within: float = STOP_SECONDS) -> None:
        """Stop taking requests and close connections at once, then give the background threads until
        ``within`` seconds in all to finish, and close the store if it is kept (everything in it was kept
        as it was written: this only keeps the clock and folds the log into the file)."""
        deadline = time.monotonic() + within
        self.stopping.set()
        self.clock.wake_waiters()
        local_clock.stop_executions()
        if any(t.name == "heard-http" for t in self.threads):
            self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.store is not None:
            kept = self.store.close(self.clock.now())
            print(f"Local state: {kept} items kept in {self.store.path}", flush=True)

    def describe(self) -> str:
        policy = config.policy()
        lines = [
            f"Heard is running at {self.url}  (Ctrl-C to stop)",
            "",
            f"  Online form       {self.url}/",
            f"  Local outbox      {self.url}/_local/outbox.html  (JSON: /_local/outbox)",
            f"  Dead letters      {self.url}/_local/dead-letters  (POST /_local/dead-letters/redrive)",
            f"  Local clock       {self.url}/_local/clock  now {_z(self.clock.now())}"
            ' (POST {"advance_working_days": 5})',
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
                [f"Local state: kept in {self.store.path} (each write on disk before it is answered)"]
                if self.store
                else ["Local state: in memory only, lost at exit (--in-memory; without it, kept on disk)"]
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


def _z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: The furthest one request may move the clock.
MAX_ADVANCE = timedelta(days=5 * 366)


def clock_target(request: Any, now: datetime) -> datetime:
    """Where ``POST /_local/clock`` moves the clock: ``{"advance_days": N}``, ``{"advance_working_days":
    N}`` (the same London time, N working days on) or ``{"set": "2027-03-02T09:00:00Z"}``; never back."""
    if not isinstance(request, dict) or len(request) != 1:
        raise ValueError('send one of {"advance_days": N}, {"advance_working_days": N} or {"set": "...Z"}')
    ((how, value),) = request.items()
    if how in ("advance_days", "advance_working_days"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{how} must be a whole number of days, 0 or more")
        if how == "advance_days":
            target = now + timedelta(days=value)
        else:
            local = now.astimezone(LONDON)
            day = config.policy().calendar().add_working_days(local.date(), value) if value else local.date()
            target = datetime.combine(day, local.time(), tzinfo=LONDON).astimezone(UTC)
    elif how == "set":
        if not isinstance(value, str):
            raise ValueError("set takes an instant such as 2027-03-02T09:00:00Z")
        target = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if target.tzinfo is None:
            raise ValueError("set needs an instant with its offset, such as 2027-03-02T09:00:00Z")
        if target < now:
            raise ValueError(f"the clock never goes back: it is {_z(now)}")
    else:
        raise ValueError(f"unknown clock request '{how}'")
    if target - now > MAX_ADVANCE:
        raise ValueError(f"one request moves the clock at most {MAX_ADVANCE.days} days")
    return target


class LocalScheduler:
    """EventBridge Scheduler's part locally: each scheduled function of the catalog runs every
    ``schedule_minutes`` of the local clock. Advancing the clock steps through the runs of schedules an
    hour or longer apart; those more frequent (the sweeper) run once at each step that passes their
    time, as their work does not depend on how often they ran."""

    STEPPED = timedelta(hours=1)

    def __init__(self, service: LocalService, start: datetime) -> None:
        self._service = service
        self._lock = threading.Lock()
        #: Held while due functions run: a move of the clock waits for a run the background thread began,
        #: so that what the run wrote is delivered before the move returns.
        self._running = threading.Lock()
        self._next: dict[str, datetime] = {}
        self._specs = {spec.name: spec for spec in FUNCTIONS if spec.schedule_minutes}
        for spec in self._specs.values():
            self._next[spec.name] = start + self._period(spec)

    @staticmethod
    def _period(spec: FunctionSpec) -> timedelta:
        assert spec.schedule_minutes
        return timedelta(minutes=spec.schedule_minutes)

    def next_due(self) -> datetime:
        with self._lock:
            return min(self._next.values(), default=datetime.max.replace(tzinfo=UTC))

    def next_stepped(self) -> datetime | None:
        with self._lock:
            stepped = [t for n, t in self._next.items() if self._period(self._specs[n]) >= self.STEPPED]
            return min(stepped, default=None)

    def run_due(self) -> None:
        with self._running:
            self._run_due()

    def _run_due(self) -> None:
        now = self._service.clock.now()
        with self._lock:
            due = [n for n, t in self._next.items() if t <= now]
            for name in due:
                period = self._period(self._specs[name])
                while self._next[name] <= now:
                    self._next[name] += period
        for name in due:
            try:
                self._service.run_scheduled(self._specs[name])
            except Exception as exc:  # keep the local service alive; report the type only
                print(f"{name}: {type(exc).__name__}", flush=True)


def _redrive(clock: LocalClock) -> dict[str, int]:
    redriven, found = redrive_dead_letters(wiring.case_store(), clock)
    return {"redriven": redriven, "found": found}

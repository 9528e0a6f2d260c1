"""The local clock: the one time that the local service, the tests and moto's Step Functions interpreter
all follow, and the patches that make the interpreter follow it (moto 5.2.5).

moto's Wait states, Retry back-off and task timeouts sleep real time. Here every one of them waits on
:class:`LocalClock` instead, so a test or a person can move time forward and see what a month brings:

- Wait (all four forms) ends when the clock reaches its instant, or when the execution stops. Timestamp
  waits read the ``...Z`` instant as UTC (moto compares it with naive local time);
- Retry back-off waits its interval on the clock;
- a task's ``TimeoutSeconds`` runs on the clock (``HeartbeatSeconds`` and callbacks are unused here and
  left alone).

:meth:`LocalClock.advance_to` moves the clock step by step to each wake-up in turn (a Wait's instant, a
retry, a scheduled function), and after each step waits until everything it set off has finished: each
running execution is waiting again or has ended, and the case table's stream is delivered (so every
notification is in the outbox). It never holds the emulator's lock while it waits.
"""

from __future__ import annotations

import itertools
import threading
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local.emulator import ACCOUNT_ID

#: How long a waiter sleeps between looks at real time when the clock follows it.
_POLL_SECONDS = 0.5
#: How long a waiter on a clock that moves only when told sleeps between looks (every move and every
#: stop wakes it at once; this only bounds a missed wake-up).
_IDLE_SECONDS = 5.0
#: How long :meth:`LocalClock.advance_to` waits for the service to settle after a step.
SETTLE_TIMEOUT_SECONDS = 120.0


class NotSettled(RuntimeError):
    """The service did not settle after a step of the clock (a task that never ends)."""


@dataclass
class _Waiter:
    until: datetime
    parks: bool  # a Wait state or a retry: its execution is idle until then (a task timeout is not)
    wake: threading.Event  # set when the clock reaches ``until``, or when the waiter must look again


class LocalClock:
    """A :class:`~shared.domain.clock.Clock` that moves only forward: with real time (``follow_real_time``,
    ``make run``) plus any jumps, or only when told (tests)."""

    def __init__(self, start: datetime | None = None, *, follow_real_time: bool = False) -> None:
        real = datetime.now(UTC)
        start = start or real
        if start.tzinfo is None:
            raise ValueError("LocalClock needs a timezone-aware start")
        self._follow = follow_real_time
        self._offset = start.astimezone(UTC) - real
        self._fixed = start.astimezone(UTC)
        self._lock = threading.Lock()
        #: Notified when a waiter comes or goes: an advance settling looks again.
        self._waiting = threading.Condition(self._lock)
        self._waiters: dict[int, _Waiter] = {}
        self._ids = itertools.count()
        self._advancing = threading.Lock()
        self.steps = 0  # how many steps advance_to has taken, in all

    def now(self) -> datetime:
        with self._lock:
            return self._now()

    def _now(self) -> datetime:
        return datetime.now(UTC) + self._offset if self._follow else self._fixed

    def _move_to(self, instant: datetime) -> None:
        """Move on and wake the waiters whose instant has come, and only them: hundreds of executions
        park at once, and waking each of them at every step cost more than the steps' own work."""
        with self._lock:
            if instant > self._now():
                if self._follow:
                    self._offset = instant - datetime.now(UTC)
                else:
                    self._fixed = instant
            now = self._now()
            for waiter in self._waiters.values():
                if waiter.until <= now:
                    waiter.wake.set()

    def advance(self, delta: timedelta) -> None:
        """Jump forward without waiting for anything to settle (what falls due runs in the background):
        :meth:`advance_to` is the step-by-step move."""
        self._move_to(self.now() + delta)

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``, which must not be in the clock's past (as :meth:`advance`)."""
        if instant.tzinfo is None:
            raise ValueError("LocalClock.set needs a timezone-aware instant")
        if instant < self.now():
            raise ValueError(f"the local clock never goes back: it is {self.now().isoformat()}")
        self._move_to(instant)

    def wake_waiters(self) -> None:
        """Let every waiter look again (an execution was stopped)."""
        with self._lock:
            for waiter in self._waiters.values():
                waiter.wake.set()

    # --- waiting ---------------------------------------------------------------------------------------

    def wait_until(
        self,
        until: datetime,
        alive: Callable[[], bool] = lambda: True,
        *,
        parks: bool = True,
        wake: threading.Event | None = None,
    ) -> bool:
        """Block until the clock reaches ``until`` (True) or ``alive()`` turns false (False). ``wake``,
        set by whoever makes ``alive()`` false, ends the wait at once (else a stop wakes every waiter)."""
        key = next(self._ids)
        waiter = _Waiter(until, parks, wake or threading.Event())
        with self._lock:
            self._waiters[key] = waiter
            self._waiting.notify_all()  # an advance waiting for the service to settle looks again
        try:
            while True:
                waiter.wake.clear()  # before looking: a move or a stop after the look sets it again
                if not alive():
                    return False
                with self._lock:
                    now = self._now()
                if now >= until:
                    return True
                timeout = min(_POLL_SECONDS, (until - now).total_seconds()) if self._follow else _IDLE_SECONDS
                waiter.wake.wait(timeout)
        finally:
            with self._lock:
                del self._waiters[key]
                self._waiting.notify_all()

    def parked(self) -> int:
        """How many executions are idle until a later instant (in a Wait or a retry's back-off)."""
        with self._lock:
            now = self._now()
            return sum(1 for w in self._waiters.values() if w.parks and w.until > now)

    def next_wake(self) -> datetime | None:
        with self._lock:
            return min((w.until for w in self._waiters.values() if w.parks), default=None)

    # --- moving ----------------------------------------------------------------------------------------

    def advance_to(
        self,
        target: datetime,
        settle: Callable[[], None],
        also_due: Callable[[], datetime | None] = lambda: None,
        on_step: Callable[[], None] = lambda: None,
    ) -> int:
        """Move to ``target`` through every wake-up before it (a Wait, a retry, or ``also_due()``, the
        scheduler's next run), calling ``settle()`` (which must return only when the service is quiet)
        and ``on_step()`` (the scheduler) after each. Returns the number of steps. One advance at a
        time; never moves backwards."""
        if target.tzinfo is None:
            raise ValueError("advance_to needs a timezone-aware instant")
        with self._advancing:
            steps = 0
            settle()
            while True:
                candidates = [t for t in (self.next_wake(), also_due()) if t is not None and t <= target]
                step = min(candidates, default=target)
                self._move_to(step)
                on_step()
                settle()
                steps += 1
                if step >= target and not any(
                    t is not None and t <= target for t in (self.next_wake(), also_due())
                ):
                    self.steps += steps
                    return steps

    def settle_executions(self, running: Callable[[], int], drain: Callable[[], int]) -> None:
        """Return when the stream is drained and every running execution is parked: ``running()`` counts
        the executions still running, ``drain()`` delivers the stream and returns how many records."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            delivered = drain()
            if not delivered and running() <= self.parked():
                # Look once more after a moment: a task may have just written what the stream delivers.
                time.sleep(0.002)
                if not drain() and running() <= self.parked():
                    return
                continue
            with self._waiting:
                self._waiting.wait(0.005)
        raise NotSettled(f"the local service did not settle within {SETTLE_TIMEOUT_SECONDS:.0f} s")


# --- moto's Step Functions interpreter, on the local clock ------------------------------------------

_current: LocalClock | None = None
_installed = False
#: Executions waiting in a Wait state now (by ARN), and those to stop at their next Wait.
_stopping = threading.Lock()
_parked: dict[str, Any] = {}
_pending_stops: dict[str, datetime] = {}


def current() -> LocalClock:
    if _current is None:
        raise RuntimeError("no local clock is installed (infra.local.clock.install)")
    return _current


class _ClockEvent(threading.Event):
    """``threading.Event`` whose timeout runs on the local clock (a task's TimeoutSeconds)."""

    def __init__(self) -> None:
        super().__init__()
        self._wake = threading.Event()

    def set(self) -> None:
        super().set()
        self._wake.set()  # the task ended: its timeout stops waiting now

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None or _current is None:
            return super().wait(timeout)
        until = _current.now() + timedelta(seconds=timeout)
        _current.wait_until(until, lambda: not self.is_set(), parks=False, wake=self._wake)
        return self.is_set()


def install(clock: LocalClock) -> None:
    """Make moto's Step Functions interpreter follow ``clock`` (the patches are made once a process;
    installing another clock replaces the one they follow)."""
    global _current, _installed
    _current = clock
    if _installed:
        return
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.backend.execution import Execution

    def eval_wait(self: Any, env: Any) -> None:
        if isinstance(self, Timestamp):
            self.string.eval(env=env)
            text = env.stack.pop()
            parsed = self._from_timestamp_string(timestamp=text)
            if parsed is None:
                raise FailureEventException(self._create_failure_event(env, text))
            until = parsed.replace(tzinfo=UTC)
        else:
            until = current().now() + timedelta(seconds=self._get_wait_seconds(env=env))
        arn = env.states.context_object.context_object_data["Execution"]["Id"]
        with _stopping:
            stop_now = _pending_stops.pop(arn, None)
            if stop_now is None:
                _parked[arn] = env
        if stop_now is not None:  # stopped while it ran: it stops here, at a safe point
            env.set_stop(stop_date=stop_now, cause="stopped", error=None)
            return
        try:
            current().wait_until(until, env.is_running)
        finally:
            with _stopping:
                _parked.pop(arn, None)

    WaitFunction._eval_body = eval_wait  # type: ignore[method-assign]

    def back_off(seconds: float) -> None:
        current().wait_until(current().now() + timedelta(seconds=seconds))

    retrier_decl.time = types.SimpleNamespace(sleep=back_off)  # type: ignore[attr-defined]
    execute_state.threading = types.SimpleNamespace(  # type: ignore[attr-defined]
        Event=_ClockEvent, Thread=threading.Thread, Lock=threading.Lock, RLock=threading.RLock
    )
    stop = Execution.stop

    def stop_and_wake(self: Any, *args: Any, **kwargs: Any) -> None:
        # moto stops an execution from the caller's thread wherever the interpreter is: one stopped
        # before its first state, or inside a Choice, ends FAILED (IndexError, or AttributeError with
        # no environment yet) where AWS says ABORTED. Only one waiting in a Wait is stopped at once;
        # any other stops at its next Wait (if it ends first, there is nothing to stop).
        with _stopping:  # held while stopping, so that the Wait cannot end in between
            if self.exec_arn in _parked:
                stop(self, *args, **kwargs)
            elif self.status == "RUNNING":
                _pending_stops[self.exec_arn] = kwargs.get("stop_date") or datetime.now(UTC)
        current().wake_waiters()

    Execution.stop = stop_and_wake  # type: ignore[method-assign]
    _installed = True


def executions() -> list[Any]:
    """Every execution moto holds (of every state machine of the account)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return [
        execution
        for backend in list(stepfunctions_parser_backends[ACCOUNT_ID].values())  # the regions in use
        for machine in backend.state_machines
        for execution in machine.executions
    ]


def running_executions(region: str | None = None) -> int:
    """How many executions moto runs now."""
    return sum(1 for e in executions() if e.status == "RUNNING")


def stop_executions() -> None:
    """Stop every running execution (the service is stopping): their threads end, and none outlives
    the mock to reach for a real endpoint."""
    for execution in executions():
        if execution.status == "RUNNING":
            execution.stop(stop_date=datetime.now(UTC), error="Stopped", cause="the local service stopped")

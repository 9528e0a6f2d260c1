"""Before a SnapStart snapshot the intake function and the online form build what registering's first
request would build once (functions/intake/handler.py, functions/form/handler.py); anywhere without
Lambda's Snapshot Restore library they register nothing and stay lazy. Each case runs in a fresh
interpreter, as a function's init does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: The handlers that register the hook: the functions with SnapStart that register representations.
HANDLERS = ("functions.intake.handler", "functions.form.handler")

#: Stands in for Lambda's snapshot_restore_py: records the hooks, and runs them when asked.
FAKE_LIBRARY = textwrap.dedent(
    """
    hooks = []

    def register_before_snapshot(func, *args, **kwargs):
        hooks.append((func, args, kwargs))
    """
)

SCRIPT = textwrap.dedent(
    """
    import importlib, json, sys
    importlib.import_module(sys.argv[1])
    from shared import wiring
    state = {"validator_at_init": "email_validator" in sys.modules}
    try:
        import snapshot_restore_py
    except ImportError:
        state["hooks"] = None
    else:
        state["hooks"] = [f"{f.__module__}.{f.__qualname__}" for f, _, _ in snapshot_restore_py.hooks]
        for func, args, kwargs in reversed(snapshot_restore_py.hooks):  # as Lambda runs them
            func(*args, **kwargs)
    state["validator"] = "email_validator" in sys.modules
    state["client_built"] = wiring.case_store()._client is not None
    state["service_built"] = wiring.intake_service.cache_info().currsize == 1
    print(json.dumps(state))
    """
)


def init(
    tmp_path: Path, *, with_library: bool, handler: str = HANDLERS[0], **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HEARD_"))}
    env.update(
        AWS_DEFAULT_REGION="eu-west-2",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        HEARD_TABLE_NAME="heard-cases",
        **extra,
    )
    if with_library:
        (tmp_path / "snapshot_restore_py.py").write_text(FAKE_LIBRARY)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, handler],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def state(run: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert run.returncode == 0, run.stderr[-2000:]
    found: dict[str, object] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("handler", HANDLERS)
def test_before_a_snapshot_the_client_the_policy_and_the_validator_are_ready(
    tmp_path: Path, handler: str
) -> None:
    prepared = state(init(tmp_path, with_library=True, handler=handler))
    assert prepared["hooks"] == ["shared.wiring.prepare_intake"]
    assert prepared["validator_at_init"] is False, "importing the handler alone stays lazy"
    assert (prepared["validator"], prepared["client_built"], prepared["service_built"]) == (True, True, True)


@pytest.mark.parametrize("handler", HANDLERS)
def test_without_snapshots_nothing_is_built_before_the_first_request(tmp_path: Path, handler: str) -> None:
    lazy = state(init(tmp_path, with_library=False, handler=handler))
    assert lazy["hooks"] is None
    assert (lazy["validator"], lazy["client_built"], lazy["service_built"]) == (False, False, False)


def test_a_bad_policy_file_fails_before_the_snapshot(tmp_path: Path) -> None:
    """Before the snapshot, not at a request: the hook loads the policy as the first request would."""
    bad = tmp_path / "policy.json"
    bad.write_text('{"statutory": {"stage1": {"working_days": 30}}}')
    run = init(tmp_path, with_library=True, HEARD_POLICY_FILE=str(bad))
    assert run.returncode != 0
    assert "PolicyError" in run.stderr and "stage1" in run.stderr

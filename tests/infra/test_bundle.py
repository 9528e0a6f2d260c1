"""The deployment bundle works on the runtime it is deployed on.

The bundle is built as ``cdk synth`` builds it (``LocalBundler``: the project's packages, the runtime
dependencies pinned and hash-checked from requirements.lock as manylinux wheels for the runtime's Python,
and bytecode compiled by that Python). An interpreter of the runtime's version then runs it with nothing
but the bundle and its own standard library (``-I -S``, tests/infra/bundle_probe.py): it imports every
handler in infra/catalog.py and serves real requests, one or more per function, against a moto server in
this process, reached over HTTP as a deployed function reaches AWS. Nothing is skipped: without an
interpreter of the runtime's version the tests fail and say how to get one (``make lambda-python``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.catalog import FUNCTIONS, INTAKE, ME, NOTIFIER, OFFICER, WORKFLOW, FunctionSpec
from infra.components.functions import RUNTIME_VERSION, LocalBundler, local_python, missing_python
from shared import names
from tests import real_clock
from tests.conftest import complaint

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("bundle_probe.py")
LOCK_NAME = "requirements.lock"


@pytest.fixture(scope="module")
def runtime_python() -> Path:
    python = local_python(RUNTIME_VERSION)
    if python is None:
        pytest.fail(missing_python(RUNTIME_VERSION), pytrace=False)
    return python


@pytest.fixture(scope="module")
def bundle(runtime_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    with real_clock.for_subprocesses():  # pip checks the registry's certificate against the real date
        assert LocalBundler().try_bundle(str(out)) is True
    return out


def _ask(python: Path, expression: str) -> str:
    return subprocess.run(
        [str(python), "-I", "-c", f"import sys; print({expression})"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _dists(bundle: Path) -> dict[str, tuple[str, list[str]]]:
    """The distributions installed in the bundle: name -> (version, Requires-Dist), from their METADATA."""
    found: dict[str, tuple[str, list[str]]] = {}
    for metadata in bundle.glob("*.dist-info/METADATA"):
        headers = metadata.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        field = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in headers if ":" in line}
        requires = [line.split(":", 1)[1].strip() for line in headers if line.startswith("Requires-Dist:")]
        found[canonicalize_name(field["Name"])] = (field["Version"], requires)
    return found


def test_the_bundle_holds_exactly_what_the_runtime_needs_at_the_locked_versions(bundle: Path) -> None:
    """Every distribution in the bundle is at requirements.lock's version, and the bundle holds exactly
    the closure of pyproject.toml's runtime dependencies by the wheels' own metadata, for CPython of the
    runtime's version on Linux: nothing missing, no development package."""
    lock = {
        canonicalize_name(name): version
        for name, version in re.findall(
            r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", (ROOT / LOCK_NAME).read_text(), re.M
        )
    }
    installed = _dists(bundle)
    assert {name: version for name, (version, _) in installed.items()} == {
        name: lock[name] for name in installed
    }, "the bundle must install requirements.lock's versions"

    environment: dict[str, str] = {
        **default_environment(),
        "python_version": RUNTIME_VERSION,
        "python_full_version": f"{RUNTIME_VERSION}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "extra": "",
    }
    direct = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed: set[str] = set()
    pending = [Requirement(text) for text in direct]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):  # type: ignore[arg-type]
            continue
        if name in needed:
            continue
        needed.add(name)
        assert name in installed, f"{name} is needed on the runtime but not in the bundle"
        pending.extend(Requirement(text) for text in installed[name][1])
    assert set(installed) == needed, f"not needed on the runtime: {sorted(set(installed) - needed)}"
    assert not {"moto", "pytest", "aws-cdk-lib", "boto3-stubs"} & set(installed)


def test_every_module_in_the_bundle_has_bytecode_for_the_runtime(bundle: Path, runtime_python: Path) -> None:
    """Bytecode that the runtime's Python wrote and uses as it is (unchecked hash-based, PEP 552): CDK
    zips every file with one fixed date and Lambda's code directory is read-only, so bytecode checked
    against its source's date would be recompiled at every cold start. No bytecode for another Python."""
    tag = _ask(runtime_python, "sys.implementation.cache_tag")  # e.g. cpython-313, from the interpreter
    sources = [p for p in bundle.rglob("*.py") if "__pycache__" not in p.parts]
    assert len(sources) > 1000  # botocore, pydantic, ... and Heard's own code
    missing = [p for p in sources if not (p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc").exists()]
    assert missing == [], f"{len(missing)} modules without {tag} bytecode, e.g. {missing[:3]}"
    compiled = list(bundle.rglob("*.pyc"))
    assert {p.name.split(".")[-2] for p in compiled} == {tag}
    flags = {int.from_bytes(p.read_bytes()[4:8], "little") for p in compiled}
    assert flags == {0b01}, "hash-based bytecode that does not check its source (unchecked-hash)"


def test_a_change_in_the_locked_requirements_makes_a_new_functions_asset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CDK names the code asset after its source (shared/, functions/) and bundling options; unless the
    requirements are among them, a runtime pin changed by ``make lock`` would leave the bundle in cdk.out
    and the uploaded asset as they were, with the old versions."""
    import aws_cdk as cdk
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_kms as kms
    from aws_cdk.assertions import Template

    from infra.components import functions
    from tests.infra.conftest import cdk_context

    def code_of_every_function(requirements: str) -> set[str]:
        monkeypatch.setattr(functions, "runtime_requirements", lambda *args, **kwargs: requirements)
        app = cdk.App(context=cdk_context(), outdir=str(tmp_path / uuid.uuid4().hex))
        stack = cdk.Stack(app, "Bundle")
        table = dynamodb.Table(
            stack, "T", partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING)
        )
        functions.Functions(stack, "Functions", environment={}, table=table, key=kms.Key(stack, "K"))
        resources = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
        return {json.dumps(f["Properties"]["Code"], sort_keys=True) for f in resources.values()}

    locked = functions.runtime_requirements()
    repinned = re.sub(r"==([^\s;\\]+)", r"==\1.post99", locked, count=1)  # one pin moved
    assert repinned != locked
    first = code_of_every_function(locked)
    assert len(first) == 1, "every function has the one code asset"
    assert code_of_every_function(locked) == first, "the same requirements, the same asset"
    assert code_of_every_function(repinned) != first


def _api(
    spec: FunctionSpec,
    method: str,
    resource: str,
    *,
    path: str | None = None,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway proxy event for one of ``spec``'s routes, as the local gateway makes it."""
    from infra.local.gateway import proxy_event

    assert any(r.method == method and r.path == resource for r in spec.routes), (spec.name, method, resource)
    event = proxy_event(
        method, resource, path or resource, "", headers or {}, body, params or {}, "127.0.0.1"
    )
    if claims is not None:
        event["requestContext"]["authorizer"] = {"claims": claims}
    return {"function": spec.name, "handler": spec.handler, "event": event}


def _probe(
    python: Path, bundle: Path, calls: list[dict[str, Any]], env: dict[str, str], scratch: Path
) -> Any:
    spec_file, out = scratch / f"calls-{uuid.uuid4().hex}.json", scratch / f"out-{uuid.uuid4().hex}.json"
    spec_file.write_text(json.dumps({"handlers": [f.handler for f in FUNCTIONS], "calls": calls}))
    run = subprocess.run(
        [str(python), "-I", "-S", "-B", str(PROBE), str(bundle), str(spec_file), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"the bundle failed on {python}:\n{run.stderr[-4000:]}"
    return json.loads(out.read_text())


def test_every_handler_imports_and_serves_requests_from_the_bundle_on_the_runtime_python(
    bundle: Path, runtime_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.server import ThreadedMotoServer

    from infra.catalog import RUNTIME_ENVIRONMENT
    from infra.local.emulator import create_resources
    from infra.local.streams import Consumer, StreamPump

    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # this process's clients, too, reach only it
        before = dict(os.environ)
        resources = create_resources()
        for variable in set(os.environ) - set(before):
            monkeypatch.delenv(variable)  # create_resources exports the names; the child gets them below
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),  # no ~/.aws of the machine's
            "TZ": "UTC",
            "LANG": "C.UTF-8",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_REGION": "eu-west-2",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_LAMBDA_FUNCTION_NAME": "probe",
            **RUNTIME_ENVIRONMENT,
            **resources.environment(),
            names.FORM_KEY_ENV: "probe-form-key-" + "k" * 40,
        }
        claims = {"sub": str(uuid.uuid4()), names.USERNAME_CLAIM: "complaints-officer"}
        claims[names.GROUPS_CLAIM] = "complaints-officer"
        form = next(f for f in FUNCTIONS if f.handler.startswith("functions.form."))
        scheduled = [f for f in FUNCTIONS if f.schedule_minutes is not None]
        first = [
            _api(INTAKE, "GET", "/health"),
            _api(
                INTAKE,
                "POST",
                "/representations",
                body=json.dumps(complaint()).encode(),
                headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
            ),
            _api(form, "GET", "/"),
            _api(ME, "GET", "/me", claims=claims),
            *(
                {"function": f.name, "handler": f.handler, "event": {"source": "aws.scheduler"}}
                for f in scheduled
            ),
        ]
        ran = _probe(runtime_python, bundle, first, env, tmp_path)
        assert ran["version"] == [int(part) for part in RUNTIME_VERSION.split(".")]
        assert ran["implementation"] == "cpython"
        assert ran["sys_path"][0] == str(bundle)
        assert ran["from_elsewhere"] == [], (
            "everything imported comes from the bundle or the standard library"
        )
        for spec in FUNCTIONS:
            assert spec.handler.rpartition(".")[0].replace(".", "/") + ".py" in ran["from_bundle"]
        assert "pydantic_core/_pydantic_core.cpython-" + RUNTIME_VERSION.replace(".", "") in " ".join(
            ran["from_bundle"]
        )
        health, created, page, me, *swept = ran["results"]
        assert health["statusCode"] == 200, health
        assert created["statusCode"] == 201, created
        assert page["statusCode"] == 200 and page["headers"]["Content-Type"].startswith("text/html"), page
        assert me["statusCode"] == 200 and json.loads(me["body"])["username"] == "complaints-officer", me
        assert len(swept) == len(scheduled) and all(isinstance(result, dict) for result in swept), swept
        reference = json.loads(created["body"])["reference"]

        # The table's stream, as the event source mappings deliver it (the same filters as deployed).
        delivered: dict[str, list[dict[str, Any]]] = {NOTIFIER.name: [], WORKFLOW.name: []}

        def collect(name: str) -> Any:
            return lambda event, context: delivered[name].append(event) or {"batchItemFailures": []}

        assert WORKFLOW.stream is not None
        pump = StreamPump(
            resources.table_name,
            collect(NOTIFIER.name),
            resources.dead_letter_queue_url,
            more=(Consumer(WORKFLOW.name, WORKFLOW.stream, collect(WORKFLOW.name)),),
        )
        pump.poll_once()
        assert delivered[NOTIFIER.name] and delivered[WORKFLOW.name], delivered
        second = [
            _api(
                OFFICER,
                "GET",
                "/cases/{reference}",
                path=f"/cases/{reference}",
                params={"reference": reference},
                claims=claims,
            ),
            *(
                {"function": NOTIFIER.name, "handler": NOTIFIER.handler, "event": e}
                for e in delivered[NOTIFIER.name]
            ),
            *(
                {"function": WORKFLOW.name, "handler": WORKFLOW.handler, "event": e}
                for e in delivered[WORKFLOW.name]
            ),
        ]
        ran = _probe(runtime_python, bundle, second, env, tmp_path)
        case, *batches = ran["results"]
        assert case["statusCode"] == 200 and json.loads(case["body"])["case"]["reference"] == reference, case
        assert batches and all(b == {"batchItemFailures": []} for b in batches), batches

        from moto.ses.models import ses_backends

        from infra.local.emulator import ACCOUNT_ID

        assert ses_backends[ACCOUNT_ID]["eu-west-2"].sent_messages, "the notifier sent its email through moto"
    finally:
        server.stop()

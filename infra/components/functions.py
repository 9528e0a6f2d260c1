"""Heard's Lambda functions, from the catalog: one asset with the project's code and its runtime
dependencies, an inline least-privilege role (only the table actions and partition keys the catalog names)
and a log group with retention per function; scheduled functions get their EventBridge schedule and a
dead-letter queue for the asynchronous invocations it makes; SnapStart functions get a published version
and the alias their callers invoke."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import Annotations, BundlingOptions, DockerImage, Duration, ILocalBundling, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import checkov_skips
from infra.catalog import (
    FORM,
    FUNCTIONS,
    LIVE_ALIAS,
    RUNTIME_ENVIRONMENT,
    WORKFLOW_TASKS,
    FunctionSpec,
    StreamTrigger,
    TableAccess,
)
from infra.nag import SNAP_START_PUBLISHED
from shared import names

ROOT = Path(__file__).resolve().parents[2]
#: The runtime every function is deployed on: not the newest Lambda offers (python3.14, which no machine
#: of this project has), but the newest whose interpreter it has, on which tests/infra/test_bundle.py runs
#: the bundle itself. Why, and what each choice costs: docs/decisions.md, "Lambda runtime".
RUNTIME = lambda_.Runtime.PYTHON_3_13
RUNTIME_VERSION = RUNTIME.name.removeprefix("python")  # "3.13": the bundle's wheels are for it
LOG_RETENTION = logs.RetentionDays.SIX_MONTHS
#: The runtime dependencies are pyproject.toml's ``[project] dependencies`` (boto3 too: the runtime's copy
#: lags) and everything they need, each at the version and with the hashes requirements.lock holds.
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
#: Wheels for the functions' architecture (x86_64) that the runtime's Amazon Linux 2023 can load.
PLATFORM = ("--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--implementation", "cp")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def canonical(name: str) -> str:
    """A distribution's name as the lock writes it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies(pyproject: str) -> tuple[str, ...]:
    """The names of the functions' own dependencies: pyproject.toml's ``[project] dependencies``."""
    names_: list[str] = []
    for requirement in tomllib.loads(pyproject)["project"]["dependencies"]:
        match = _NAME.match(requirement)
        if match is None or "[" in requirement or ";" in requirement:
            # Extras and markers would need a resolver: the closure below follows the lock's "via" only.
            raise ValueError(f"a runtime dependency must be a plain name and range: {requirement!r}")
        names_.append(canonical(match.group()))
    return tuple(names_)


def locked_entries(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """requirements.lock (``uv pip compile --generate-hashes``) by package: its requirement lines as the
    lock has them (``name==version [; marker]`` and every ``--hash``), and the packages it is "via"."""
    entries: dict[str, tuple[list[str], set[str]]] = {}
    current: tuple[list[str], set[str]] | None = None
    for line in lock.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not line[0].isspace() and not stripped.startswith("#"):
            match = _NAME.match(stripped)
            if match is None:
                raise ValueError(f"requirements.lock: cannot read {line!r}")
            current = ([line], set())
            entries[canonical(match.group())] = current
        elif current is None:
            continue  # the header's comments
        elif stripped.startswith("--hash="):
            current[0].append(line)
        elif stripped.startswith("#"):
            via = stripped.lstrip("#").strip().removeprefix("via").strip()
            if via:
                current[1].add(canonical(via.split()[0]))
    return {name: ("\n".join(lines), frozenset(via)) for name, (lines, via) in entries.items()}


def runtime_requirements(lock: str | None = None, pyproject: str | None = None) -> str:
    """What the bundle installs, as a hash-checked requirements file: the runtime dependencies and,
    through the lock's "via" annotations, everything they need, pinned and hashed as the lock has them.
    pip then refuses the install if anything it needs is missing from it."""
    entries = locked_entries(LOCK.read_text() if lock is None else lock)
    wanted = set(runtime_dependencies(PYPROJECT.read_text() if pyproject is None else pyproject))
    missing = wanted - entries.keys()
    if missing:
        raise ValueError(f"not in requirements.lock (run make lock): {', '.join(sorted(missing))}")
    grew = True
    while grew:
        more = {name for name, (_, via) in entries.items() if name not in wanted and via & wanted}
        wanted |= more
        grew = bool(more)
    return "".join(f"{entries[name][0]}\n" for name in sorted(wanted))


def requirements_digest() -> str:
    """What the bundle's dependencies are, as one hash (SHA-256 of the requirements file it installs)."""
    return hashlib.sha256(runtime_requirements().encode()).hexdigest()


def install_dependencies(target: Path, python_version: str = RUNTIME_VERSION) -> None:
    """Installs the runtime dependencies into ``target``: manylinux wheels for ``python_version``, each
    file checked against the lock's hashes."""
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(runtime_requirements())
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-hashes",
                "--no-compile",  # pip would write bytecode for its own Python: see compile_bytecode
                "--target",
                str(target),
                *PLATFORM,
                "--python-version",
                python_version,
                "--requirement",
                str(requirements),
            ],
            check=True,
        )


def copy_code(target: Path, packages: Iterable[str] = ("shared", "functions")) -> None:
    """The project's own packages, without bytecode or the form's static files (served from S3)."""
    for package in packages:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static")
        )


#: Where a CI or a developer may name the interpreter of the runtime's version, if it is elsewhere.
LAMBDA_PYTHON_ENV = "HEARD_LAMBDA_PYTHON"


def _patch_level(interpreter: Path) -> tuple[int, ...]:
    """(3, 13, 10) from pyenv's .../versions/3.13.10/bin/python3.13."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", interpreter.parent.parent.name)
    return tuple(int(part) for part in match.groups()) if match else ()


def local_python(version: str = RUNTIME_VERSION) -> Path | None:
    """An interpreter of Python ``version`` on this machine, or None: ``$HEARD_LAMBDA_PYTHON`` if set (for
    the runtime's version: then only it), else pyenv's, uv's (``uv python install``, which ``make
    lambda-python`` runs) or one on PATH, newest patch first. Each is asked its version: pyenv's shims
    answer only for the versions selected."""
    named = os.environ.get(LAMBDA_PYTHON_ENV, "").strip() if version == RUNTIME_VERSION else ""
    if named:
        candidates = [Path(named)]
    else:
        pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
        candidates = sorted(pyenv.glob(f"{version}.*/bin/python{version}"), key=_patch_level, reverse=True)
        uv = Path(sys.executable).with_name("uv")  # the venv's, from the lock
        if uv.exists():
            found = subprocess.run(  # noqa: S603 - fixed arguments
                [str(uv), "python", "find", "--managed-python", "--no-python-downloads", version],
                capture_output=True,
                text=True,
                check=False,
            )
            candidates.extend(
                Path(line) for line in found.stdout.strip().splitlines() if found.returncode == 0
            )
        on_path = shutil.which(f"python{version}")
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        try:
            answer = subprocess.run(  # noqa: S603 - an interpreter asked its version
                [str(candidate), "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if answer.returncode == 0 and answer.stdout.strip() == version:
            return candidate
    return None


def missing_python(version: str = RUNTIME_VERSION) -> str:
    return (
        f"Python {version} (the Lambda runtime's version) has no interpreter on this machine: run "
        f"`make lambda-python` (it runs `uv python install {version}`), or name one in ${LAMBDA_PYTHON_ENV}."
    )


def compile_bytecode(target: Path, interpreter: Path) -> None:
    """Bytecode for the runtime, written by an interpreter of its version, for every module in ``target``.
    Lambda's code directory is read-only and CDK zips every file with one fixed old date, so bytecode that
    checks its source's date would be stale there and every cold start would compile every module again:
    ``unchecked-hash`` bytecode is used as it is (a bundle never changes once built)."""
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(interpreter),
            "-I",
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(target),
        ],
        check=True,
    )


def build_bundle(target: Path, version: str = RUNTIME_VERSION, interpreter: Path | None = None) -> None:
    """The functions' code asset, in ``target``: the project's packages, the runtime dependencies for
    Python ``version`` and their bytecode, compiled by an interpreter of that version."""
    interpreter = interpreter or local_python(version)
    if interpreter is None:
        raise RuntimeError(missing_python(version))
    copy_code(target)
    install_dependencies(target, version)
    compile_bytecode(target, interpreter)


@jsii.implements(ILocalBundling)
class LocalBundler:
    """Bundles without Docker: the project's packages plus manylinux wheels for the Lambda runtime."""

    def try_bundle(self, output_dir: str, *args: Any, **kwargs: Any) -> bool:
        build_bundle(Path(output_dir))
        return True


def table_statement(access: TableAccess, table: dynamodb.ITable) -> iam.PolicyStatement:
    """The catalog's table access as IAM: the actions, on the table or one index, only for items whose
    partition key matches (``ForAllValues:StringLike`` on ``dynamodb:LeadingKeys``)."""
    resource = table.table_arn if access.index is None else f"{table.table_arn}/index/{access.index}"
    return iam.PolicyStatement(
        actions=list(access.actions),
        resources=[resource],
        conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(access.leading_keys)}},
    )


def stream_source(
    table: dynamodb.ITable, trigger: StreamTrigger, dead_letters: sqs.IQueue
) -> sources.DynamoEventSource:
    """The catalog's stream trigger as an event source mapping on the case table (partial batch
    responses on; what fails every retry goes to ``dead_letters``)."""
    return sources.DynamoEventSource(
        table,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=trigger.batch_size,
        retry_attempts=trigger.retry_attempts,
        bisect_batch_on_error=trigger.bisect_on_error,
        max_record_age=Duration.seconds(trigger.max_record_age_seconds),
        report_batch_item_failures=True,
        on_failure=sources.SqsDlq(dead_letters),
        filters=[lambda_.FilterCriteria.filter(json.loads(json.dumps(trigger.filter)))],
    )


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: dict[str, str],
        table: dynamodb.ITable,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        #: EventBridge Scheduler invokes the scheduled functions asynchronously: an event that fails every
        #: attempt Lambda makes lands here (nothing to redrive: the next run does the same work).
        self.schedule_dead_letters = sqs.Queue(
            self,
            "ScheduleDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=RemovalPolicy.DESTROY,  # scheduler events only: no personal data
        )
        code = lambda_.Code.from_asset(
            str(ROOT),
            bundling=BundlingOptions(
                image=DockerImage.from_registry(f"public.ecr.aws/sam/build-{RUNTIME.name}"),
                local=LocalBundler(),
                # CDK fingerprints the source (shared/, functions/) and these options only: naming the
                # requirements here gives a new asset, rebundled and uploaded, when the lock changes them.
                environment={"HEARD_BUNDLE_REQUIREMENTS_SHA256": requirements_digest()},
            ),
            exclude=["*", "!shared/**", "!functions/**"],
        )
        self.by_name: dict[str, lambda_.Function] = {}
        #: What a caller of each function invokes: the live alias of a SnapStart function (SnapStart
        #: applies to published versions only, never $LATEST), the function itself otherwise.
        self.targets: dict[str, lambda_.IFunction] = {}
        for spec in FUNCTIONS:
            function = self._function(spec, code, environment, key)
            self.targets[spec.name] = function
            if spec.snap_start:
                self.targets[spec.name] = lambda_.Alias(
                    self,
                    f"{spec.name}Live",
                    alias_name=LIVE_ALIAS,
                    version=function.current_version,  # published when the code or configuration changes
                    description=f"The published version of the Heard {spec.name} function that callers invoke",
                )
                Annotations.of(function).acknowledge_warning(*SNAP_START_PUBLISHED)
            for access in spec.table_access:
                function.add_to_role_policy(table_statement(access, table))
            if spec.table_access:
                key.grant_encrypt_decrypt(function)  # the table is encrypted with the stack's own key
            if spec.schedule_minutes is not None:
                self._schedule(spec, function)
                # Lambda sends to the dead-letter queue as the function: SendMessage and the queue's key.
                self.schedule_dead_letters.grant_send_messages(function)
            elif spec.routes or spec.stream or spec in WORKFLOW_TASKS.values():
                checkov_skips.skip(function, checkov_skips.SYNCHRONOUS_FUNCTION)
            self.by_name[spec.name] = function
        # The online form seals its answers between pages with this key (functions/form/state.py): one
        # key for every instance, so any instance can open what another sealed.
        self.form_key = secretsmanager.Secret(
            self,
            "FormKey",
            description="Heard: the key that seals the online form's answers between its pages",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=64
            ),
        )
        #: A CloudFormation dynamic reference, resolved at deployment: the value is never in the template.
        self.by_name[FORM.name].add_environment(
            names.FORM_KEY_ENV, self.form_key.secret_value.unsafe_unwrap()
        )

    def _schedule(self, spec: FunctionSpec, function: lambda_.Function) -> None:
        """EventBridge Scheduler runs the function every ``schedule_minutes`` (locally, the local
        scheduler on the local clock), with a role that may invoke only it."""
        role = iam.Role(
            self,
            f"{spec.name}ScheduleRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"EventBridge Scheduler: runs the Heard {spec.name} function",
        )
        # The function itself, not its versions (grant_invoke would add "<arn>:*").
        role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
        )
        scheduler.CfnSchedule(
            self,
            f"{spec.name}Schedule",
            description=f"Runs the {spec.name} function every {spec.schedule_minutes} minutes",
            schedule_expression=f"rate({spec.schedule_minutes} minutes)",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=role.role_arn,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=0),
            ),
        )

    def _function(
        self, spec: FunctionSpec, code: lambda_.Code, environment: dict[str, str], key: kms.IKey
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{spec.name}Logs",
            retention=LOG_RETENTION,
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            f"{spec.name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Heard {spec.name} function",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            spec.name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.handler,
            code=code,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            role=role,
            log_group=log_group,
            # Only the scheduled functions are invoked asynchronously; the others answer API Gateway, an
            # event source mapping (its own on-failure queue) or a Step Functions task, synchronously.
            dead_letter_queue=self.schedule_dead_letters if spec.schedule_minutes is not None else None,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if spec.snap_start else None,
            # A version replaced by a deployment is deleted with it: nothing invokes it any more, and
            # each SnapStart version keeps a cached snapshot.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if spec.snap_start
            else None,
            environment={
                **RUNTIME_ENVIRONMENT,
                **environment,
                "POWERTOOLS_SERVICE_NAME": f"heard-{spec.name.lower()}",
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
        )

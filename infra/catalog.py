"""Heard's functions and what triggers them: read by the CDK app and by the local service alike, so both
wire the same handler to the same route or stream. Imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. "/representations"


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # logical name: construct id and local function name
    handler: str  # "package.module.attribute"
    description: str
    routes: tuple[Route, ...] = field(default=())
    reads_case_stream: bool = False  # triggered by the case table's stream
    memory_mb: int = 512


#: Environment every function runs with, in AWS, locally and in the benchmarks. Heard uses no pydantic
#: plugins, and looking for them costs ~15 ms of every cold start.
RUNTIME_ENVIRONMENT: dict[str, str] = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

INTAKE = FunctionSpec(
    name="Intake",
    handler="functions.intake.handler.handler",
    description="Public JSON API: health and new representations",
    routes=(Route("GET", "/health"), Route("POST", "/representations")),
)
FORM = FunctionSpec(
    name="Form",
    handler="functions.form.handler.handler",
    description="The online form, rendered on the server",
    routes=(Route("GET", "/"), Route("POST", "/")),
)
NOTIFIER = FunctionSpec(
    name="Notifier",
    handler="functions.notifier.handler.handler",
    description="Sends the notifications recorded with cases, from the table's stream",
    reads_case_stream=True,
    memory_mb=256,
)

FUNCTIONS: tuple[FunctionSpec, ...] = (INTAKE, FORM, NOTIFIER)
API_FUNCTIONS: tuple[FunctionSpec, ...] = tuple(f for f in FUNCTIONS if f.routes)

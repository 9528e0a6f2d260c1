"""Heard's functions and the routes they serve: read by the CDK app and by the local service alike,
so both wire the same handler to the same path. Imports nothing heavy."""

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
    routes: tuple[Route, ...] = field(default=())
    public: bool = True  # routes open to the public (throttled, WAF rate-limited)


INTAKE = FunctionSpec(
    name="Intake",
    handler="functions.intake.handler.handler",
    routes=(Route("GET", "/health"),),
)

API_FUNCTIONS: tuple[FunctionSpec, ...] = (INTAKE,)

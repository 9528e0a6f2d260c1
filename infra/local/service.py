"""The local service: resources, the gateway with its routes, and the HTTP server, put together.
Used by ``make run`` and by the end-to-end tests (which start it on a free port)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from infra.catalog import API_FUNCTIONS
from infra.local.emulator import LocalResources, create_resources
from infra.local.gateway import Gateway, serve


@dataclass
class LocalService:
    resources: LocalResources
    gateway: Gateway
    server: ThreadingHTTPServer
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @classmethod
    def start(cls, host: str = "127.0.0.1", port: int = 0) -> LocalService:
        """Create the resources in the active moto mock and bind the server (port 0: any free port)."""
        resources = create_resources()
        gateway = Gateway(API_FUNCTIONS)
        return cls(resources, gateway, serve(gateway, host, port))

    def serve_in_background(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, name="heard-local", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread is not None:  # serve_forever runs in another thread: ask it to finish
            self.server.shutdown()
            self.thread.join()
        self.server.server_close()

    def describe(self) -> str:
        lines = [
            f"Heard is running at {self.url}  (Ctrl-C to stop)",
            "",
            "Emulated AWS (moto, in this process):",
            f"  DynamoDB table  {self.resources.table_name}",
            f"  SES sender      {self.resources.sender} (verified)",
            f"  Team mailbox    {self.resources.team_mailbox}",
            "",
            "Routes:",
            *(f"  {line}" for line in self.gateway.routes()),
        ]
        return "\n".join(lines)

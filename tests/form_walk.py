"""Walking the online form's pages through the local gateway, as a browser without a session would:
each post carries the sealed answers the previous page gave."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from infra.local.gateway import Gateway

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REFERENCE = re.compile(r"CSC-\d{4}-\d{5}")


@dataclass
class Shown:
    status: int
    headers: dict[str, str]
    html: str

    def _main(self) -> str:
        start = self.html.find('<main class="govuk-main-wrapper"')
        return self.html[start:] if start >= 0 else self.html

    @property
    def page_id(self) -> str | None:
        found = re.search(r'name="page" value="([^"]+)"', self._main())
        return found.group(1) if found else None

    @property
    def state(self) -> str | None:
        found = re.search(r'name="state" value="([^"]+)"', self._main())
        return html.unescape(found.group(1)) if found else None

    @property
    def title(self) -> str:
        found = re.search(r"<title>(.*?)</title>", self.html, re.DOTALL)
        return found.group(1).strip() if found else ""

    @property
    def errors(self) -> list[str]:
        """The error summary's messages, in its order."""
        if "govuk-error-summary" not in self.html:
            return []
        summary = self.html[self.html.index("govuk-error-summary") : self.html.index("</ul>")]
        return [html.unescape(m) for m in re.findall(r'<a href="#[^"]+">(.*?)</a>', summary)]

    @property
    def error_links(self) -> list[str]:
        summary = self.html[self.html.index("govuk-error-summary") : self.html.index("</ul>")]
        return re.findall(r'<a href="#([^"]+)">', summary)


def shown(answer: tuple[int, list[tuple[str, str]], bytes]) -> Shown:
    status, headers, payload = answer
    return Shown(status, dict(headers), payload.decode())


@dataclass
class Walk:
    """One person filling in the form: ``js`` is whether their browser runs JavaScript."""

    gateway: Gateway
    js: bool = True
    current: Shown | None = None
    seen: list[str] = field(default_factory=list)  # the page ids shown, in order

    def post(self, values: dict[str, Any]) -> Shown:
        body = urlencode({"js": "on" if self.js else "", "website": "", **values}, doseq=True).encode()
        self.current = shown(self.gateway.dispatch("POST", "/", FORM, body))
        if self.current.page_id:
            self.seen.append(self.current.page_id)
        return self.current

    def start(self) -> Shown:
        return self.post({"page": "start"})

    def answer(self, **values: Any) -> Shown:
        assert self.current is not None and self.current.page_id, "start first"
        return self.post({"page": self.current.page_id, "state": self.current.state, **values})

    def go(self, to: str) -> Shown:
        """Back, or Change on Check your answers."""
        assert self.current is not None
        return self.post({"page": self.current.page_id or "back", "state": self.current.state, "goto": to})

    def send(self) -> Shown:
        assert self.current is not None and self.current.page_id == "check"
        return self.post({"page": "check", "state": self.current.state, "goto": "send"})

    def through(self, *pages: dict[str, Any]) -> Shown:
        """Answer page after page; each must be accepted."""
        for values in pages:
            before = self.current.page_id if self.current else None
            result = self.answer(**values)
            assert result.status == 200, (before, result.errors)
        assert self.current is not None
        return self.current

    def confirmation(self, sent: Shown) -> Shown:
        assert sent.status == 303, (sent.status, sent.errors)
        location = sent.headers["Location"]
        assert location.startswith("/confirmation?c=")
        return shown(self.gateway.dispatch("GET", location, {}, b""))

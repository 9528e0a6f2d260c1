"""`make test-dates` fakes the wall clock with libfaketime, preloaded into every process the suite starts
(LD_PRELOAD). A few of them must keep the real one: Chromium hangs at start under it, and pip checks the
package registry's certificate against the date. Those start with :func:`environment`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

FAKED_CLOCK = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC")


def environment() -> dict[str, str]:
    """This process's environment without the faked clock."""
    return {name: value for name, value in os.environ.items() if name not in FAKED_CLOCK}


@contextmanager
def for_subprocesses() -> Iterator[None]:
    """Within the block, the processes this one starts keep the real wall clock."""
    saved = {name: os.environ.pop(name) for name in FAKED_CLOCK if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)

"""Run by the Lambda runtime's Python, not by the suite (tests/infra/test_bundle.py starts it as
``python3.x -I -S -B bundle_probe.py BUNDLE CALLS OUT``): with nothing on ``sys.path`` but the bundle and
the standard library, it imports the handlers named in CALLS, calls each with its event, and writes
what happened to OUT as JSON. Standard library only, so that nothing outside the bundle can help."""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
from pathlib import Path
from typing import Any


class Context:
    """What a handler reads of Lambda's context object."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-2:123456789012:function:{function_name}"
        self.aws_request_id = f"probe-{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "probe"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main(bundle: Path, calls_file: Path, out: Path) -> None:
    sys.path.insert(0, str(bundle))
    spec: dict[str, Any] = json.loads(calls_file.read_text())
    handlers = {}
    for dotted in spec["handlers"]:
        module, _, attribute = dotted.rpartition(".")
        handlers[dotted] = getattr(importlib.import_module(module), attribute)
    results = []
    for call in spec["calls"]:
        results.append(handlers[call["handler"]](call["event"], Context(call["function"])))
    standard = {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib")}
    root = bundle.resolve()
    itself = Path(__file__).resolve()
    loaded = [Path(m.__file__).resolve() for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
    loaded = [path for path in loaded if path != itself]
    out.write_text(
        json.dumps(
            {
                "version": list(sys.version_info[:2]),
                "implementation": sys.implementation.name,
                "sys_path": sys.path,
                "from_bundle": sorted(str(p.relative_to(root)) for p in loaded if p.is_relative_to(root)),
                "from_elsewhere": sorted(
                    str(p)
                    for p in loaded
                    if not p.is_relative_to(root) and not any(p.is_relative_to(s) for s in standard)
                ),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))

"""``make bench``: every benchmark, as ratios against a baseline measured in the same run."""

from __future__ import annotations

import json
import logging

from bench import cold_start, durable, load, officer, reports, runtimes, scale, warm, workflow

if __name__ == "__main__":
    logging.disable(logging.INFO)
    results = {
        "cold_start": cold_start.run(),
        "warm": warm.run(),
        "officer": officer.run(),
        "scale": scale.run(),
        "load": load.run(),
        "reports": reports.run(),
        "workflow": workflow.run(),
        "runtimes": runtimes.run(),
        "durable": durable.run(),
    }
    print(json.dumps(results, indent=2))

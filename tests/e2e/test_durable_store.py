"""Acknowledged means kept (issue 17): ``make run``'s process with its store in a file, SIGKILLed (with
its whole process group) while clients submit representations through the public intake API and an
officer writes notes, restarted on the same file, killed again, and restarted once more. Every write
that had been answered 2xx is there after every restart (the case with the text that was sent, the
note in the chronology), and no reference number is issued twice (bench/durable.py drives it; its
figures are in docs/performance.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench import durable


def test_nothing_answered_2xx_is_lost_over_repeated_sigkills_mid_load(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    log = tmp_path / "service.log"
    result = durable.kills(state, runs=3, clients=4, officers=1, kill_after=(1.0, 2.5), log=log)
    runs = result["runs"]
    assert len(runs) == 3
    for run in runs:
        assert run["representations_answered_201"] > 0, run
        assert set(run["answered_not_2xx"]) <= {412}, run  # a note's If-Match losing to another write
    assert result["cut_off"] > 0, "the kills came while requests were being answered"
    assert result["lost"] == 0 and result["missing_at_the_end"] == 0, [r["lost_writes"] for r in runs]
    assert result["references_repeated"] == 0
    assert "Traceback" not in log.read_text()
    # The final run was stopped cleanly: the file holds every case, readable by its owner only.
    assert state.stat().st_mode & 0o777 == 0o600
    connection = sqlite3.connect(state)
    try:
        cases = 'SELECT count(*) FROM items WHERE item LIKE \'%"type": {"S": "case"}%\''
        kept = connection.execute(cases).fetchone()[0]
    finally:
        connection.close()
    assert kept >= sum(run["representations_answered_201"] for run in runs)

"""The ``heard deadline`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.cli import main


@pytest.mark.parametrize(
    ("argv", "due"),
    [
        (["--procedure", "statutory", "--step", "stage1", "--from", "2015-12-18"], "2016-01-06"),
        (
            ["--procedure", "statutory", "--step", "stage1", "--from", "2015-12-18", "--extended"],
            "2016-01-20",
        ),
        (["--procedure", "statutory", "--step", "acknowledgement", "--from", "2026-12-24"], "2026-12-31"),
        (["--procedure", "statutory", "--step", "stage2-request", "--from", "2026-03-02"], "2026-03-30"),
        (
            ["--procedure", "statutory", "--step", "stage2", "--from", "2026-03-02", "--extended"],
            "2026-06-05",
        ),
        (["--procedure", "statutory", "--step", "stage3-request", "--from", "2026-03-02"], "2026-03-30"),
        (["--procedure", "statutory", "--step", "stage3-panel", "--from", "2026-03-02"], "2026-04-15"),
        (["--procedure", "statutory", "--step", "stage3-report", "--from", "2026-03-02"], "2026-03-09"),
        (["--procedure", "statutory", "--step", "stage3-response", "--from", "2026-03-02"], "2026-03-23"),
        (["--procedure", "corporate", "--step", "stage1", "--from", "2026-03-02"], "2026-03-16"),
        (["--procedure", "corporate", "--step", "stage2", "--from", "2026-03-02"], "2026-03-30"),
    ],
)
def test_deadline_prints_the_due_date_last(
    argv: list[str], due: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deadline", *argv]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == due


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--procedure", "corporate", "--step", "stage1", "--from", "2026-03-02", "--extended"],
            "cannot be extended",
        ),
        (["--procedure", "corporate", "--step", "stage3-panel", "--from", "2026-03-02"], "no step"),
        (["--procedure", "statutory", "--step", "stage4", "--from", "2026-03-02"], "unknown step 'stage4'"),
        (["--procedure", "statutory", "--step", "stage1", "--from", "2026-02-30"], "not a date"),
    ],
)
def test_deadline_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deadline", *argv]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "\n" not in err


def test_deadline_uses_the_council_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"statutory": {"acknowledgement": {"working_days": 2}}}))
    args = ["deadline", "--procedure", "statutory", "--step", "acknowledgement", "--from", "2026-03-02"]
    assert main([*args, "--policy", str(policy)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2026-03-04"


def test_the_installed_console_script() -> None:
    heard = shutil.which("heard") or str(Path(__file__).parents[2] / ".venv/bin/heard")
    done = subprocess.run(
        [heard, "deadline", "--procedure", "statutory", "--step", "stage1", "--from", "2015-12-18"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2016-01-06"
    bad = subprocess.run(
        [heard, "deadline", "--procedure", "statutory", "--step", "x", "--from", "2015-12-18"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert bad.stderr.count("\n") == 1


def test_report_annual_from_the_demo_years_in_each_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "annual", "--year", "2015", "--demo"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["label"], report["current"]["received"]["complaints"]) == ("2015/16", 133)
    assert report["previous"]["received"]["complaints"] == 102 and report["changes"]["complaints"] == 30
    assert main(["report", "annual", "--year", "2015", "--demo", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "section,figure,2015/16,2014/15"
    assert (
        "received,complaints,133,102" in rows
        and "stage2_timeliness,average_working_days,148.0," in "\n".join(rows)
    )
    assert main(["report", "annual", "--year", "2015", "--demo", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and page.count("<svg") == 4


def test_report_annual_refuses_what_is_not_a_year_or_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "annual", "--year", "15", "--demo"]) == 2
    assert "--year 15 is not a financial year" in capsys.readouterr().err
    assert main(["report", "annual", "--year", "2015", "--demo", "--as-at", "31/03/2016"]) == 2
    assert "--as-at '31/03/2016' is not a date" in capsys.readouterr().err

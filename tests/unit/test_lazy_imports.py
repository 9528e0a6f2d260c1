"""The schema tests' warm-up (tests/lazy_imports.py) imports Schemathesis and Hypothesis whole at
collection, in every pytest worker; it must leave the process as every other test expects it. The CDK's
type checks (jsii, with typeguard 2) failed every synth with "Subscripted generics cannot be used with
class and instance checks" after a module of the warm-up changed ``typing``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.lazy_imports import NEVER_IMPORTED_BY_A_RUN, PACKAGES


def test_after_the_warm_up_the_cdk_still_checks_a_tuple_argument() -> None:
    script = textwrap.dedent(
        """
        import typing
        from tests.lazy_imports import import_all
        from jsii._type_checking import check_type

        loaded = import_all()
        check_type(argname="attributes", value=("service_areas",), expected_type=typing.Tuple[str, ...])
        print(sum(1 for name in loaded if name.split(".")[0] == "hypothesis"))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout.split()[-1]) > 50, "the warm-up imported Hypothesis' modules"


def test_what_the_warm_up_leaves_out_is_in_its_packages() -> None:
    assert all(name.split(".")[0] in PACKAGES for name in NEVER_IMPORTED_BY_A_RUN)

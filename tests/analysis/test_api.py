"""The public surface of interviews.analysis.agreement."""

import subprocess
import sys
from pathlib import Path

from interviews.analysis import agreement

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_never_imports_django():
    check = (
        "import sys, interviews.analysis.agreement; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=False)
    assert run.returncode == 0


def test_the_public_functions_are_the_promised_ones():
    functions = {name for name in agreement.__all__ if name[0].islower()}
    assert functions == {
        "percent_agreement",
        "cohen_kappa",
        "scott_pi",
        "brennan_prediger",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac1",
        "character_agreement",
        "pool",
        "unitizing_alpha",
        "u_alpha",
        "binary_u_alpha",
        "cu_alpha",
    }
    for name in agreement.__all__:
        assert getattr(agreement, name).__doc__, name


def test_the_notebook_example_in_the_module_docstring_runs():
    doc = agreement.__doc__
    block = doc.split("::\n\n", 1)[1].split("\nConventions:", 1)[0]
    code = "\n".join(line[4:] for line in block.splitlines())
    namespace: dict = {}
    exec(compile(code, "agreement docstring", "exec"), namespace)  # noqa: S102
    assert round(namespace["cost"].krippendorff_alpha, 3) == 0.799
    assert namespace["pooled"].documents == 2

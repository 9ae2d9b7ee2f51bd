"""Where the REFI-QDA interop samples live, and what each one holds.

The samples are read at run time from ../shared/interop-samples beside the
repository: some are AGPL or unlicensed and must not be copied into it.
Without the folder the tests skip, unless REQUIRE_SERVICES=1 (CI), where a
missing folder fails.
"""

import os
from pathlib import Path

import pytest

SAMPLES = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "interop-samples"
).resolve()

# name: (sources, text sources imported, codes, codings in file, imported)
PROJECTS = {
    "atlasti-win-23.2_blank-atlas-project.qdpx": (0, 0, 0, 0, 0),
    "atlasti-win-23.2_target-atlas-project.qdpx": (0, 0, 3, 0, 0),
    "maxqda-24.7_icls-conf-themes.qdpx": (10, 10, 307, 0, 0),
    "nvivo-mac-12.7_oltas-szkepticizmus-17june.qdpx": (2, 2, 152, 297, 297),
    "nvivo-mac-15.0_qc-roundtrip.qdpx": (2, 0, 262, 0, 0),
    "nvivo-win-12.6_oltas0517.qdpx": (2, 2, 152, 303, 303),
    "qc-1.3.2_demo.qdpx": (2, 2, 262, 205, 205),
    "refi-spec-annexA2_atlasti-8.4-example-project.qdpx": (12, 0, 14, 16, 0),
}
CODEBOOKS = {
    "refi-spec-annexA1_codebook.qdc": 6,
    "taguette-1.4.1_codebook.qdc": 3,
}
NVIVO_WIN = "nvivo-win-12.6_oltas0517.qdpx"
NVIVO_MAC = "nvivo-mac-12.7_oltas-szkepticizmus-17june.qdpx"


def sample(name: str) -> Path:
    """Return the path of a sample, skipping (or failing in CI) without it."""
    path = SAMPLES / name
    if not path.exists():
        message = f"REFI-QDA sample {name} not found in {SAMPLES}"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path

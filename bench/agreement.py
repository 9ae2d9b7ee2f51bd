"""Benchmark the agreement engine against krippendorff.alpha on expanded text.

Usage (from the repository root):

    .venv/bin/python bench/agreement.py [--chars 10000000] [--seed 1]
        [--repeat 50] [--skip-report]

1. 3 coders x N characters, one code, segments generated as in
   ``shared/agreement/krippendorff_baseline.py`` (coder 1: random segments,
   mean length ~400, ~30% of the text; coders 2 and 3: coder 1 with jittered
   boundaries, 15% dropped, 15% added). Times ``character_agreement`` (from
   the segment tuples, validation included) and ``krippendorff.alpha`` on the
   expanded coders x characters matrix in the same run, requires the same
   alpha, and prints the speed ratio and both peak memories (tracemalloc,
   which sees numpy's buffers). The engine's time is the best of --repeat
   runs (its median is printed too); the library runs once, as it takes
   seconds. CPU times are printed beside wall-clock times because a shared
   virtual machine stretches the latter. The engine is run again on the same
   segments in a text 100 times longer to show its memory does not grow
   with text length.
2. A full project report: 1,000 transcripts, 50 codes, 3 coders, 150,000
   codings; character agreement per transcript and code, pooled per code
   and overall over transcripts, with Cohen's kappa per pair of coders.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviews.analysis.agreement import (  # noqa: E402
    binary_u_alpha,
    character_agreement,
    pool,
    unitizing_alpha,
)


def make_segments(rng, n_chars, mean_len=400, coverage=0.3):
    """Return random (start, end) rows; copied from krippendorff_baseline.py."""
    n_seg = max(1, int(n_chars * coverage / mean_len))
    starts = np.sort(rng.integers(0, n_chars, size=n_seg))
    lens = rng.integers(mean_len // 4, mean_len * 7 // 4, size=n_seg)
    ends = np.minimum(starts + lens, n_chars)
    return np.stack([starts, ends], axis=1)


def jitter(rng, segs, n_chars, jit=40, p_drop=0.15, p_add=0.15):
    """Return a second coder's rows; copied from krippendorff_baseline.py."""
    keep = rng.random(len(segs)) > p_drop
    s = segs[keep].copy()
    s[:, 0] = np.clip(
        s[:, 0] + rng.integers(-jit, jit + 1, size=len(s)), 0, n_chars - 1
    )
    s[:, 1] = np.clip(s[:, 1] + rng.integers(-jit, jit + 1, size=len(s)), 1, n_chars)
    s[:, 1] = np.maximum(s[:, 1], s[:, 0] + 1)
    extra = make_segments(rng, n_chars)[: int(len(segs) * p_add)]
    return np.concatenate([s, extra])


def paint(n_chars, segs):
    """Expand one coder's rows to a 0/1 vector (as the baseline does)."""
    d = np.zeros(n_chars + 1, dtype=np.int32)
    np.add.at(d, segs[:, 0], 1)
    np.add.at(d, segs[:, 1], -1)
    return (np.cumsum(d[:-1]) > 0).astype(np.float64)


def timed(function, repeat):
    """Return the wall-clock and CPU times of ``repeat`` calls, and the result.

    CPU time is printed too because shared machines stretch wall-clock time.
    """
    wall, cpu = [], []
    result = None
    for _ in range(repeat):
        gc.collect()
        began, began_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return wall, cpu, result


def peak_bytes(function):
    """Return the peak of memory traced while ``function`` runs, in bytes."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before


def one_code(n_chars: int, seed: int, repeat: int) -> None:
    rng = np.random.default_rng(seed)
    base = make_segments(rng, n_chars)
    rows = [base] + [jitter(rng, base, n_chars) for _ in range(2)]
    segments = [
        (f"coder{i}", "code", int(start), int(end))
        for i, row in enumerate(rows)
        for start, end in row.tolist()
    ]
    print(f"characters: {n_chars:,}  coders: 3  segments: {len(segments):,}")

    wall, cpu, result = timed(lambda: character_agreement(segments, n_chars), repeat)
    ours = result["code"].krippendorff_alpha
    engine, engine_cpu = min(wall), min(cpu)
    print(
        f"character_agreement: best {engine * 1e3:.2f} ms "
        f"(CPU {engine_cpu * 1e3:.2f} ms), "
        f"median {statistics.median(wall) * 1e3:.2f} ms over {repeat} runs"
    )

    import krippendorff

    began = time.perf_counter()
    matrix = np.stack([paint(n_chars, row) for row in rows])
    built = time.perf_counter() - began
    began, began_cpu = time.perf_counter(), time.process_time()
    theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    library = time.perf_counter() - began
    library_cpu = time.process_time() - began_cpu
    print(f"expanded matrix: {matrix.nbytes / 1e6:,.0f} MB built in {built:.2f} s")
    print(f"krippendorff.alpha: {library:.2f} s (CPU {library_cpu:.2f} s)")
    print(
        f"alpha: engine {ours!r}  krippendorff {float(theirs)!r}  "
        f"difference {abs(ours - theirs):.1e}"
    )
    if abs(ours - theirs) > 1e-12:
        raise SystemExit("the engine and krippendorff.alpha disagree")
    print(
        f"speed ratio (krippendorff.alpha / character_agreement): "
        f"{library / engine:,.0f}x wall-clock, {library_cpu / engine_cpu:,.0f}x CPU "
        f"(best engine run); {library / statistics.median(wall):,.0f}x "
        f"against the median engine run"
    )

    library_peak = peak_bytes(
        partial(
            krippendorff.alpha,
            reliability_data=matrix,
            level_of_measurement="nominal",
        )
    )
    matrix = None  # free the 240 MB before measuring the engine
    engine_peak = peak_bytes(lambda: character_agreement(segments, n_chars))
    longer_peak = peak_bytes(lambda: character_agreement(segments, 100 * n_chars))
    print(
        f"peak memory krippendorff.alpha: {library_peak / 1e6:,.1f} MB "
        f"(plus the {3 * n_chars * 8 / 1e6:,.0f} MB matrix it is given)"
    )
    print(
        f"peak memory character_agreement: {engine_peak / 1e6:,.2f} MB; "
        f"same segments in a text 100x longer: {longer_peak / 1e6:,.2f} MB"
    )


def make_project(seed: int, transcripts=1000, codes=50, codings=150_000):
    """Return [(length, segments)] for a synthetic project of three coders."""
    rng = np.random.default_rng(seed)
    code_names = [f"code{k:02d}" for k in range(codes)]
    per_coder = codings // transcripts // 3
    project = []
    for _ in range(transcripts):
        length = int(rng.integers(20_000, 80_000))
        starts = rng.integers(0, length - 1, size=per_coder)
        sizes = rng.integers(20, 1200, size=per_coder)
        picked = rng.integers(0, codes, size=per_coder)
        segments = []
        for coder in ("ann", "ben", "cy"):
            moved = starts + rng.integers(-60, 61, size=per_coder)
            first = np.clip(moved, 0, length - 1)
            last = np.clip(
                first + sizes + rng.integers(-60, 61, size=per_coder), first + 1, length
            )
            # A fifth of the codings get another code from the other coders.
            recoded = np.where(
                rng.random(per_coder) < 0.2,
                rng.integers(0, codes, size=per_coder),
                picked,
            )
            if coder == "ann":
                recoded = picked
            segments.extend(
                (coder, code_names[k], s, e)
                for k, s, e in zip(
                    recoded.tolist(), first.tolist(), last.tolist(), strict=True
                )
            )
        project.append((length, segments))
    return code_names, project


def report(code_names, project):
    """Compute what the app's agreement report shows; return pooled results."""
    coders = ("ann", "ben", "cy")
    per_code = {code: [] for code in code_names}
    for length, segments in project:
        results = character_agreement(segments, length, coders=coders, codes=code_names)
        for code, result in results.items():
            per_code[code].append(result)
    pooled = {code: pool(results) for code, results in per_code.items()}
    overall = pool(pooled.values())
    figures = {
        code: (
            result.krippendorff_alpha,
            result.fleiss_kappa,
            result.gwet_ac1,
            result.percent_agreement,
            result.binary_u_alpha,
            {pair: table.cohen_kappa for pair, table in result.pairs.items()},
        )
        for code, result in pooled.items()
    }
    return figures, overall


def project_report(seed: int, repeat: int) -> None:
    code_names, project = make_project(seed)
    codings = sum(len(segments) for _, segments in project)
    characters = sum(length for length, _ in project)
    print(
        f"\nproject: {len(project):,} transcripts, {len(code_names)} codes, "
        f"3 coders, {codings:,} codings, {characters:,} characters"
    )
    wall, cpu, (figures, overall) = timed(lambda: report(code_names, project), repeat)
    print(
        f"full report (character agreement per transcript x code, pooled per "
        f"code and overall, Cohen's kappa per pair): best {min(wall):.2f} s "
        f"(CPU {min(cpu):.2f} s), median {statistics.median(wall):.2f} s "
        f"over {repeat} runs"
    )
    print(
        f"overall pooled alpha {overall.krippendorff_alpha:.4f} from "
        f"{overall.documents:,} transcript x code results, "
        f"{overall.segments:,} merged segments"
    )
    began = time.perf_counter()
    for length, segments in project:
        unitizing_alpha(segments, length, coders=("ann", "ben", "cy"))
    print(
        f"unitizing_alpha (2004) for every transcript: "
        f"{time.perf_counter() - began:.2f} s"
    )
    began = time.perf_counter()
    for length, segments in project:
        binary_u_alpha(segments, length, coders=("ann", "ben", "cy"))
    print(f"binary_u_alpha for every transcript: {time.perf_counter() - began:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--skip-report", action="store_true")
    options = parser.parse_args()
    one_code(options.chars, options.seed, options.repeat)
    if not options.skip_report:
        project_report(options.seed, 3)


if __name__ == "__main__":
    main()

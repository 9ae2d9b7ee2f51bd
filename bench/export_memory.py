"""Benchmark the coded-segments exports: time and peak memory for 100,000 rows.

Usage (from the repository root):

    .venv/bin/python bench/export_memory.py [--rows 100000] [--dir /tmp/...]

Creates a throwaway SQLite database under /tmp (never the project's own
database) with one project, 100 transcripts with speaker turns and
attributes, a three-level codebook and N codings (about 200 characters of
text each, some with memos), then exports all of them through the same
services the view uses (filter_codings -> build_segment_export) in three
ways, each in a fresh process so that peak RSS is its own:

- baseline: the rows built as a list, written with csv.writer into one string
  in memory, encoded, then written out (what a naive view would do);
- csv: csv_rows.iter_csv streamed chunk by chunk to a file (as the view does);
- xlsx: xlsx_rows.write to a temporary file in constant-memory mode (as the
  view does before FileResponse streams the file back).

For each it prints the wall time (untraced run), the growth of resident
memory over the process's size before exporting (VmHWM - VmRSS, untraced
run) and the Python peak seen by tracemalloc (second, traced run), then the
ratios against the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "регионы сотрудничество financial barrier transport logistics support "
    "информационная поддержка trust border customs 🙂 cooperation investment"
).split()


def setup_django(var_dir: Path) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_site.settings")
    import django

    django.setup()


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def create_data(n_rows: int) -> None:
    import random

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from interviews.models import (
        Attribute,
        Code,
        Coding,
        Membership,
        Project,
        SpeakerTurn,
        Transcript,
    )

    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    users = get_user_model()
    with transaction.atomic():
        coders = [users.objects.create_user(f"coder{i}") for i in range(3)]
        project = Project.objects.create(name="Бенчмарк export")
        for i, user in enumerate(coders):
            role = Membership.Role.OWNER if i == 0 else Membership.Role.CODER
            Membership.objects.create(project=project, user=user, role=role)
        codes = []
        for a in range(5):
            top = Code.objects.create(project=project, name=f"Theme {a}")
            codes.append(top)
            for b in range(4):
                mid = Code.objects.create(project=project, parent=top, name=f"Sub {b}")
                codes.append(mid)
                for c in range(2):
                    codes.append(
                        Code.objects.create(
                            project=project, parent=mid, name=f"Leaf {c}"
                        )
                    )
        n_transcripts = 100
        per_transcript = -(-n_rows // n_transcripts)
        # Enough text for every coding to have its own [start, end).
        length = per_transcript * 40 + 1000
        for t in range(n_transcripts):
            parts, turns, pos, n = [], [], 0, 0
            while pos < length:
                label = "INTERVIEWER" if n % 2 == 0 else f"Expert {t}"
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
                line = f"{label}: {body}\n"
                turns.append((label, pos, pos + len(line) - 1))
                parts.append(line)
                pos += len(line)
                n += 1
            text = "".join(parts)
            transcript = Transcript.objects.create(
                project=project, title=f"Interview {t:03d}", text=text, length=len(text)
            )
            SpeakerTurn.objects.bulk_create(
                SpeakerTurn(transcript=transcript, speaker=s, start=a, end=b)
                for s, a, b in turns
            )
            Attribute.objects.bulk_create(
                [
                    Attribute(transcript=transcript, name="country", value=f"C{t % 7}"),
                    Attribute(transcript=transcript, name="role", value="expert"),
                    Attribute(
                        transcript=transcript, name="year", value=str(2020 + t % 4)
                    ),
                ]
            )
            batch = []
            for i in range(min(per_transcript, n_rows - t * per_transcript)):
                start = i * 40
                end = start + rng.randint(120, 280)
                batch.append(
                    Coding(
                        transcript=transcript,
                        code=rng.choice(codes),
                        coder=coders[i % 3],
                        start=start,
                        end=end,
                        text=text[start:end],
                        memo="Памятка: check this\nsecond line" if i % 5 == 0 else "",
                    )
                )
            Coding.objects.bulk_create(batch, batch_size=2000)


def export(phase: str, out_dir: Path) -> int:
    import csv
    import io

    from interviews.access import ProjectAccess
    from interviews.exports import csv_rows, xlsx_rows
    from interviews.models import Membership
    from interviews.services.segments import build_segment_export, filter_codings

    owner = Membership.objects.select_related("project").get(role="owner")
    acc = ProjectAccess(project=owner.project, user_id=owner.user_id, role=owner.role)
    data = build_segment_export(access=acc, codings=filter_codings(access=acc))
    path = out_dir / f"{phase}.{'xlsx' if phase == 'xlsx' else 'csv'}"
    if phase == "baseline":
        rows = list(data.rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(data.header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        body = b"\xef\xbb\xbf" + buffer.getvalue().encode()
        path.write_bytes(body)
    elif phase == "csv":
        with path.open("wb") as file:
            for chunk in csv_rows.iter_csv(data.header, data.rows):
                file.write(chunk)
    else:
        with path.open("wb") as file:
            xlsx_rows.write(data.header, data.rows, file)
    return path.stat().st_size


def child(phase: str, var_dir: Path) -> None:
    setup_django(var_dir)
    import gc

    from django.db import connection

    # Warm up imports, the connection and SQLite's page cache.
    export("csv", var_dir)
    gc.collect()
    before = status_kb("VmRSS")
    started = time.perf_counter()
    size = export(phase, var_dir)
    seconds = time.perf_counter() - started
    rss_growth = status_kb("VmHWM") - before
    connection.close()
    gc.collect()
    tracemalloc.start()
    export(phase, var_dir)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "phase": phase,
                "seconds": seconds,
                "rss_growth_kb": rss_growth,
                "traced_peak_bytes": peak,
                "file_bytes": size,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.dir)
        return
    var_dir = args.dir or Path(tempfile.mkdtemp(prefix="export-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    if not (var_dir / "bench.sqlite3").exists():
        started = time.perf_counter()
        setup_django(var_dir)
        create_data(args.rows)
        print(f"created {args.rows:,} codings in {time.perf_counter() - started:.1f}s")
    print(f"database: {var_dir / 'bench.sqlite3'}")
    results = {}
    for phase in ("baseline", "csv", "xlsx"):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--dir", str(var_dir)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["baseline"]
    print(
        f"{'phase':<9} {'time s':>8} {'RSS growth MB':>14} {'tracemalloc MB':>15}"
        f" {'file MB':>8} {'mem vs baseline':>16}"
    )
    for phase, r in results.items():
        ratio = r["traced_peak_bytes"] / base["traced_peak_bytes"]
        print(
            f"{phase:<9} {r['seconds']:>8.2f} {r['rss_growth_kb'] / 1024:>14.1f}"
            f" {r['traced_peak_bytes'] / 2**20:>15.1f} {r['file_bytes'] / 2**20:>8.1f}"
            f" {ratio:>15.3f}x"
        )


if __name__ == "__main__":
    main()

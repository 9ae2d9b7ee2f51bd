"""Benchmark the coding page, coding creation and the CSV export.

The twin of ../shared/bench/peer_taguette.py: it builds the same synthetic
workload (same flags, same fingerprint) and measures, at two sizes,

  a. creating one coding through the JSON API (server time per request);
  b. opening the transcript page (server time, HTML with all codings);
  c. exporting every coding as CSV (streamed, all chunks consumed);

each with a baseline measured in the same run, and prints ratios:

  - creation: large/small size ratio (constant cost means ~1.0);
  - page: ratio to the bare minimum any implementation must do (reading the
    text and the coding rows from the database);
  - export: ratio to csv.writer over the same rows already in memory.

Server time is measured in-process with Django's test client, so it counts
the whole request (middleware, access checks, queries, rendering) but no
network. The database is a throw-away SQLite file unless DATABASE_URL is
set (for PostgreSQL, give a database that may be dropped and re-created).

    .venv/bin/python bench/coding_page.py                  # both sizes
    .venv/bin/python bench/coding_page.py --sizes 200000:2000

Prints a Markdown table and one JSON line.
"""

import argparse
import csv
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
sys.path[:0] = [str(ROOT), str(SHARED_BENCH)]

import workload  # noqa: E402  (the shared workload generator)

TMP = tempfile.mkdtemp(prefix="coding-bench-")
os.environ.setdefault("VAR_DIR", TMP)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_site.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from interviews.models import Code, Coding, Transcript  # noqa: E402
from interviews.services.projects import create_project  # noqa: E402
from interviews.services.transcripts import create_transcript  # noqa: E402
from interviews.text.speakers import detect_turns  # noqa: E402

WARMUP = 10


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 2)


def timed(fn, reps):
    samples = []
    result = None
    for _ in range(reps):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def seed(wl, api_count):
    """Store the workload: every highlight but the last `api_count` is
    written straight to the database; those are created through the API."""
    user = get_user_model().objects.create_user(
        f"bench-{wl['fingerprint']}", password="x" * 12
    )
    project = create_project(owner=user, name=f"Bench {wl['fingerprint']}")
    text = wl["text"]
    with transaction.atomic():
        transcript = create_transcript(
            project=project,
            user=user,
            title="Synthetic interview",
            text=text,
            turns=detect_turns(text),
            attributes={"country": "Synthetic"},
        )
    codes = [
        Code.objects.create(project=project, name=path, definition=description)
        for path, description in wl["tags"]
    ]
    highlights = wl["highlights"]
    seeded = highlights[: len(highlights) - api_count]
    Coding.objects.bulk_create(
        (
            Coding(
                transcript=transcript,
                code=codes[tag],
                coder=user,
                start=start,
                end=end,
                text=text[start:end],
            )
            for start, end, tag in seeded
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return user, project, transcript, codes, highlights[len(seeded) :]


def measure(chars, n_highlights, args):
    wl = workload.build_workload(
        chars=chars,
        highlights=n_highlights,
        tags=args.tags,
        seed=args.seed,
        overlap=args.overlap,
        min_len=args.min_len,
        max_len=args.max_len,
    )
    user, project, transcript, codes, via_api = seed(wl, args.api_highlights)
    client = Client()
    client.force_login(user)
    text = wl["text"]

    # a. coding creation through the API, one request each.
    url = reverse("api_coding_create", args=[project.pk])
    create = []
    for start, end, tag in via_api:
        body = {
            "transcript": transcript.pk,
            "code": codes[tag].pk,
            "start": start,
            "end": end,
            "text": text[start:end],
        }
        started = time.perf_counter()
        response = client.post(url, json.dumps(body), content_type="application/json")
        create.append(time.perf_counter() - started)
        if response.status_code not in (201, 400):  # 400: workload duplicate
            raise SystemExit(
                f"create: HTTP {response.status_code} {response.content[:300]}"
            )
    n_codings = Coding.objects.filter(transcript=transcript).count()

    # b. the transcript page, and its baseline: read text + coding rows.
    page_url = reverse("transcript_detail", args=[project.pk, transcript.pk])
    page, response = timed(lambda: client.get(page_url), args.reps)
    if response.status_code != 200:
        raise SystemExit(f"page: HTTP {response.status_code}")
    page_bytes = len(response.content)

    def read_rows():
        body = Transcript.objects.values_list("text", flat=True).get(pk=transcript.pk)
        rows = list(
            Coding.objects.filter(transcript=transcript).values_list(
                "id", "code_id", "coder_id", "start", "end"
            )
        )
        return body, rows

    page_base, _ = timed(read_rows, args.reps)

    # c. CSV export, all chunks consumed, and its baseline.
    export_url = reverse("segment_export", args=[project.pk, "csv"])

    def export():
        response = client.get(export_url)
        size = sum(len(chunk) for chunk in response.streaming_content)
        return response.status_code, size

    tracemalloc.start()
    export_samples, (status, csv_bytes) = timed(export, args.reps)
    _, export_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if status != 200:
        raise SystemExit(f"export: HTTP {status}")

    def export_baseline():
        rows = Coding.objects.filter(transcript=transcript).values_list(
            "transcript_id", "code_id", "coder_id", "start", "end", "text", "memo"
        )
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return len(buffer.getvalue())

    export_base, _ = timed(export_baseline, args.reps)

    return {
        "workload": dict(wl["params"], fingerprint=wl["fingerprint"], **wl["stats"]),
        "codings_in_transcript": n_codings,
        # The first requests warm caches (templates, URL resolver, SQLite pages).
        "create_ms": median_ms(create[WARMUP:]),
        "create_n": len(create) - WARMUP,
        "page_ms": median_ms(page),
        "page_baseline_ms": median_ms(page_base),
        "page_bytes": page_bytes,
        "export_csv_ms": median_ms(export_samples),
        "export_baseline_ms": median_ms(export_base),
        "export_csv_bytes": csv_bytes,
        "export_peak_traced_mib": round(export_peak / 2**20, 1),
    }


def main():
    parser = workload.add_workload_args(argparse.ArgumentParser(description=__doc__))
    parser.add_argument(
        "--sizes",
        default="200000:2000,1000000:10000",
        help="comma-separated chars:codings pairs (default %(default)s)",
    )
    parser.add_argument(
        "--api-highlights",
        type=int,
        default=200,
        help="codings created through the API per size (default %(default)s)",
    )
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}", file=sys.stderr)

    results = []
    for pair in args.sizes.split(","):
        chars, n = (int(x) for x in pair.split(":"))
        print(f"measuring {chars} chars, {n} codings ...", file=sys.stderr)
        results.append(measure(chars, n, args))

    print(
        "| | "
        + " | ".join(
            f"{r['workload']['text_chars']:,} chars, "
            f"{r['codings_in_transcript']:,} codings"
            for r in results
        )
        + " |"
    )
    print("|---|" + "---|" * len(results))
    rows = [
        ("create one coding (median)", lambda r: f"{r['create_ms']} ms"),
        ("open transcript page (server)", lambda r: f"{r['page_ms']} ms"),
        ("  baseline: read text + rows", lambda r: f"{r['page_baseline_ms']} ms"),
        ("  page / baseline", lambda r: f"{r['page_ms'] / r['page_baseline_ms']:.1f}x"),
        ("page size", lambda r: f"{r['page_bytes'] / 2**20:.2f} MiB"),
        ("export CSV (all rows)", lambda r: f"{r['export_csv_ms']} ms"),
        ("  baseline: csv.writer in memory", lambda r: f"{r['export_baseline_ms']} ms"),
        (
            "  export / baseline",
            lambda r: f"{r['export_csv_ms'] / r['export_baseline_ms']:.1f}x",
        ),
        ("export peak traced memory", lambda r: f"{r['export_peak_traced_mib']} MiB"),
        ("workload fingerprint", lambda r: r["workload"]["fingerprint"]),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    if len(results) >= 2:
        ratio = results[-1]["create_ms"] / results[0]["create_ms"]
        print(f"\ncreate-coding cost, largest / smallest size: {ratio:.2f}x")
    print(json.dumps({"results": results, "database": connection.vendor}))


if __name__ == "__main__":
    main()

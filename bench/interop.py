"""Benchmark REFI-QDA import and export of a large project.

Usage (from the repository root):

    .venv/bin/python bench/interop.py [--transcripts 100] [--mb 10]
        [--codings 100000] [--keep DIR]

1. Makes a `.qdpx` with N transcripts (M MB of text in all, Cyrillic and
   emoji included, CRLF-free UTF-8), 60 codes in a two-level tree, 3 coders
   and K codings, written by our own streaming writer.
2. Imports it with services.refi.import_qdpx into a fresh SQLite database,
   then exports the new project with services.refi.export_qdpx.
3. Baselines in the same run: writing the same texts into a plain zip with
   zipfile, and parsing the same project.qde with a plain ElementTree.

Every phase runs in its own process so that its peak memory (the kernel's
high-water mark of resident memory, VmHWM, less the resident memory before
the phase started) is its own. Targets (issue 4): import under 60 s, export
under 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "cooperation region barrier money transport corridor support policy trade "
    "регион сотрудничество барьер финансы 🙂 expert interview said think"
).split()


def _memory() -> dict[str, int]:
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024
    return fields


def make(path: Path, transcripts: int, megabytes: int, codings: int) -> None:
    from interviews.formats.refi import model, write

    rng = random.Random(1)
    users = [
        model.User(guid=str(uuid.UUID(int=i + 1)), name=f"coder{i}") for i in range(3)
    ]
    codes, leaves = [], []
    for i in range(6):
        children = [
            model.Code(guid=str(uuid.uuid4()), name=f"Child {i}.{j}", colour="#4e79a7")
            for j in range(9)
        ]
        leaves.extend(children)
        codes.append(
            model.Code(guid=str(uuid.uuid4()), name=f"Theme {i}", children=children)
        )
    per_text = megabytes * 1024 * 1024 // transcripts
    per_source = codings // transcripts
    texts = []
    for n in range(transcripts):
        lines, size = [], 0
        while size < per_text:
            label = f"Speaker {n % 7}: " if len(lines) % 8 == 0 else ""
            line = label + " ".join(rng.choices(WORDS, k=14))
            lines.append(line)
            size += len(line.encode()) + 1
        texts.append("\n".join(lines))

    def sources():
        for n, text in enumerate(texts):
            selections = []
            for k in range(per_source):
                start = rng.randrange(0, len(text) - 300)
                end = start + rng.randrange(20, 300)
                coding = model.Coding(
                    guid=str(uuid.uuid4()),
                    code_guid=leaves[k % len(leaves)].guid,
                    creating_user=users[k % 3].guid,
                )
                selections.append(
                    model.Selection(
                        guid=str(uuid.uuid4()), start=start, end=end,
                        text=text[start:end], codings=[coding],
                    )
                )  # fmt: skip
            yield model.Source(
                guid=str(uuid.UUID(int=10_000 + n)), name=f"Interview {n}",
                text=text, selections=selections, attributes={"group": str(n % 4)},
            )  # fmt: skip

    project = model.Project(name="Bench", origin="bench", users=users, codes=codes)
    write.write_qdpx(
        path,
        project=project,
        texts=((str(uuid.UUID(int=10_000 + n)), t) for n, t in enumerate(texts)),
        sources=sources(),
        variables=[model.Variable(guid=str(uuid.UUID(int=99)), name="group")],
    )


def phase(name: str, args) -> dict:
    before = _memory()["VmRSS"]
    started, cpu = time.perf_counter(), time.process_time()
    extra = {}
    if name == "import":
        from django.contrib.auth import get_user_model

        from interviews.services.refi import import_qdpx

        owner, _ = get_user_model().objects.get_or_create(username="bench")
        report = import_qdpx(
            owner=owner, path=args.file, filename="bench.qdpx", max_bytes=1 << 31
        )
        extra = {"project": report.project.pk, "codings": report.imported["codings"]}
    elif name == "export":
        from interviews.models import Project
        from interviews.services.refi import export_qdpx

        export_qdpx(project=Project.objects.get(pk=args.project), file=args.out)
        extra = {"bytes": os.path.getsize(args.out)}
    elif name == "baseline-zip":
        with (
            zipfile.ZipFile(args.file) as source,
            zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                if info.filename.startswith("sources/"):
                    target.writestr(info.filename, source.read(info))
    elif name == "baseline-parse":
        import xml.etree.ElementTree as ET

        with zipfile.ZipFile(args.file) as zf, zf.open("project.qde") as stream:
            root = ET.parse(stream).getroot()
        extra = {"elements": sum(1 for _ in root.iter())}
    seconds = time.perf_counter() - started
    return {
        "phase": name,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "peak_mb": round((_memory()["VmHWM"] - before) / (1024 * 1024), 1),
        **extra,
    }


def child(args) -> None:
    if args.phase in ("import", "export"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_site.settings")
        import django

        django.setup()
    print(json.dumps(phase(args.phase, args)))


def run_child(env, *extra) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *extra], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--keep", help="Keep the files and database in this folder.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--project", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-interop-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ, VAR_DIR=str(work), DJANGO_SETTINGS_MODULE="coding_site.settings"
    )
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        env=env,
        check=True,
    )
    source = work / "bench.qdpx"
    started = time.perf_counter()
    make(source, args.transcripts, args.mb, args.codings)
    print(
        f"Made {source.name}: {args.transcripts} transcripts, {args.mb} MB of text, "
        f"{args.codings:,} codings, {source.stat().st_size / 1e6:.1f} MB zipped, "
        f"in {time.perf_counter() - started:.1f} s"
    )
    imported = run_child(env, "--phase", "import", "--file", str(source))
    exported = run_child(
        env, "--phase", "export", "--project", str(imported["project"]),
        "--out", str(work / "export.qdpx"),
    )  # fmt: skip
    plain_zip = run_child(
        env,
        "--phase",
        "baseline-zip",
        "--file",
        str(source),
        "--out",
        str(work / "plain.zip"),
    )
    plain_parse = run_child(env, "--phase", "baseline-parse", "--file", str(source))
    print(f"{'phase':<28}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}  ratio to baseline")
    rows = [
        (f"import ({imported['codings']:,} codings)", imported, plain_parse),
        ("export", exported, plain_zip),
        ("baseline: ElementTree parse", plain_parse, None),
        ("baseline: plain zip of texts", plain_zip, None),
    ]
    for label, row, base in rows:
        ratio = (
            f"{row['seconds'] / max(base['seconds'], 0.01):.1f}x time, "
            f"{row['peak_mb'] / max(base['peak_mb'], 0.1):.1f}x memory"
            if base
            else ""
        )
        print(
            f"{label:<28}{row['seconds']:>9.2f}{row['cpu_seconds']:>9.2f}"
            f"{row['peak_mb']:>9.1f}  {ratio}"
        )
    print(
        f"Targets: import < 60 s ({'met' if imported['seconds'] < 60 else 'MISSED'}), "
        f"export < 30 s ({'met' if exported['seconds'] < 30 else 'MISSED'})."
    )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

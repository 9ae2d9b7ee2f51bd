"""Benchmark code suggestions: inference, training and the suggestion job.

Usage (from the repository root):

    .venv/bin/python bench/suggest.py                    # SQLite, 1,000,000 words
    .venv/bin/python bench/suggest.py --words 200000 --reps 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_suggest \\
        .venv/bin/python bench/suggest.py                # a database it may wipe

The data are synthetic but shaped like interviews: English sentences taken
from the demo fixtures (the expert quotes the demo coders coded, the codes'
definitions, the two papers' own sentences), cut and varied with openers,
closers and synonyms, in question-and-answer turns of about 8,000 words per
transcript. 22 codes (those the demo coders used), a keyword rule for some
of them, and codings on the sentences built from a code's material in a
few transcripts (--coded-share; the layer the model learns from).

1. Training: `train_textcat` (what the training job fits last) on 1,000 and
   10,000 sentence units, time and peak memory; and the whole training job
   (`train_model`: 4-fold cross-validation with both baselines, then the
   final fit) on the project's coded transcripts.
2. Inference throughput of one process, words per second, over the same
   sentences of --throughput-words words: spaCy's own `nlp.pipe` on the
   trained pipeline (reading `doc.cats`) as the baseline, against the
   suggestion job run with the model only (reading units and texts, scoring,
   filtering, storing unit scores and suggestions) and with the rules as
   well. The ratio job / nlp.pipe is the overhead of our code (target: the
   model-only job under 1.2x); the rules are extra work, shown apart.
3. The suggestion job over the whole project (--words, default 1,000,000),
   run as the Celery task runs it (`run_job(find_suggestions)` on a real Job
   row, with the textcat model and the rules): wall-clock time (target:
   under 120 s on a 2-core machine) and peak resident memory. Queueing the
   run (`start_suggestions`) is not timed; the worker's part is.

Peak memory is the process's resident high-water mark (VmHWM, reset before
each measurement through /proc/self/clear_refs), so it counts spaCy's and
numpy's buffers and the database driver; growth is that peak less the
resident memory before the step (memory an earlier step freed and this one
reused does not count). Times are wall-clock and CPU time of this process
(medians over --reps; "best" is the fastest run, the least disturbed by
other processes on a shared machine). Each run starts after a full garbage
collection, so that none pays for collecting what earlier steps left. With
SQLite the database work is in this process; PostgreSQL's own CPU time is
not counted. Prints a Markdown table, the ratios and one JSON line.

If the optional sentence-embedding extra is installed (see
interviews/suggest/encoder.py) and --no-encoder is not given, the sentence
jobs that set up the project also store each sentence's vector, as they do
on such a server (their total time is printed: the one-off cost of the
encoder); the embedding model then gets the same training-job and
throughput rows, over --encoder-words words (it is far slower). In those
throughput rows the job computes the vectors itself, as nlp.pipe does: the
ones stored for those transcripts are deleted before each run. Last, the
whole project's suggestion job with the embedding model, reading the vectors
the sentence jobs stored (target: under 120 s). --no-encoder runs everything
as a server without the extra.
"""

import argparse
import gc
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TMP = tempfile.mkdtemp(prefix="suggest-bench-")
os.environ.setdefault("VAR_DIR", TMP)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_site.settings")
# As a worker runs: with DEBUG on, Django would also log every query.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from interviews.models import (  # noqa: E402
    Code,
    Coding,
    Job,
    Suggestion,
    SuggestionModel,
    TextVectors,
    Transcript,
    UnitScores,
)
from interviews.services import suggestions as svc  # noqa: E402
from interviews.services.jobs import run_job  # noqa: E402
from interviews.services.nlp import detect_sentences  # noqa: E402
from interviews.services.projects import create_project  # noqa: E402
from interviews.services.transcripts import create_transcript  # noqa: E402
from interviews.suggest import encoder  # noqa: E402
from interviews.suggest.model import TEXTCAT_SETTINGS, train_textcat  # noqa: E402

DEMO = ROOT / "fixtures" / "demo"
SENTENCE_JOBS: list[float] = []  # seconds of each transcript's sentence job
TRANSCRIPT_WORDS = 8_000
CODED_SHARE = 0.25  # of the sentences built from a code's material

OPENERS = [
    "",
    "",
    "",
    "I think ",
    "Honestly, ",
    "In our region, ",
    "As far as I can see, ",
    "Well, ",
    "For us, ",
    "What I can say is that ",
    "From my experience, ",
    "To be frank, ",
    "In practice, ",
]
CLOSERS = [
    "",
    "",
    "",
    ", at least in my experience",
    ", and everybody knows it",
    " in the border regions",
    ", as far as I know",
    " these days",
    ", to some extent",
    " on both sides of the border",
]
SYNONYMS = {
    "regions": ["territories", "provinces", "oblasts"],
    "region": ["territory", "province", "oblast"],
    "cooperation": ["collaboration", "partnership"],
    "projects": ["initiatives", "programmes"],
    "authorities": ["administrations", "officials"],
    "border": ["frontier", "boundary"],
    "interaction": ["contact", "engagement"],
    "development": ["growth", "progress"],
}
QUESTIONS = [
    "Could you tell me more about that?",
    "What stands in the way of cooperation between regions?",
    "How would you describe the role of the regional authorities?",
    "What has changed in the last few years?",
    "Can you give an example from your own work?",
    "Who takes part in these projects?",
    "What would help most, in your view?",
    "How do you learn about what the partners are doing?",
]
# Keyword and phrase rules for some codes, as a team would write them.
RULES = {
    "Regulatory framework": {"phrase": "regulatory framework\nlegal basis"},
    "Information exchange between regions": {"phrase": "information exchange"},
    "Transport and logistics": {"keyword": "logistics\ntransport"},
    "Bureaucracy and formalism": {"keyword": "bureaucracy\nformalism"},
    "Border infrastructure and customs": {"keyword": "customs"},
    "Science and education": {"phrase": "research projects\nacademic sphere"},
    "Communication channels": {"regex": r"communications? between"},
    "Declarative agreements": {"keyword": "advisory", "phrase": "sign agreements"},
    "NGOs and universities": {"keyword": "universities"},
}


# --- Synthetic interviews --------------------------------------------------------


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat)]


def _codebook_leaves() -> dict[str, str]:
    """Return {code name: definition} for every code in the demo codebook."""
    out = {}

    def walk(nodes):
        for node in nodes:
            out[node["name"]] = node.get("definition", "")
            walk(node.get("children", []))

    walk(json.loads((DEMO / "codebook.json").read_text()))
    return out


def seed_material() -> tuple[dict[str, list[str]], list[str]]:
    """Return ({code name: clauses to build its sentences}, background sentences).

    The codes are those the demo coders used; a code's clauses are their
    quotes and the first sentence of its definition. Background sentences
    are the papers' own, minus those that contain a quote.
    """
    definitions = _codebook_leaves()
    codings = json.loads((DEMO / "codings.json").read_text())["coders"]
    cues: dict[str, list[str]] = {}
    quotes = []
    for rows in codings.values():
        for row in rows:
            name = row["code"].split("/")[-1]
            cues.setdefault(name, []).append(row["quote"].rstrip("."))
            quotes.append(row["quote"])
    for name in cues:
        first = _sentences(definitions[name])[0].rstrip(".")
        cues[name].append(first[0].lower() + first[1:])
    background = []
    for paper in sorted((DEMO / "papers").glob("*.txt")):
        for sentence in _sentences(paper.read_text()):
            words = sentence.split()
            if 6 <= len(words) <= 45 and not any(q[:40] in sentence for q in quotes):
                background.append(sentence.rstrip("."))
    return cues, background


def _vary(rng: random.Random, clause: str) -> str:
    words = clause.split()
    if len(words) > 12 and rng.random() < 0.5:  # a window of a long clause
        size = rng.randint(8, len(words))
        first = rng.randint(0, len(words) - size)
        words = words[first : first + size]
    words = [
        rng.choice(SYNONYMS[w]) if w in SYNONYMS and rng.random() < 0.3 else w
        for w in words
    ]
    body = " ".join(words)
    opener = rng.choice(OPENERS)
    body = body[0].lower() + body[1:] if opener else body[0].upper() + body[1:]
    return f"{opener}{body}{rng.choice(CLOSERS)}."


def make_transcript(rng, cues, background, words: int):
    """Return (text, [(start, end, code name)]) for one synthetic interview."""
    names = sorted(cues)
    paragraphs, spans, position, count = [], [], 0, 0
    while count < words:
        question = f"Interviewer: {rng.choice(QUESTIONS)}"
        paragraphs.append(question)
        position += len(question) + 2
        parts, offset = ["Respondent:"], position + len("Respondent:")
        for _ in range(rng.randint(2, 7)):
            if rng.random() < CODED_SHARE:
                name = rng.choice(names)
                sentence = _vary(rng, rng.choice(cues[name]))
                spans.append((offset + 1, offset + 1 + len(sentence), name))
            else:
                sentence = _vary(rng, rng.choice(background))
            parts.append(sentence)
            offset += 1 + len(sentence)
            count += len(sentence.split())
        answer = " ".join(parts)
        paragraphs.append(answer)
        position += len(answer) + 2
        count += len(question.split()) + 1
    return "\n\n".join(paragraphs), spans


def training_units(n: int, seed: int) -> tuple[list[str], list[frozenset[int]]]:
    """Return n sentences and their codes (code ids 1..22), for train_textcat."""
    cues, background = seed_material()
    names = sorted(cues)
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        if rng.random() < CODED_SHARE:
            k = rng.randrange(len(names))
            texts.append(_vary(rng, rng.choice(cues[names[k]])))
            labels.append(frozenset({k + 1}))
        else:
            texts.append(_vary(rng, rng.choice(background)))
            labels.append(frozenset())
    return texts, labels


# --- Measuring ---------------------------------------------------------------------


def reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # not Linux: the peak then counts from process start


def rss_mib(field: str = "VmHWM") -> float:
    """Return the peak (VmHWM) or current (VmRSS) resident memory, or 0."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024


def measured(function):
    """Return (seconds, CPU seconds, memory, result) of one call.

    Memory is {"peak_rss_mib": the process's peak during the call,
    "rss_growth_mib": that peak less the resident memory before the call}.
    """
    # A full collection of this process's heap (about 0.2 s here) would
    # otherwise land in whichever run crosses CPython's threshold.
    gc.collect()
    reset_peak_rss()
    before = rss_mib("VmRSS")
    began, began_cpu = time.perf_counter(), time.process_time()
    result = function()
    wall = time.perf_counter() - began
    peak = rss_mib()
    memory = {"peak_rss_mib": peak, "rss_growth_mib": max(0.0, peak - before)}
    return wall, time.process_time() - began_cpu, memory, result


# --- The project -------------------------------------------------------------------


def build_project(words: int, coded_share: float, seed: int):
    """Store the synthetic project; return (project, owner, transcripts)."""
    cues, background = seed_material()
    rng = random.Random(seed)
    owner = get_user_model().objects.create_user(
        f"bench-{seed}-{words}-{time.time_ns()}", password="x" * 12
    )
    project = create_project(owner=owner, name=f"Suggestion bench {words} words")
    codes = {
        name: Code.objects.create(project=project, name=name, position=k)
        for k, name in enumerate(sorted(cues))
    }
    for name, texts in RULES.items():
        svc.save_rules(code=codes[name], texts=texts)
    n = max(1, round(words / TRANSCRIPT_WORDS))
    n_coded = max(2, round(n * coded_share))
    transcripts = []
    for k in range(n):
        text, spans = make_transcript(rng, cues, background, words // n)
        with transaction.atomic():
            transcript = create_transcript(
                project=project,
                user=owner,
                title=f"Interview {k + 1}",
                text=text,
                turns=[],
                attributes={},
            )
        job = Job.objects.get(transcript=transcript, kind=Job.Kind.SENTENCES)
        began = time.perf_counter()
        run_job(job_id=job.pk, work=detect_sentences)
        SENTENCE_JOBS.append(time.perf_counter() - began)
        if k < n_coded:
            Coding.objects.bulk_create(
                (
                    Coding(
                        transcript=transcript,
                        code=codes[name],
                        coder=owner,
                        start=start,
                        end=end,
                        text=text[start:end],
                    )
                    for start, end, name in spans
                ),
                batch_size=2000,
            )
        transcripts.append(transcript)
    return project, owner, transcripts


def words_in(transcripts) -> int:
    ids = [t.pk for t in transcripts]
    return sum(
        len(text.split())
        for text in Transcript.objects.filter(pk__in=ids).values_list("text", flat=True)
    )


def unit_texts(transcripts, settings: dict) -> list[str]:
    """Return the texts the job scores with a model of `settings`."""
    texts = svc._texts([t.pk for t in transcripts])
    units = svc.make_units(texts, settings.get("unit", "sentence"))
    return svc.unit_texts(texts, units, settings.get("context", 0))


def run_suggestions(project, owner, transcripts) -> Job:
    """Queue a suggestion run (not timed), then time the job as a worker runs it.

    Return the job, with the figures of `measured` in `job.figures`.
    """
    run = svc.start_suggestions(project=project, user=owner, transcripts=transcripts)
    job_id = run.job_id
    figures = measured(lambda: run_job(job_id=job_id, work=svc.find_suggestions))
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.DONE:
        raise SystemExit(f"suggestion job failed: {job.message}")
    job.figures = figures
    return job


def train_project_model(project, owner, kind: str) -> tuple[dict, SuggestionModel]:
    """Run the training job for a model of `kind`; return its figures."""
    model = svc.start_training(project=project, user=owner, layer="all")
    if kind == "textcat":  # the default is the embedding model when available
        model.settings = {**model.settings, **TEXTCAT_SETTINGS}
        model.save(update_fields=["settings"])
    wall, cpu, rss, _ = measured(
        lambda: run_job(job_id=model.job_id, work=svc.train_model)
    )
    job = Job.objects.get(pk=model.job_id)
    if job.status != Job.Status.DONE:
        raise SystemExit(f"training failed: {job.message}")
    model.refresh_from_db()
    figures = {
        "kind": kind,
        "units": model.n_units,
        "codings": model.n_codings,
        "seconds": wall,
        "cpu": cpu,
        **rss,
        "message": job.message,
    }
    print(f"training job ({kind}): {wall:.1f} s, {job.message}", file=sys.stderr)
    return figures, model


def throughput(project, owner, transcripts, model, words: int, reps: int) -> dict:
    """Time nlp.pipe and the suggestion job on the same sentences, interleaved."""
    share, total = [], 0
    for transcript in transcripts[::-1]:  # uncoded ones first
        if total >= words:
            break
        share.append(transcript)
        total += len(transcript.text.split())
    texts = unit_texts(share, model.settings)
    nlp = svc.loaded_model(SuggestionModel.objects.get(pk=model.pk))
    unit_words = sum(len(t.split()) for t in texts)

    def pipe():
        for doc in nlp.pipe(texts, batch_size=256):
            doc.cats  # noqa: B018  (what a caller reads)

    rules = list(svc.CodeRule.objects.filter(code__project=project).values())

    def forget_vectors():
        # Like nlp.pipe, the embedding job must encode: nothing stored before.
        if model.settings.get("kind") == "embedding":
            TextVectors.objects.filter(transcript__in=share).delete()

    def job_model():
        forget_vectors()
        svc.CodeRule.objects.filter(code__project=project).delete()
        try:
            return run_suggestions(project, owner, share).figures
        finally:
            svc.CodeRule.objects.bulk_create(svc.CodeRule(**row) for row in rules)

    def job_rules_model():
        forget_vectors()
        return run_suggestions(project, owner, share).figures

    pipe()  # warm up: vocabulary, caches, the model in memory
    samples = {"pipe": [], "job_model": [], "job_rules_model": []}
    for _ in range(reps):
        # The encoder keeps the vectors of texts it has seen: start afresh.
        encoder.clear_cache()
        samples["pipe"].append(measured(pipe))
        encoder.clear_cache()
        samples["job_model"].append(job_model())
        encoder.clear_cache()
        samples["job_rules_model"].append(job_rules_model())
    out = {
        "kind": model.settings.get("kind", "textcat"),
        "transcripts": len(share),
        "sentences": len(texts),
        "words": unit_words,
    }
    for name, rows in samples.items():
        median = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        out[name] = {
            "seconds": median,
            "cpu": cpu,
            "best_cpu": min(r[1] for r in rows),
            "words_per_second": unit_words / median,
            "peak_rss_mib": max(r[2]["peak_rss_mib"] for r in rows),
            "rss_growth_mib": max(r[2]["rss_growth_mib"] for r in rows),
        }
    for name in ("job_model", "job_rules_model"):
        out[name]["ratio"] = out[name]["seconds"] / out["pipe"]["seconds"]
        out[name]["cpu_ratio"] = out[name]["cpu"] / out["pipe"]["cpu"]
        out[name]["best_cpu_ratio"] = out[name]["best_cpu"] / out["pipe"]["best_cpu"]
        # Each rep's job against the nlp.pipe run just before it: a slow
        # spell of a shared machine then slows both sides of one ratio.
        pairs = list(zip(samples["pipe"], samples[name], strict=True))
        out[name]["paired_ratio"] = statistics.median(j[0] / p[0] for p, j in pairs)
        out[name]["paired_cpu_ratio"] = statistics.median(j[1] / p[1] for p, j in pairs)
    print(
        f"throughput ({out['kind']}): pipe {out['pipe']['seconds']:.2f} s, "
        f"job {out['job_model']['seconds']:.2f} s",
        file=sys.stderr,
    )
    return out


def whole_project_job(project, owner, transcripts, out: dict) -> dict:
    """Run the suggestion job over the whole project with its latest model."""
    job = run_suggestions(project, owner, transcripts)
    wall, cpu, rss, _ = job.figures
    print(f"whole project: {wall:.1f} s", file=sys.stderr)
    return {
        "seconds": wall,
        "cpu": cpu,
        **rss,
        "message": job.message,
        "words_per_second": out["project"]["words"] / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--throughput-words", type=int, default=200_000)
    parser.add_argument("--encoder-words", type=int, default=5_000)
    parser.add_argument("--coded-share", type=float, default=0.025)
    parser.add_argument("--train-sizes", default="1000,10000")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-encoder", action="store_true", help="skip the sentence-embedding rows"
    )
    args = parser.parse_args()
    if args.no_encoder:  # the whole run as on a server without the extra
        encoder.available = lambda: False
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"database: {vendor}", file=sys.stderr)
    out: dict = {"database": vendor, "cores": os.cpu_count(), "args": vars(args)}

    # 1. Training.
    out["train"] = []
    for n in (int(x) for x in args.train_sizes.split(",")):
        texts, labels = training_units(n, args.seed)
        code_ids = sorted({c for lab in labels for c in lab})
        wall, cpu, rss, _ = measured(lambda: train_textcat(texts, labels, code_ids))  # noqa: B023
        out["train"].append(
            {
                "units": n,
                "coded": sum(1 for lab in labels if lab),
                "words": sum(len(t.split()) for t in texts),
                "seconds": wall,
                "cpu": cpu,
                **rss,
            }
        )
        print(f"train_textcat {n} units: {wall:.1f} s", file=sys.stderr)

    began = time.perf_counter()
    project, owner, transcripts = build_project(args.words, args.coded_share, args.seed)
    out["setup_seconds"] = time.perf_counter() - began
    out["sentence_jobs"] = {
        "seconds": sum(SENTENCE_JOBS),
        "vectors": encoder.available(),
    }
    out["project"] = {
        "transcripts": len(transcripts),
        "words": words_in(transcripts),
        "codes": project.codes.count(),
        "codings": Coding.objects.filter(transcript__project=project).count(),
        "rules": len(svc.project_rules(project)),
    }
    print(f"project: {out['project']}", file=sys.stderr)
    out["train_job"], model = train_project_model(project, owner, "textcat")

    # 2. Throughput over the same sentences: nlp.pipe against the job.
    out["throughput"] = throughput(
        project, owner, transcripts, model, args.throughput_words, args.reps
    )

    # 3. The whole project in one job.
    out["job"] = whole_project_job(project, owner, transcripts, out)
    out["job"] |= {
        "suggestions": Suggestion.objects.filter(transcript__project=project).count(),
        "scored_units": sum(
            len(units)
            for units in UnitScores.objects.filter(
                transcript__project=project
            ).values_list("units", flat=True)
        ),
    }

    # 4. The optional sentence-embedding model, if this server has it.
    if encoder.available():  # False with --no-encoder
        out["encoder_train_job"], emodel = train_project_model(
            project, owner, "embedding"
        )
        out["encoder_throughput"] = throughput(
            project, owner, transcripts, emodel, args.encoder_words, min(args.reps, 3)
        )
        # The whole project again, now with the embedding model: its vectors
        # were stored by the sentence jobs (timed in sentence_jobs).
        out["encoder_job"] = whole_project_job(project, owner, transcripts, out)
    report(out)


def report(out: dict) -> None:
    tp, job, p = out["throughput"], out["job"], out["project"]
    print(
        f"\n{out['database']}, {out['cores']} cores; project: {p['transcripts']} "
        f"transcripts, {p['words']:,} words, {p['codes']} codes, "
        f"{p['codings']:,} codings, rules for {p['rules']} codes"
    )
    print("\n| measurement | time | CPU | words/s | peak RSS (growth) | ratio (CPU) |")
    print("|---|---|---|---|---|---|")

    def row(label, r, base=None):
        wps = f"{r['words_per_second']:,.0f}" if "words_per_second" in r else ""
        ratio = ""
        if base is not None:
            ratio = (
                f"{r['seconds'] / base['seconds']:.2f}x "
                f"({r['cpu'] / base['cpu']:.2f}x, "
                f"best {r['best_cpu'] / base['best_cpu']:.2f}x)"
            )
        print(
            f"| {label} | {r['seconds']:.2f} s | {r['cpu']:.2f} s | {wps} "
            f"| {r['peak_rss_mib']:,.0f} MiB (+{r['rss_growth_mib']:,.0f}) "
            f"| {ratio} |"
        )

    for t in out["train"]:
        row(f"train_textcat, {t['units']:,} units ({t['coded']:,} coded)", t)

    def training(tj):
        row(
            f"training job, {tj['kind']} (4 folds + baselines + fit), "
            f"{tj['units']:,} units, {tj['codings']:,} codings",
            tj,
        )

    def inference(tp):
        kind = tp["kind"]
        head = f"{tp['sentences']:,} sentences, {tp['words']:,} words"
        row(f"nlp.pipe, {kind}, {head} (baseline)", tp["pipe"], tp["pipe"])
        row(f"suggestion job, {kind} only, same sentences", tp["job_model"], tp["pipe"])
        row(
            f"suggestion job, rules + {kind}, same sentences",
            tp["job_rules_model"],
            tp["pipe"],
        )

    training(out["train_job"])
    inference(tp)
    row(f"suggestion job, rules + textcat, whole project ({p['words']:,} words)", job)
    if "encoder_throughput" in out:
        training(out["encoder_train_job"])
        inference(out["encoder_throughput"])
        row(
            f"suggestion job, rules + embedding, whole project ({p['words']:,} "
            "words), vectors stored by the sentence jobs",
            out["encoder_job"],
        )

    def overhead(label, r, target=""):
        print(
            f"{label}: median of paired reps {r['paired_cpu_ratio'] - 1:+.1%} CPU, "
            f"{r['paired_ratio'] - 1:+.1%} wall-clock{target}; "
            f"ratio of medians {r['cpu_ratio'] - 1:+.1%} CPU, "
            f"best {r['best_cpu_ratio'] - 1:+.1%} CPU"
        )

    print()
    overhead(
        "overhead of our code over nlp.pipe (textcat-only job)",
        tp["job_model"],
        " (target < +20%)",
    )
    if "encoder_throughput" in out:
        overhead(
            "same with the sentence-embedding model",
            out["encoder_throughput"]["job_model"],
        )
    print(
        f"whole-project job: {job['seconds']:.1f} s (target < 120 s); "
        f"{job['message']} {job['scored_units']:,} scored units stored"
    )
    sj = out["sentence_jobs"]
    print(
        f"sentence jobs over the project: {sj['seconds']:.1f} s"
        + (" (sentences and their vectors)" if sj["vectors"] else " (sentences)")
    )
    if "encoder_job" in out:
        print(
            f"whole-project job, embedding model: {out['encoder_job']['seconds']:.1f} s"
            f" (target < 120 s); {out['encoder_job']['message']}"
        )
    print(f"setup (not measured): {out['setup_seconds']:.0f} s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

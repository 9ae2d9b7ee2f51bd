from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # In blind mode coders see only their own codings until the owner
    # switches it off to compare.
    blind_coding = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    # The inactive account whose codings are the consensus layer; written
    # only by the reconciliation service (services/agreement.py).
    consensus_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="consensus_of",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        CODER = "coder", "Coder"
        VIEWER = "viewer", "Viewer"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CODER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="membership_unique_user"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.project} ({self.role})"


class Transcript(models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        DOCUMENT = "document", "Document"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transcripts"
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERVIEW)
    # Normalised once at import (NFC, "\n" line breaks); never changed once
    # any coding exists, because codings point into it by offset.
    text = models.TextField()
    # len(text) in code points, kept so that offsets can be checked without
    # reading the whole text.
    length = models.PositiveIntegerField()
    original_filename = models.CharField(max_length=300, blank=True)
    source_format = models.CharField(max_length=20, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Filled by the sentence job.
    token_count = models.PositiveIntegerField(null=True, blank=True)
    sentence_count = models.PositiveIntegerField(null=True, blank=True)
    nlp_pipeline = models.CharField(max_length=100, blank=True)
    # REFI-QDA exchange: the GUID this source had in the file it came from,
    # kept so that a re-export carries it (services/refi.py).
    guid = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(length__gte=0), name="transcript_length_nonnegative"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("transcript_detail", args=[self.project_id, self.pk])


class TranscriptChunk(models.Model):
    """A fixed-size piece of a transcript's text.

    Adding a coding must cost the same whatever the transcript's length, but
    a database reads a whole long text to cut a slice from it (PostgreSQL
    decompresses it and walks the UTF-8 to the offset). Reading the one or
    two chunks a coding falls in keeps that cost constant.
    """

    SIZE = 4096  # code points

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="chunks"
    )
    index = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "index"], name="chunk_unique_index"
            )
        ]

    def __str__(self):
        return f"{self.transcript_id}#{self.index}"


class Attribute(models.Model):
    """A key/value fact about a transcript's participant (country, role...)."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="attributes"
    )
    name = models.CharField(max_length=100)
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "name"], name="attribute_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.name}={self.value}"


class SpeakerTurn(models.Model):
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="turns"
    )
    speaker = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    start_ms = models.PositiveBigIntegerField(null=True, blank=True)
    end_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["transcript", "start"]
        indexes = [models.Index(fields=["transcript", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=F("end")), name="turn_start_before_end"
            )
        ]

    def __str__(self):
        return f"{self.speaker or '—'} [{self.start}, {self.end})"


class Sentence(models.Model):
    """A sentence found by the spaCy job; later used as a unit for suggestions."""

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="sentences"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    token_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["transcript", "start"]
        indexes = [models.Index(fields=["transcript", "start"])]

    def __str__(self):
        return f"[{self.start}, {self.end})"


class TextVectors(models.Model):
    """A transcript's passages as sentence embeddings, computed once.

    Embedding is the slow part of the embedding model (a few hundred
    sentences a second on a CPU), and a passage's vector depends only on its
    text and the encoder: so the vectors are stored and reused by every
    suggestion run, training and "more like this" search. `digests` holds
    a 16-byte BLAKE2b digest of each passage's text, `vectors` the float32
    rows in the same order (little-endian). The rows go with their
    transcript, since they are derived from participants' words.
    """

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="vectors"
    )
    encoder = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)
    digests = models.BinaryField(editable=False)
    vectors = models.BinaryField(editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "encoder"], name="text_vectors_unique"
            )
        ]

    def __str__(self):
        return f"{self.count} {self.encoder} vectors of {self.transcript_id}"


class Code(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#4e79a7")
    position = models.PositiveIntegerField(default=0)
    guid = models.UUIDField(null=True, blank=True, editable=False)  # REFI-QDA

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "parent", "name"], name="code_unique_sibling_name"
            ),
            # NULL parents are distinct to the constraint above, so top-level
            # names need their own.
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(parent__isnull=True),
                name="code_unique_root_name",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="code_colour_hex",
            ),
        ]

    def __str__(self):
        return self.name


class Coding(models.Model):
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="codings"
    )
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings"
    )
    # [start, end) in Unicode code points of transcript.text.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # A copy of transcript.text[start:end], to check integrity on export and
    # exchange.
    text = models.TextField()
    memo = models.TextField(blank=True)
    guid = models.UUIDField(null=True, blank=True, editable=False)  # REFI-QDA
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["transcript", "start", "end", "id"]
        indexes = [
            models.Index(fields=["transcript", "start"]),
            models.Index(fields=["code"]),
            models.Index(fields=["coder"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(end__gt=F("start")),
                name="coding_offsets_ordered",
            ),
            models.UniqueConstraint(
                fields=["coder", "code", "transcript", "start", "end"],
                name="coding_unique_per_coder",
            ),
        ]

    def __str__(self):
        return f"{self.code} [{self.start}, {self.end}) by {self.coder}"


class Memo(models.Model):
    """A memo on a transcript or on a code (exactly one of them)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    transcript = models.ForeignKey(
        Transcript,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memos",
    )
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    guid = models.UUIDField(null=True, blank=True, editable=False)  # REFI-QDA
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(transcript__isnull=False) & Q(code__isnull=True))
                | (Q(transcript__isnull=True) & Q(code__isnull=False)),
                name="memo_on_one_thing",
            )
        ]

    def __str__(self):
        return self.text[:50]


class Job(models.Model):
    """A background job's status, shown on the page while it runs."""

    class Kind(models.TextChoices):
        SENTENCES = "sentences", "Sentence detection"
        AGREEMENT = "agreement", "Agreement report"
        SUGGEST_TRAIN = "suggest_train", "Train the suggestion model"
        SUGGEST_RUN = "suggest_run", "Find code suggestions"
        SIMILAR = "similar", "Find similar sentences"
        EXPORT = "export", "Excel export"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    transcript = models.ForeignKey(
        Transcript, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.status})"

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ExportFile(models.Model):
    """An Excel export of coded segments, written by a worker.

    It holds what its creator could see when it was written (blind mode
    included), so only they may download it. `filters` are filter_codings'
    arguments; `query` is the segment table's query string, to link back.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(default=dict)
    query = models.TextField(blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Excel export {self.pk}"

    def get_absolute_url(self):
        return reverse("export_detail", args=[self.project_id, self.pk])


# --- Agreement reports and reconciliation (issue 3, parts 2 and 3) ------------
class AgreementRun(models.Model):
    """One agreement report: its settings, its job and its stored results.

    The job computes `results` once (everything the report page shows, with
    the integer counts behind each figure), so earlier rounds stay
    comparable with later ones however the codings change afterwards.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="agreement_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # transcript_ids, code_ids, coder_ids, mode ("separate"/"rollup"),
    # threshold (percent), seed, resamples.
    settings = models.JSONField(default=dict)
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    results = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Agreement report {self.pk} of {self.project}"

    def get_absolute_url(self):
        return reverse("agreement_report", args=[self.project_id, self.pk])


class Decision(models.Model):
    """An owner's reconciliation of one disagreement into the consensus layer."""

    class Action(models.TextChoices):
        ACCEPT = "accept", "Accept one version"
        MERGE = "merge", "Merge versions"
        NEW = "new", "New boundary"
        REJECT = "reject", "Not coded"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="decisions"
    )
    run = models.ForeignKey(
        AgreementRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="decisions"
    )
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="decisions")
    # The disagreement decided: the stretch of text the versions span.
    region_start = models.PositiveIntegerField()
    region_end = models.PositiveIntegerField()
    # The consensus boundary, [start, end) in code points; null for "not coded".
    # An accepted version may have several segments: start/end then span
    # them and `segments` lists each one.
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    segments = models.JSONField(default=list)
    action = models.CharField(max_length=10, choices=Action.choices)
    chosen_codings = models.JSONField(default=list)  # Coding ids
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["transcript", "code", "region_start"])]

    def __str__(self):
        span = f"[{self.region_start}, {self.region_end})"
        return f"{self.get_action_display()} on {self.code} {span}"


# --- Code suggestions (issue 5, first milestone) ------------------------------
class CodeRule(models.Model):
    """One keyword, phrase, token pattern or regular expression of a code.

    Values are checked by suggest.rules.validate_rule before they are saved
    (services/suggestions.py), so the suggestion job never meets a broken one.
    """

    class Kind(models.TextChoices):
        KEYWORD = "keyword", "Keyword"
        PHRASE = "phrase", "Phrase"
        PATTERN = "pattern", "Token pattern (JSON)"
        REGEX = "regex", "Regular expression"

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=500)

    class Meta:
        ordering = ["code", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "kind", "value"], name="coderule_unique_value"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.value}"


class SuggestionModel(models.Model):
    """One trained version of a project's suggestion model.

    The spaCy pipeline is stored in the row (`data`, a msgpack blob of its
    config and weights, a few megabytes): it is saved and deleted with the
    row, travels with database backups and needs no media directory.
    `codebook` records {code id: name} at training time, to detect codes
    deleted, merged or renamed since; `definitions` records {code id:
    definition} of the codes whose definitions the model read, to detect
    definitions edited since.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="suggestion_models"
    )
    version = models.PositiveIntegerField()
    # "all", "consensus" or "coder:<user id>"; `layer_label` is for people.
    layer = models.CharField(max_length=40)
    layer_label = models.CharField(max_length=200)
    trained_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    n_units = models.PositiveIntegerField(default=0)
    n_codings = models.PositiveIntegerField(default=0)
    settings = models.JSONField(default=dict)
    evaluation = models.JSONField(null=True, blank=True)
    codebook = models.JSONField(default=dict)
    definitions = models.JSONField(default=dict)
    # Null until the training job has finished (or when it failed).
    data = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"], name="suggestionmodel_unique_version"
            )
        ]

    def __str__(self):
        return f"Model v{self.version} of {self.project}"

    @property
    def is_trained(self) -> bool:
        return self.data is not None


class SuggestionRun(models.Model):
    """One run of the suggestion job: which transcripts, which model."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="suggestion_runs"
    )
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.ForeignKey(
        SuggestionModel, null=True, blank=True, on_delete=models.SET_NULL
    )
    transcript_ids = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Suggestion run {self.pk} of {self.project}"


class Suggestion(models.Model):
    """A passage the rules or the model point at, and what a coder decided.

    One row per (transcript, code, start, end): a rejected suggestion stays
    as a row, and the suggestion job never re-creates it.
    """

    class Source(models.TextChoices):
        RULE = "rule", "Rule"
        MODEL = "model", "Model"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    transcript = models.ForeignKey(
        Transcript, on_delete=models.CASCADE, related_name="suggestions"
    )
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    score = models.FloatField()
    source = models.CharField(max_length=10, choices=Source.choices)
    model = models.ForeignKey(
        SuggestionModel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    rule = models.CharField(max_length=520, blank=True)  # "keyword: barrier"
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    coding = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcript", "start", "end", "code"]
        indexes = [
            models.Index(fields=["transcript", "status"]),
            models.Index(fields=["code", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="suggestion_offsets_ordered"
            ),
            models.UniqueConstraint(
                fields=["transcript", "code", "start", "end"],
                name="suggestion_unique_span",
            ),
        ]

    def __str__(self):
        return f"{self.code} [{self.start}, {self.end}) {self.score:.2f}"


class UnitScores(models.Model):
    """The model's scores of one transcript's units, kept by the suggestion job.

    The coding page ranks the code picker with them, so that no web request
    ever loads the model; the agreement report compares them, as the
    suggester's layer, with the coders. One row per transcript (the last
    run's model): the page reads it whole, and a job writes a transcript's
    thousands of units at once. `units` is [[start, end, {code id: score}],
    ...] in text order, with only the units and codes scoring at least 0.05,
    rounded to three places.
    """

    transcript = models.OneToOneField(
        Transcript, on_delete=models.CASCADE, related_name="unit_scores"
    )
    model = models.ForeignKey(
        SuggestionModel, on_delete=models.CASCADE, related_name="unit_scores"
    )
    units = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "unit scores"

    def __str__(self):
        return f"{len(self.units)} scored units of transcript {self.transcript_id}"


class SimilarSearch(models.Model):
    """A "More like this" search from one coding, run as a job (issue 5).

    Results are [[transcript id, start, end, score], ...], best first: the
    sentences most like the coding's text that did not carry its code in
    the searcher's layer when the job ran.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="similar_searches"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    # The coding may be removed later; the search keeps its code and text.
    coding = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="+")
    query = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # In blind mode a coder's layer is their own codings only.
    own_layer_only = models.BooleanField(default=False)
    method = models.CharField(max_length=200, blank=True)
    results = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Similar to coding {self.coding_id} ({self.code})"

    def get_absolute_url(self):
        return reverse("similar_search", args=[self.project_id, self.pk])

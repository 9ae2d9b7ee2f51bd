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

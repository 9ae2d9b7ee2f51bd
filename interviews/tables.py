"""django-tables2 tables."""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .models import Coding
from .services.segments import Codebook

SEGMENTS_PER_PAGE = 50
TEXT_PREVIEW_CHARS = 160
MEMO_PREVIEW_CHARS = 80


def coding_anchor(coding: Coding) -> str:
    """Return the fragment the transcript page scrolls to for this coding."""
    return f"c{coding.pk}"


def coding_url(coding: Coding) -> str:
    """Return the transcript page at this coding: ?at=<start>#c<id>."""
    url = reverse(
        "transcript_detail", args=[coding.transcript.project_id, coding.transcript_id]
    )
    return f"{url}?at={coding.start}#{coding_anchor(coding)}"


def _preview(text: str, chars: int):
    if not text:
        return "—"
    short = Truncator(text).chars(chars)
    if short == text:
        return text
    return format_html('<span title="{}">{}</span>', text, short)


class CodingTable(tables.Table):
    """Coded segments, one row per coding, each linking to its place."""

    transcript = tables.Column(
        verbose_name="Transcript",
        accessor="transcript__title",
        order_by=("transcript__title", "transcript_id", "start", "id"),
    )
    speaker = tables.Column(orderable=False, default="—")
    code = tables.Column(
        verbose_name="Code",
        order_by=("code__name", "transcript__title", "start", "id"),
    )
    coder = tables.Column(
        verbose_name="Coder",
        accessor="coder__username",
        order_by=("coder__username", "transcript__title", "start", "id"),
    )
    start = tables.Column(
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
        order_by=("start", "transcript__title", "id"),
    )
    end = tables.Column(
        attrs={"td": {"class": "num"}, "th": {"class": "num"}}, orderable=False
    )
    text = tables.Column(orderable=False, attrs={"td": {"class": "segment-text"}})
    memo = tables.Column(orderable=False, attrs={"td": {"class": "segment-memo"}})
    created = tables.DateTimeColumn(
        format="Y-m-d H:i",
        order_by=("created", "id"),
        attrs={"td": {"class": "nowrap"}},
    )
    similar = tables.Column(
        verbose_name="More like this",
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "nowrap"}},
    )

    class Meta:
        model = Coding
        fields = ()
        sequence = (
            "transcript",
            "speaker",
            "code",
            "coder",
            "start",
            "end",
            "text",
            "memo",
            "created",
            "similar",
        )
        order_by = "transcript"
        empty_text = "No coded segments match these filters."
        attrs = {"class": "table segments"}
        row_attrs = {"id": lambda record: f"row-{record.pk}"}

    def __init__(self, data, *, codebook: Codebook, **kwargs):
        super().__init__(data, **kwargs)
        self.codebook = codebook

    def render_transcript(self, record, value):
        return format_html(
            '<a href="{}" title="Open the transcript at this coding">{}</a>',
            coding_url(record),
            value,
        )

    def render_code(self, record):
        return format_html(
            '<span class="swatch" style="background: {}"></span>{}',
            self.codebook.colours.get(record.code_id, record.code.colour),
            self.codebook.paths.get(record.code_id, record.code.name),
        )

    def render_text(self, value):
        return _preview(value, TEXT_PREVIEW_CHARS)

    def render_memo(self, value):
        return _preview(value, MEMO_PREVIEW_CHARS)

    def render_similar(self, record):
        url = reverse(
            "similar_for_coding", args=[record.transcript.project_id, record.pk]
        )
        return format_html(
            '<a href="{}" title="Sentences like this one, not coded “{}” yet">'
            "Similar</a>",
            url,
            self.codebook.paths.get(record.code_id, record.code.name),
        )


def configure_table(table: tables.Table, request) -> tables.Table:
    """Apply the sort and page from the query string; the page size is fixed.

    Unlike RequestConfig this ignores a `per_page` parameter, so nobody can ask
    for 100,000 rows in one page. A page that is not a number shows the first
    page, one past the end the last.
    """
    tables.RequestConfig(request, paginate=False).configure(table)
    page = request.GET.get(table.prefixed_page_field, "1")
    try:
        table.paginate(per_page=SEGMENTS_PER_PAGE, page=page)
    except PageNotAnInteger:
        table.paginate(per_page=SEGMENTS_PER_PAGE, page=1)
    except EmptyPage:
        table.paginate(per_page=SEGMENTS_PER_PAGE, page=table.paginator.num_pages)
    return table

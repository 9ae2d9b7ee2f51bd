"""Documents for papers: the codebook report, a coded transcript, all memos.

Every member may download them; what they hold follows what the member may
see (blind mode). Each is built in memory (they are documents, not data
dumps: a codebook, one transcript, the memos) and sent as an attachment.
"""

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from .. import access
from ..exports import (
    codebook_report_docx,
    codebook_report_md,
    memos_csv,
    memos_md,
    transcript_docx,
    transcript_html,
)
from ..services import reports

CODEBOOK_FORMATS = {"md": codebook_report_md, "docx": codebook_report_docx}
TRANSCRIPT_FORMATS = {"docx": transcript_docx, "html": transcript_html}
MEMO_FORMATS = {"csv": memos_csv, "md": memos_md}


def _attachment(write, content_type: str, name: str, fmt: str) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    slug = slugify(name, allow_unicode=True) or "export"
    response["Content-Disposition"] = content_disposition_header(True, f"{slug}.{fmt}")
    return response


def _writer(formats: dict, fmt: str):
    if fmt not in formats:
        raise Http404("No such export format")
    return formats[fmt]


@login_required
def codebook_report(request, project_id, fmt):
    acc = access.get_project_for_user(request.user, project_id)
    writer = _writer(CODEBOOK_FORMATS, fmt)
    report = reports.codebook_report(access=acc)
    return _attachment(
        lambda file: writer.write(report, file),
        writer.CONTENT_TYPE,
        f"{acc.project.name}-codebook",
        fmt,
    )


@login_required
def transcript_export(request, project_id, transcript_id, fmt):
    acc, transcript = access.get_transcript_for_user(
        request.user, project_id, transcript_id
    )
    writer = _writer(TRANSCRIPT_FORMATS, fmt)
    coded = reports.coded_transcript(access=acc, transcript=transcript)
    return _attachment(
        lambda file: writer.write(coded, file),
        writer.CONTENT_TYPE,
        f"{transcript.title}-coded",
        fmt,
    )


@login_required
def memos_export(request, project_id, fmt):
    acc = access.get_project_for_user(request.user, project_id)
    writer = _writer(MEMO_FORMATS, fmt)
    memos = reports.project_memos(access=acc)
    return _attachment(
        lambda file: writer.write(memos, file),
        writer.CONTENT_TYPE,
        f"{acc.project.name}-memos",
        fmt,
    )

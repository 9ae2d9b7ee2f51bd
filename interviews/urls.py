from django.urls import path
from django.views.generic import RedirectView

from .views import codebook, coding, jobs, projects, segments, transcripts

P = "projects/<int:project_id>/"
T = P + "transcripts/<int:transcript_id>/"
C = P + "codebook/<int:code_id>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="project_list"), name="home"),
    # Projects and members
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path(P, projects.project_detail, name="project_detail"),
    path(P + "settings/", projects.project_settings, name="project_settings"),
    path(P + "members/", projects.member_add, name="member_add"),
    path(
        P + "members/<int:membership_id>/remove/",
        projects.member_remove,
        name="member_remove",
    ),
    # Transcripts
    path(
        P + "transcripts/import/",
        transcripts.transcript_import,
        name="transcript_import",
    ),
    path(
        T + "attributes/",
        transcripts.transcript_attributes,
        name="transcript_attributes",
    ),
    # Coding page and its API (views/coding.py)
    path(T, coding.transcript_detail, name="transcript_detail"),
    path(P + "api/codings/", coding.api_coding_create, name="api_coding_create"),
    path(
        P + "api/codings/<int:coding_id>/",
        coding.api_coding_detail,
        name="api_coding_detail",
    ),
    path(T + "memos/", coding.transcript_memo_add, name="transcript_memo_add"),
    path(
        T + "memos/<int:memo_id>/",
        coding.transcript_memo_edit,
        name="transcript_memo_edit",
    ),
    path(
        T + "memos/<int:memo_id>/delete/",
        coding.transcript_memo_delete,
        name="transcript_memo_delete",
    ),
    # Coded segments: review table and exports (views/segments.py)
    path(P + "segments/", segments.segment_list, name="segment_list"),
    path(
        P + "segments/export.<str:fmt>",
        segments.segment_export,
        name="segment_export",
    ),
    # Codebook and code memos (views/codebook.py)
    path(P + "codebook/", codebook.codebook, name="codebook"),
    path(C, codebook.code_detail, name="code_detail"),
    path(C + "move/", codebook.code_move, name="code_move"),
    path(C + "delete/", codebook.code_delete, name="code_delete"),
    path(C + "merge/", codebook.code_merge, name="code_merge"),
    path(C + "memos/", codebook.code_memo_add, name="code_memo_add"),
    path(C + "memos/<int:memo_id>/", codebook.code_memo_edit, name="code_memo_edit"),
    path(
        C + "memos/<int:memo_id>/delete/",
        codebook.code_memo_delete,
        name="code_memo_delete",
    ),
    # Jobs
    path(P + "jobs/<int:job_id>/", jobs.job_status, name="job_status"),
]

from django.urls import path
from django.views.generic import RedirectView

from .views import (
    agreement,
    codebook,
    coding,
    exports,
    imports,
    jobs,
    projects,
    refi,
    segments,
    similar,
    suggestions,
    transcripts,
)

P = "projects/<int:project_id>/"
T = P + "transcripts/<int:transcript_id>/"
C = P + "codebook/<int:code_id>/"
A = P + "agreement/<int:run_id>/"

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
    path(P + "segments/exports/", segments.export_start, name="export_start"),
    path(
        P + "segments/exports/<int:export_id>/",
        segments.export_detail,
        name="export_detail",
    ),
    path(
        P + "segments/exports/<int:export_id>/status/",
        segments.export_status,
        name="export_status",
    ),
    path(
        P + "segments/exports/<int:export_id>/download/",
        segments.export_download,
        name="export_download",
    ),
    path(
        P + "segments/exports/<int:export_id>/delete/",
        segments.export_delete,
        name="export_delete",
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
    # Agreement reports, disagreements and reconciliation (views/agreement.py)
    path(P + "agreement/", agreement.agreement_list, name="agreement_list"),
    path(A, agreement.agreement_report, name="agreement_report"),
    path(A + "status/", agreement.agreement_status, name="agreement_status"),
    path(A + "methods.txt", agreement.agreement_methods, name="agreement_methods"),
    path(
        A + "export/<slug:table>.<str:fmt>",
        agreement.agreement_export,
        name="agreement_export",
    ),
    path(A + "disagreements/", agreement.disagreement_list, name="disagreement_list"),
    path(
        A + "disagreements/decide/",
        agreement.disagreement_decide,
        name="disagreement_decide",
    ),
    path(A + "adopt/", agreement.agreement_adopt, name="agreement_adopt"),
    # Jobs
    path(P + "jobs/<int:job_id>/", jobs.job_status, name="job_status"),
    # REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc) (views/refi.py)
    path("projects/import-qdpx/", refi.project_import, name="refi_project_import"),
    path(P + "import-report/", refi.import_report, name="refi_import_report"),
    path(P + "export.qdpx", refi.project_export, name="refi_project_export"),
    path(P + "codebook/import.qdc", refi.codebook_import, name="refi_codebook_import"),
    path(P + "codebook/export.qdc", refi.codebook_export, name="refi_codebook_export"),
    # Table imports and documents for papers (views/imports.py, views/exports.py)
    path(P + "attributes/import/", imports.attribute_import, name="attribute_import"),
    path(
        P + "attributes/export.csv", imports.attribute_export, name="attribute_export"
    ),
    path(P + "codebook/import/", imports.codebook_import, name="codebook_import"),
    path(
        P + "codebook/report.<str:fmt>",
        exports.codebook_report,
        name="codebook_report",
    ),
    path(T + "export.<str:fmt>", exports.transcript_export, name="transcript_export"),
    path(P + "memos/export.<str:fmt>", exports.memos_export, name="memos_export"),
    # Code suggestions: rules, models, runs, review (views/suggestions.py)
    path(P + "suggestions/", suggestions.suggestion_page, name="suggestion_page"),
    path(
        P + "suggestions/train/", suggestions.suggestion_train, name="suggestion_train"
    ),
    path(P + "suggestions/run/", suggestions.suggestion_run, name="suggestion_run"),
    path(
        P + "suggestions/<int:suggestion_id>/decide/",
        suggestions.suggestion_decide,
        name="suggestion_decide",
    ),
    path(
        P + "suggestions/codes/<int:code_id>/accept-all/",
        suggestions.suggestion_accept_all,
        name="suggestion_accept_all",
    ),
    path(
        P + "api/suggestions/<int:suggestion_id>/<str:action>/",
        suggestions.api_suggestion_decide,
        name="api_suggestion_decide",
    ),
    path(C + "rules/", suggestions.code_rules, name="code_rules"),
    # "More like this" from a coding (views/similar.py)
    path(
        P + "codings/<int:coding_id>/similar/",
        similar.similar_for_coding,
        name="similar_for_coding",
    ),
    path(P + "similar/<int:search_id>/", similar.similar_search, name="similar_search"),
    path(
        P + "similar/<int:search_id>/status/",
        similar.similar_status,
        name="similar_status",
    ),
    path(
        P + "similar/<int:search_id>/code/", similar.similar_code, name="similar_code"
    ),
]

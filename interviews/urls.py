from django.urls import path
from django.views.generic import RedirectView

from .views import jobs, projects, transcripts

P = "projects/<int:project_id>/"
T = P + "transcripts/<int:transcript_id>/"

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
    # Jobs
    path(P + "jobs/<int:job_id>/", jobs.job_status, name="job_status"),
]

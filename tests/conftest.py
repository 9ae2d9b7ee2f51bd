"""Shared fixtures: a project with an owner, a second coder, a viewer and an
outsider, a small codebook and a transcript with speaker turns."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from interviews.models import Code, Membership
from interviews.services.projects import add_member, create_project
from interviews.services.transcripts import create_transcript
from interviews.text.speakers import detect_turns
from tests.worker import celery_worker  # noqa: F401  (a fixture, one per session)

PASSWORD = "correct horse battery staple"

# Password hashing is deliberately slow; tests create many users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DEMO_TEXT = (
    "INTERVIEWER: What stands in the way of cooperation between regions?\n"
    "Expert 1 (Russian Federation): The main barrier is financial: regions "
    "lack money for joint projects.\n"
    "Expert 2 (Republic of Belarus): Информационная поддержка слабая 🙂, "
    "and transport corridors are missing.\n"
)


def make_user(username):
    return get_user_model().objects.create_user(username=username, password=PASSWORD)


@pytest.fixture
def owner(db):
    return make_user("olga_owner")


@pytest.fixture
def coder(db):
    return make_user("carl_coder")


@pytest.fixture
def viewer(db):
    return make_user("vera_viewer")


@pytest.fixture
def outsider(db):
    return make_user("oscar_outsider")


@pytest.fixture
def project(owner, coder, viewer):
    project = create_project(owner=owner, name="Eurasian cooperation")
    add_member(project=project, user=coder, role=Membership.Role.CODER)
    add_member(project=project, user=viewer, role=Membership.Role.VIEWER)
    return project


@pytest.fixture
def codes(project):
    barriers = Code.objects.create(project=project, name="Barriers", colour="#d62728")
    financial = Code.objects.create(
        project=project,
        parent=barriers,
        name="Financial difficulties",
        colour="#ff7f0e",
    )
    info = Code.objects.create(
        project=project, name="Information support", colour="#1f77b4"
    )
    return {"barriers": barriers, "financial": financial, "info": info}


@pytest.fixture
def transcript(project, owner):
    return create_transcript(
        project=project,
        user=owner,
        title="Expert interviews",
        text=DEMO_TEXT,
        turns=detect_turns(DEMO_TEXT),
        attributes={"country": "Russian Federation"},
    )


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a user."""

    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import Attribute, Job, SpeakerTurn, Transcript

TEXT = (
    "INTERVIEWER: How do regions cooperate?\n"
    "Expert 3 (Republic of Kazakhstan): The main barrier is the regulatory framework.\n"
)


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_import(client, project, *files, attributes=""):
    return client.post(
        reverse("transcript_import", args=[project.pk]),
        {"files": list(files), "kind": "interview", "attributes": attributes},
        follow=True,
    )


def test_coder_imports_a_txt_with_turns_and_attributes(client_for, project, coder):
    response = post_import(
        client_for(coder),
        project,
        upload("kz.txt", TEXT.encode("cp1251")),
        attributes="country: Kazakhstan\nrole: expert",
    )
    assert response.status_code == 200
    transcript = Transcript.objects.get(project=project)
    assert transcript.text == TEXT.rstrip("\n") or transcript.text == TEXT
    assert transcript.length == len(transcript.text)
    speakers = list(SpeakerTurn.objects.values_list("speaker", flat=True))
    assert speakers == ["INTERVIEWER", "Expert 3 (Republic of Kazakhstan)"]
    assert dict(Attribute.objects.values_list("name", "value")) == {
        "country": "Kazakhstan",
        "role": "expert",
    }
    assert Job.objects.get().kind == Job.Kind.SENTENCES


def test_several_files_are_reported_one_by_one(client_for, project, owner):
    response = post_import(
        client_for(owner),
        project,
        upload("good.txt", TEXT.encode()),
        upload("empty.txt", b""),
    )
    html = response.content.decode()
    assert "Imported good.txt" in html
    assert "Refused empty.txt" in html
    assert list(Transcript.objects.values_list("title", flat=True)) == ["good"]


def docx_not_a_zip():
    return b"this is not a zip file at all"


def docx_without_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        ("empty.txt", b""),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
        ("fake.docx", docx_not_a_zip()),
        ("nodoc.docx", docx_without_document()),
        ("notes.exe", b"MZ\x90\x00"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(
    client_for, project, owner, name, data
):
    response = post_import(client_for(owner), project, upload(name, data))
    assert response.status_code == 200
    assert f"Refused {name}" in response.content.decode()
    assert not Transcript.objects.exists()
    assert not Job.objects.exists()


def test_a_file_over_the_limit_is_refused(client_for, project, owner, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = post_import(client_for(owner), project, upload("big.txt", b"a " * 200))
    assert "Refused big.txt" in response.content.decode()
    assert not Transcript.objects.exists()


def test_viewer_cannot_import(client_for, project, viewer):
    response = post_import(client_for(viewer), project, upload("a.txt", TEXT.encode()))
    assert response.status_code == 403
    assert not Transcript.objects.exists()


def test_outsider_gets_404(client_for, project, outsider):
    response = post_import(
        client_for(outsider), project, upload("a.txt", TEXT.encode())
    )
    assert response.status_code == 404
    assert not Transcript.objects.exists()


def test_bad_attribute_lines_are_explained(client_for, project, owner):
    response = post_import(
        client_for(owner),
        project,
        upload("a.txt", TEXT.encode()),
        attributes="just words",
    )
    assert "should look like" in response.content.decode()
    assert not Transcript.objects.exists()


def test_attributes_are_edited_later(client_for, project, transcript, coder):
    url = reverse("transcript_attributes", args=[project.pk, transcript.pk])
    assert "country: Russian Federation" in client_for(coder).get(url).content.decode()
    client_for(coder).post(url, {"attributes": "country: Armenia\nrole: expert"})
    assert dict(transcript.attributes.values_list("name", "value")) == {
        "country": "Armenia",
        "role": "expert",
    }


def test_viewer_and_outsider_cannot_edit_attributes(
    client_for, project, transcript, viewer, outsider
):
    url = reverse("transcript_attributes", args=[project.pk, transcript.pk])
    assert client_for(viewer).post(url, {"attributes": "x: y"}).status_code == 403
    assert client_for(outsider).post(url, {"attributes": "x: y"}).status_code == 404
    assert dict(transcript.attributes.values_list("name", "value")) == {
        "country": "Russian Federation"
    }


def test_job_status_fragment(client_for, project, transcript, viewer, outsider):
    job = Job.objects.get(transcript=transcript)
    url = reverse("job_status", args=[project.pk, job.pk])
    html = client_for(viewer).get(url).content.decode()
    assert 'data-status="queued"' in html and "hx-get" in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, message="3 sentences")
    html = client_for(viewer).get(url).content.decode()
    assert 'data-status="done"' in html and "hx-get" not in html
    assert client_for(outsider).get(url).status_code == 404

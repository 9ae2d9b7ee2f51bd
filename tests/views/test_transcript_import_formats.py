"""Importing the new formats through the upload page, several files at once."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import SpeakerTurn, Transcript

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "formats"


def _upload(name: str, sample: str | None = None) -> SimpleUploadedFile:
    data = (SAMPLES / (sample or name)).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_each_file_is_imported_or_refused_with_its_reason(client_for, project, coder):
    files = [
        _upload("interview.vtt"),
        _upload("scan.pdf", "scanned.pdf"),
        _upload("interview.odt"),
        _upload("locked.pdf", "encrypted.pdf"),
        _upload("interview.rtf", "interview-cp1251.rtf"),
    ]

    response = client_for(coder).post(
        reverse("transcript_import", args=[project.pk]),
        {"files": files, "kind": "interview", "attributes": ""},
        follow=True,
    )

    page = response.content.decode()
    assert "Imported interview.vtt" in page
    assert "Imported interview.odt" in page
    assert "Imported interview.rtf" in page
    assert "Refused scan.pdf: The PDF has no text layer: this looks like a " in page
    assert "Refused locked.pdf: The PDF is password-protected" in page
    assert sorted(Transcript.objects.values_list("source_format", flat=True)) == [
        "odt",
        "rtf",
        "vtt",
    ]
    vtt = Transcript.objects.get(source_format="vtt")
    assert list(
        SpeakerTurn.objects.filter(transcript=vtt).values_list(
            "speaker", "start_ms", "end_ms"
        )
    ) == [
        ("Interviewer", 500, 3000),
        ("Expert 9 (Turkmenistan)", 3200, 10500),
        ("Interviewer", 70000, 72000),
    ]


def test_the_upload_page_lists_the_supported_formats(client_for, project, owner):
    page = client_for(owner).get(reverse("transcript_import", args=[project.pk]))

    assert ".txt, .docx, .md, .odt, .rtf, .html, .htm, .pdf, .srt, .vtt" in (
        page.content.decode()
    )


def test_an_otter_text_export_imports_with_its_speakers_and_times(
    client_for, project, coder
):
    text = (
        b"Speaker 1  0:03\r\nSo, tell me about the project.\r\n\r\n"
        b"Expert 9 (Turkmenistan)  0:09\r\nIt began in 2019.\r\nThen it grew.\r\n\r\n"
        b"Speaker 1  1:02:03\r\nThank you.\r\n"
    )
    upload = SimpleUploadedFile("otter.txt", text, content_type="text/plain")
    client_for(coder).post(
        reverse("transcript_import", args=[project.pk]),
        {"files": [upload], "kind": "interview", "attributes": ""},
    )
    transcript = Transcript.objects.get(original_filename="otter.txt")
    assert list(transcript.turns.values_list("speaker", "start_ms", "end_ms")) == [
        ("Speaker 1", 3_000, 9_000),
        ("Expert 9 (Turkmenistan)", 9_000, 3_723_000),
        ("Speaker 1", 3_723_000, None),
    ]

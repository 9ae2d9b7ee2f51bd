"""The sentence job's service, run in this process."""

from interviews.models import Job, Sentence
from interviews.services.jobs import run_job
from interviews.services.nlp import detect_sentences
from interviews.services.transcripts import create_transcript
from interviews.text.speakers import detect_turns

TEXT = (
    "INTERVIEWER: What helps cooperation\n"
    "Expert 1 (Kazakhstan): Joint universities. Transport too\n"
    "Expert 2 (Armenia): Yes"
)


def test_sentences_stay_inside_speaker_turns(project, owner):
    transcript = create_transcript(
        project=project,
        user=owner,
        title="Unpunctuated",
        text=TEXT,
        turns=detect_turns(TEXT),
        attributes={},
    )
    job = Job.objects.get(transcript=transcript, kind=Job.Kind.SENTENCES)
    run_job(job_id=job.pk, work=detect_sentences)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    sentences = Sentence.objects.filter(transcript=transcript).order_by("start")
    assert [TEXT[s.start : s.end] for s in sentences] == [
        "INTERVIEWER: What helps cooperation",
        "Expert 1 (Kazakhstan): Joint universities.",
        "Transport too",
        "Expert 2 (Armenia): Yes",
    ]

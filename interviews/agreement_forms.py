from django import forms

from .models import CodeRule, Coding, Transcript
from .services.agreement import MODES, coder_choices
from .services.codebook import code_tree
from .services.suggestions import latest_model

MODE_LABELS = {
    "separate": "Each code separately",
    "rollup": "A code with its sub-codes counts as one code",
}


class AgreementRunForm(forms.Form):
    """Choose what an agreement report compares; the service re-checks the ids."""

    transcripts = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple
    )
    codes = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple
    )
    coders = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more. The consensus layer can be compared with each coder.",
    )
    suggester = forms.BooleanField(
        label="Compare the suggester too",
        required=False,
        help_text="The rules' matches and the sentences the latest model scores "
        "at or above its threshold count as one more coder's layer, in every "
        "chosen transcript (run the suggestion job on them first).",
    )
    mode = forms.ChoiceField(
        label="Sub-codes",
        choices=[(mode, MODE_LABELS[mode]) for mode in MODES],
        initial="separate",
        widget=forms.RadioSelect,
    )
    threshold = forms.IntegerField(
        label="Segment overlap threshold (%)",
        min_value=1,
        max_value=100,
        initial=90,
        help_text="A segment is matched when the overlap covers this share of "
        "the combined extent of both segments.",
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        transcripts = list(
            Transcript.objects.filter(project=project).values_list("id", "title")
        )
        codes = [(c.pk, "\u2003" * c.depth + c.name) for c in code_tree(project)]
        coders = coder_choices(project=project)
        self.fields["transcripts"].choices = transcripts
        self.fields["codes"].choices = codes
        self.fields["coders"].choices = coders
        model = latest_model(project, weights=False)
        if model is not None:
            self.fields["suggester"].label += f" (model v{model.version})"
        elif not CodeRule.objects.filter(code__project=project).exists():
            self.fields["suggester"].disabled = True
            self.fields["suggester"].help_text = (
                "Write rules for some codes or train a model on the Suggestions "
                "page to compare the suggester with your coders."
            )
        if not self.is_bound:
            coded = set(
                Coding.objects.filter(transcript__project=project)
                .values_list("coder_id", flat=True)
                .distinct()
            )
            coded_in = set(
                Coding.objects.filter(transcript__project=project)
                .values_list("transcript_id", flat=True)
                .distinct()
            )
            self.initial.update(
                transcripts=[pk for pk, _ in transcripts if pk in coded_in],
                codes=[pk for pk, _ in codes],
                coders=[
                    pk
                    for pk, _ in coders
                    if pk in coded and pk != project.consensus_user_id
                ],
            )

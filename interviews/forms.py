from django import forms
from django.conf import settings

from .formats import SUPPORTED_EXTENSIONS
from .models import Membership, Project, Transcript


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description"]


class ProjectSettingsForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "blind_coding"]
        labels = {"blind_coding": "Blind coding (coders see only their own codings)"}


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Membership.Role.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # Empty files are refused one by one by the importer, with its message,
        # instead of failing the whole upload.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


def parse_attribute_lines(text: str) -> dict[str, str]:
    """Read "name: value" lines (one per line) into a dict."""
    attributes = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise forms.ValidationError(
                f"Line {number} should look like “country: Kazakhstan”."
            )
        attributes[name.strip()] = value.strip()
    return attributes


class AttributesField(forms.CharField):
    widget = forms.Textarea(
        attrs={"rows": 4, "placeholder": "country: Kazakhstan\nrole: expert"}
    )

    def clean(self, value):
        return parse_attribute_lines(super().clean(value) or "")


class TranscriptImportForm(forms.Form):
    files = MultipleFileField(
        help_text="Formats: "
        + ", ".join(SUPPORTED_EXTENSIONS)
        + f". At most {settings.UPLOAD_MAX_BYTES // (1024 * 1024)} MB each."
    )
    kind = forms.ChoiceField(
        choices=Transcript.Kind.choices, initial=Transcript.Kind.INTERVIEW
    )
    attributes = AttributesField(
        required=False,
        help_text="Applied to every file imported now; one “name: value” per line.",
    )


class AttributesForm(forms.Form):
    attributes = AttributesField(
        required=False,
        help_text="One “name: value” per line; remove a line to delete it.",
    )


# --- Codebook (views/codebook.py) ----------------------------------------------

MAX_DB_ID = 2**63 - 1


def code_choices(tree, *, blank: str | None = None) -> list[tuple]:
    """Return <select> choices for codes of `code_tree`, indented by depth."""
    choices = [("", blank)] if blank is not None else []
    return choices + [(c.pk, "\u00a0\u00a0\u00a0" * c.depth + c.name) for c in tree]


class CodeForm(forms.Form):
    """Add a code; the codebook service has the last word on every value."""

    name = forms.CharField(max_length=200)
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DB_ID,
        widget=forms.Select,
        label="Under",
    )
    definition = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_tree(tree)

    def set_tree(self, tree) -> None:
        """Offer these codes (from code_tree) as parents."""
        self.fields["parent"].widget.choices = code_choices(tree, blank="(top level)")


class CodeEditForm(CodeForm):
    colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        error_messages={"invalid": "A colour must look like #1f77b4."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class CodeMergeForm(forms.Form):
    target = forms.IntegerField(
        min_value=1, max_value=MAX_DB_ID, widget=forms.Select, label="Merge into"
    )

    def __init__(self, *args, tree=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.choices = code_choices(tree)

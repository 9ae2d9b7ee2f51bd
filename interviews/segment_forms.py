"""The filter form of the coded-segments table and its exports (GET params)."""

from django import forms

from .access import ProjectAccess
from .models import Attribute, Membership, Transcript
from .services.segments import Codebook


class SegmentFilterForm(forms.Form):
    """Filters read from the query string, so that export links carry them.

    Choices are loaded here with one query each (codes come from the codebook
    the view has already loaded), so validating a choice costs no query.
    """

    code = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    exact = forms.BooleanField(required=False, label="Without its sub-codes")
    coder = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    transcript = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    attribute = forms.ChoiceField(required=False)
    value = forms.CharField(
        required=False,
        max_length=Attribute._meta.get_field("value").max_length,
        widget=forms.TextInput(attrs={"list": "attribute-values", "size": 16}),
    )

    def __init__(self, data, *, access: ProjectAccess, codebook: Codebook):
        super().__init__(data)
        project = access.project
        everything = [("", "All")]
        self.fields["code"].choices = everything + [
            (code_id, codebook.paths[code_id]) for code_id in codebook.order
        ]
        # Every member, viewers included: someone who coded and was later made
        # a viewer keeps their codings.
        self.fields["coder"].choices = everything + list(
            Membership.objects.filter(project=project)
            .order_by("user__username")
            .values_list("user_id", "user__username")
        )
        if project.consensus_user_id:  # the reconciled layer (services/agreement.py)
            self.fields["coder"].choices = [
                *self.fields["coder"].choices,
                (project.consensus_user_id, "Consensus"),
            ]
        self.fields["transcript"].choices = everything + list(
            Transcript.objects.filter(project=project).values_list("id", "title")
        )
        pairs = (
            Attribute.objects.filter(transcript__project=project)
            .values_list("name", "value")
            .distinct()
            .order_by("name", "value")
        )
        names, values = {}, {}
        for name, value in pairs:
            names[name] = name
            values[value] = value
        self.fields["attribute"].choices = [("", "Any")] + list(names.items())
        # Offered in a <datalist> next to the value box.
        self.attribute_values = sorted(values)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") and not cleaned.get("attribute"):
            self.add_error("attribute", "Choose the attribute that value belongs to.")
        return cleaned

    def filters(self) -> dict:
        """Return filter_codings keyword arguments from the valid fields only."""
        data = getattr(self, "cleaned_data", {})
        filters = {
            "code_id": data.get("code"),
            "include_descendants": not data.get("exact", False),
            "coder_id": data.get("coder"),
            "transcript_id": data.get("transcript"),
            "attribute_name": data.get("attribute") or None,
            "attribute_value": data.get("value") or None,
        }
        if "attribute" in self.errors:
            filters["attribute_value"] = None
        return filters

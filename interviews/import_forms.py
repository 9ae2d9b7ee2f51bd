"""The upload form of the table imports (views/imports.py)."""

from django import forms
from django.conf import settings


class TableUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Comma, semicolon or tab separated; UTF-8 or the encoding "
        "Excel saves in. The first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than {limit} MB.")
        return upload

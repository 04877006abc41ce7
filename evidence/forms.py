"""Forms of the evidence pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from evidence.models import ImportBatch


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=_("File (CSV in UTF-8, comma or semicolon, or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.EVIDENCE_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; split it by year."),
                params={"mb": settings.EVIDENCE_MAX_UPLOAD_BYTES // 2**20},
            )
        return upload

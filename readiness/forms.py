"""The diagnostic's forms: a page of answers, and the editor's question form."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from readiness import dimensions
from readiness.models import LANGUAGES, MAX_POINTS, MAX_WEIGHT

LANGUAGE_LABELS = {"es": _("Spanish"), "pt-br": _("Portuguese (Brazil)"), "en": _("English")}


class PageForm(forms.Form):
    """One radio group per question of the page; an unanswered one may wait for later."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.display_text,
                choices=[(c.pk, str(c)) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
            )

    def answers(self) -> dict[int, int]:
        return {
            question.pk: self.cleaned_data[f"q{question.pk}"]
            for question in self.questions
            if self.cleaned_data.get(f"q{question.pk}") not in (None, "")
        }


def _key(code: str) -> str:
    return code.replace("-", "_")


def _text_field(language) -> forms.CharField:
    return forms.CharField(
        label=format_lazy("{} ({})", _("Question"), language), max_length=500, required=False
    )


def _answers_field(language) -> forms.CharField:
    return forms.CharField(
        label=format_lazy("{} ({})", _("Answers"), language),
        help_text=_("One per line, with its points first: 3 | Yes, fully"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )


class QuestionForm(forms.Form):
    """A question in each language, its weight, and its answers one per line with the points
    each gives ("3 | Yes, fully"); the answers' lines match across languages."""

    dimension = forms.ChoiceField(label=_("Dimension"), choices=dimensions.CHOICES)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=MAX_WEIGHT, initial=1)
    text_es = _text_field(LANGUAGE_LABELS["es"])
    answers_es = _answers_field(LANGUAGE_LABELS["es"])
    text_pt_br = _text_field(LANGUAGE_LABELS["pt-br"])
    answers_pt_br = _answers_field(LANGUAGE_LABELS["pt-br"])
    text_en = _text_field(LANGUAGE_LABELS["en"])
    answers_en = _answers_field(LANGUAGE_LABELS["en"])

    def clean(self):
        data = super().clean()
        lines = {
            code: [
                line
                for line in (data.get(f"answers_{_key(code)}") or "").splitlines()
                if line.strip()
            ]
            for code in LANGUAGES
        }
        written = {code: rows for code, rows in lines.items() if rows}
        if not written:
            raise forms.ValidationError(_("Write the answers in at least one language."))
        counts = {len(rows) for rows in written.values()}
        if len(counts) > 1:
            raise forms.ValidationError(_("Each language needs the same number of answers."))
        choices = []
        for i in range(counts.pop()):
            texts, points = {}, None
            for code, rows in written.items():
                value, sep, text = rows[i].partition("|")
                try:
                    given = int(value.strip()) if sep else None
                except ValueError:
                    given = None
                if given is None or not 0 <= given <= MAX_POINTS:
                    raise forms.ValidationError(
                        _("Start each answer with its points, 0 to 10, then “|”.")
                    )
                if points is not None and given != points:
                    raise forms.ValidationError(
                        _("An answer gives the same points in every language.")
                    )
                points, texts[code] = given, text.strip()
            choices.append((texts, points))
        data["choices"] = choices
        data["texts"] = {code: data.get(f"text_{_key(code)}") or "" for code in LANGUAGES}
        return data

    @classmethod
    def initial_for(cls, question) -> dict:
        initial = {"dimension": question.dimension, "weight": question.weight}
        choices = list(question.choices.all())
        for code in LANGUAGES:
            initial[f"text_{_key(code)}"] = question.text.get(code, "")
            if any(choice.text.get(code) for choice in choices):
                initial[f"answers_{_key(code)}"] = "\n".join(
                    f"{choice.points} | {choice.text.get(code, '')}" for choice in choices
                )
        return initial


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)

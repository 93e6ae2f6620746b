from django import forms

from accounts.models import Sector

from .models import MAX_NEW_CONTACTS, Feedback
from .services import MAX_TEXT

RATINGS = [(5, "5 — Excellent"), (4, "4 — Good"), (3, "3 — Fair"), (2, "2 — Poor"), (1, "1 — Very poor")]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how would you rate the session?", choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    most_useful = forms.CharField(
        label="What was the most useful part?",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    do_differently = forms.CharField(
        label="What will you do differently in your work because of it?",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_contacts = forms.IntegerField(
        label="How many new contacts did you make?",
        min_value=0,
        max_value=MAX_NEW_CONTACTS,
        initial=0,
        required=False,
        help_text="People you had not worked with before and would now get in touch with.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sectors_connected = forms.ModelMultipleChoiceField(
        label="Which sectors did you connect with?",
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    would_recommend = forms.TypedChoiceField(
        label="Would you recommend these sessions to a colleague?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Anything else you would like to tell us?",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_quote = forms.BooleanField(
        label="You may quote my answers in reports, without my name",
        required=False,
        help_text="Coordinators may pick a sentence for reports to funders. Your name is never shown with it.",
    )
    consent_name = forms.BooleanField(
        label="The coordinators may see my name with my feedback",
        required=False,
        help_text="Otherwise they read your answers without your name.",
    )

    def clean_new_contacts(self) -> int:
        return self.cleaned_data["new_contacts"] or 0

    @classmethod
    def for_feedback(cls, feedback: Feedback | None, data=None) -> "FeedbackForm":
        if feedback is None:
            return cls(data)
        initial = {
            "rating": feedback.rating,
            "most_useful": feedback.most_useful,
            "do_differently": feedback.do_differently,
            "new_contacts": feedback.new_contacts,
            "sectors_connected": list(feedback.sectors_connected.all()),
            "would_recommend": "yes" if feedback.would_recommend else "no",
            "comments": feedback.comments,
            "consent_quote": feedback.consent_quote,
            "consent_name": feedback.consent_name,
        }
        return cls(data, initial=initial)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class QuoteForm(forms.Form):
    quote_field = forms.ChoiceField(label="Quote in reports", required=False)

    def __init__(self, *args, feedback: Feedback, **kwargs):
        kwargs.setdefault("initial", {"quote_field": feedback.quote_field})
        kwargs.setdefault("prefix", f"f{feedback.pk}")
        super().__init__(*args, **kwargs)
        choices = [("", "Not quoted")]
        for value, label in Feedback.QuoteField.choices:
            if getattr(feedback, value).strip():
                choices.append((value, label))
        self.fields["quote_field"].choices = choices

from django import forms

from accounts.selectors import partnership_list
from events.selectors import topic_list

from .announcements import BODY_MAX, SUBJECT_MAX


class FollowForm(forms.Form):
    partnership = forms.ModelChoiceField(
        queryset=partnership_list().order_by("name"), to_field_name="slug", empty_label="Choose a partnership"
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=topic_list().order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only sessions on these topics (optional)",
        help_text="Tick none to hear about every new session.",
    )


class AnnouncementForm(forms.Form):
    subject = forms.CharField(max_length=SUBJECT_MAX, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    body = forms.CharField(
        max_length=BODY_MAX,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Plain text, at most {BODY_MAX} characters. Followers get it with your name, the partnership's "
        "name and contact address, and an unsubscribe link.",
    )

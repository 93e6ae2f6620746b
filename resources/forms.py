from django import forms

from . import files
from .models import Resource

VISIBILITY_HELP = (
    "Attendees only: the session's registrants, presenters and coordinators. Public: anyone, and the library."
)


class _ResourceForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional."
    )
    visibility = forms.ChoiceField(
        choices=Resource.Visibility.choices, initial=Resource.Visibility.ATTENDEES, help_text=VISIBILITY_HELP
    )


class ResourceFileForm(_ResourceForm):
    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
        help_text="",  # set per instance: the limit is a setting
    )
    field_order = ["file", "title", "description", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"PDF, slides, a document or an image ({files.ALLOWED}); at most {files.max_bytes() // 2**20} MB."
        self.fields["title"].help_text = "Empty: the file's name."


class ResourceLinkForm(_ResourceForm):
    url = forms.CharField(label="Link", max_length=2000, widget=forms.URLInput(), help_text="http:// or https://")
    field_order = ["url", "title", "description", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True


class PresenterForm(forms.Form):
    email = forms.EmailField(label="Presenter's e-mail", help_text="They need a Crossroads account.")


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    topic = forms.ChoiceField(required=False, choices=[("", "Any topic")])

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic")] + [(t.slug, t.name) for t in topics]

from django import forms

from accounts.models import Sector

from .models import Registration


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = ["needs", "consent_attendee_list", "talk_about"]
        labels = {
            "needs": "Accessibility or dietary needs (optional)",
            "consent_attendee_list": "Show my name, organisation and sector to the other confirmed attendees",
            "talk_about": "Happy to talk about (optional)",
        }
        help_texts = {
            "needs": "Only the session's coordinators see this.",
            "talk_about": "For the attendee list, e.g. “speech pathology referrals”.",
        }
        widgets = {"needs": forms.Textarea(attrs={"rows": 2, "maxlength": 1000})}


class WalkInForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address")
    organisation = forms.CharField(max_length=150, required=False)
    sector = forms.ModelChoiceField(queryset=Sector.objects.all(), required=False, empty_label="Not stated")


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(min_value=1, max_value=100000, label="Capacity")


class CheckInForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Check-in code",
        help_text="The six characters on the person's “My sessions” page, e.g. K7M-2QX.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    override = forms.BooleanField(required=False, label="Check in anyway: I know check-in is closed for this session")

    def __init__(self, *args, window_open: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if window_open:
            del self.fields["override"]


class RosterFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Everyone"),
            ("confirmed", "Confirmed"),
            ("offered", "Offered a place"),
            ("waitlisted", "Waitlisted"),
            ("cancelled", "Cancelled"),
            ("attended", "Attended"),
            ("no_show", "No-show"),
        ],
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="To confirm it is you.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not right.")
        return password

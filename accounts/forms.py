from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from .models import Partnership, Sector, User
from .services import EMAIL_TAKEN

NOT_VERIFIED = "Please confirm your email address first: use the link we sent you, or ask for a new one below."


class SignUpForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="Email address", help_text="You will log in with this address.")
    organisation = forms.CharField(max_length=150, required=False)
    sector = forms.ModelChoiceField(queryset=Sector.objects.all(), required=False, empty_label="Choose your sector")
    role_title = forms.CharField(max_length=150, required=False, label="Role or title")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirm password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    follow_partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="E-mail me when these partnerships publish new sessions (optional)",
        help_text="About one e-mail per new session or series. Unsubscribe at any time with the link in each e-mail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.fields["follow_partnerships"].queryset.exists():
            del self.fields["follow_partnerships"]
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["role_title"].widget.attrs["autocomplete"] = "organization-title"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        if p1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Email and password; an unverified address is told so, with a way to resend the link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise forms.ValidationError(NOT_VERIFIED, code="unverified")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "organisation", "sector", "role_title", "calendar_invites"]
        labels = {"full_name": "Full name", "role_title": "Role or title"}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "role_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name", help_text="For example: “reporting script”.")

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .forms import LoginForm, ProfileForm, ResendVerificationForm, SignUpForm, TokenCreateForm
from .models import ApiToken, Partnership
from .permissions import partnership_get_managed
from .tokens import email_verification_token


class LoginView(auth_views.LoginView):
    """Django's login; without a ?next=, a coordinator lands on their coordinator area (their partnership's
    page when they coordinate one, the list when several), everyone else on the home page."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        coordinated = sorted(user.coordinated_partnership_ids) if user.is_authenticated else []
        if len(coordinated) == 1:
            return reverse("manage-partnership", args=[Partnership.objects.get(pk=coordinated[0]).slug])
        if coordinated or (user.is_authenticated and user.is_staff):
            return reverse("manage")
        return super().get_default_redirect_url()


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
def signup(request):
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_sign_up(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                sector=data["sector"],
                role_title=data["role_title"],
                follow_partnerships=list(data.get("follow_partnerships") or []),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "accounts/signup_done.html", {"email": data["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def verify_email(request, uidb64: str, token: str):
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is not None and user.email_verified:
        messages.info(request, "Your email address is already confirmed. Please log in.")
        return redirect("login")
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/verify_failed.html", status=400)
    services.user_verify_email(user=user)
    messages.success(request, "Thank you: your email address is confirmed. You can log in now.")
    return redirect("login")


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=True)
def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        User = get_user_model()
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], email_verified=False).first()
        if user is not None:
            services.user_send_verification(user=user)
        # The same answer whether or not the address exists, so it reveals nothing.
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"], "resent": True})
    return render(request, "accounts/resend.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=request.user, **{f: form.cleaned_data[f] for f in form.fields})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your details are saved.")
            return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.api_token_list(user=request.user), "new_secret": new_secret},
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("tokens")


def partnership_detail(request, slug: str):
    partnership = get_object_or_404(Partnership, slug=slug)
    return render(request, "accounts/partnership_detail.html", {"partnership": partnership})


@login_required
def manage(request):
    partnerships = selectors.partnership_list_coordinated_by(user=request.user)
    return render(request, "accounts/manage.html", {"partnerships": partnerships})


@login_required
def manage_partnership(request, slug: str):
    partnership = partnership_get_managed(user=request.user, slug=slug)
    return render(
        request,
        "accounts/manage_partnership.html",
        {"partnership": partnership, "coordinators": selectors.partnership_coordinators(partnership=partnership)},
    )

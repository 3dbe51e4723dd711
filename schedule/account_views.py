"""Optional attendee accounts: sign up, sign in (merging this browser's agendas), sign out."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from lib.limits import client_ip, count_hit, sign_in_blocked

from .agenda import COOKIE_PREFIX, merge_into_user


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=False,
        label=_("Email address"),
        help_text=_("Optional; only used to reset a password."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "email"]


def _merge_and_forget(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The browser's anonymous agendas now belong to the account; drop their cookies."""
    merge_into_user(request, request.user)
    for name in request.COOKIES:
        if name.startswith(COOKIE_PREFIX):
            response.delete_cookie(name, samesite="Lax")
    return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


TOO_MANY_SIGN_INS = _("Too many failed sign-ins from your network; try again in a few minutes.")
TOO_MANY_SIGN_UPS = _("Too many new accounts from your network; try again in an hour.")


def _refused(form, message: str):
    """An empty form that shows only ``message``: the data sent is not even checked
    (checking it hashes a password)."""
    form.cleaned_data = {}
    form.add_error(None, message)
    return form


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if sign_in_blocked(request):
            form = _refused(self.get_form_class()(request), TOO_MANY_SIGN_INS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        return _merge_and_forget(self.request, response)


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignUpForm(request.POST)
        # Counted before the form is checked: each try hashes a password.
        if count_hit("signup", client_ip(request), 3600) > settings.SIGNUPS_PER_HOUR:
            ctx = {"form": _refused(SignUpForm(), TOO_MANY_SIGN_UPS), "next": _next(request)}
            return render(request, "registration/signup.html", ctx, status=429)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _merge_and_forget(request, HttpResponseRedirect(_next(request)))
    else:
        form = SignUpForm()
    return render(request, "registration/signup.html", {"form": form, "next": _next(request)})

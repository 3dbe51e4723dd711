"""Optional attendee accounts: sign up, sign in (merging this browser's agendas), sign out."""

from django import forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from .agenda import COOKIE_PREFIX, merge_into_user


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False, help_text="Optional; only used to reset a password.")

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


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return _merge_and_forget(self.request, response)


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _merge_and_forget(request, HttpResponseRedirect(_next(request)))
    else:
        form = SignUpForm()
    return render(request, "registration/signup.html", {"form": form, "next": _next(request)})

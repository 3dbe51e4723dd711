from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language

from events import views as event_views
from schedule import account_views, board_views

admin.site.site_header = gettext_lazy("Lineup for organizers")
admin.site.site_title = gettext_lazy("Lineup admin")
admin.site.index_title = gettext_lazy("Your events")
admin.site.enable_nav_sidebar = False  # the schedule lists and the board need the width

urlpatterns = [
    *board_views.urls(),  # /admin/events/event/<id>/board/…, before the admin's own routes
    # The admin's "view on site" shortcut, for objects of one's own events only.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(event_views.view_on_site),
        name="view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("healthz", event_views.healthz, name="healthz"),
    path("sw.js", event_views.service_worker, name="service_worker"),
    # The language switcher on every page posts here; the choice goes into a cookie.
    # Without a CSRF token: all a forged post can do is change a visitor's language, and
    # a token would put a cookie and a per-visitor body on every cached public page.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # Lazy: with DEBUG=0 the hashed name comes from the manifest, which does not exist
    # before collectstatic, and migrate and check load this module first.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("api/", include("schedule.api.urls")),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("", event_views.event_list, name="event_list"),
    path("<slug:event_slug>/", include("schedule.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

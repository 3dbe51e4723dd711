from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from events import views as event_views

admin.site.site_header = "Lineup for organizers"
admin.site.site_title = "Lineup admin"
admin.site.index_title = "Your events"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", event_views.healthz, name="healthz"),
    path("", event_views.event_list, name="event_list"),
    path("<slug:event>/", include("schedule.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

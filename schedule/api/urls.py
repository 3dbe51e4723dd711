from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import changes, views

EVENT = r"events/(?P<event>[-a-zA-Z0-9_]+)"

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="api-event")
router.register(f"{EVENT}/sessions", views.SessionViewSet, basename="api-session")
router.register(f"{EVENT}/speakers", views.SpeakerViewSet, basename="api-speaker")
router.register(f"{EVENT}/rooms", views.RoomViewSet, basename="api-room")
router.register(f"{EVENT}/tracks", views.TrackViewSet, basename="api-track")
router.register(f"{EVENT}/types", views.SessionTypeViewSet, basename="api-type")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/events/<slug:event>/changes/", changes.ChangesView.as_view(), name="api-changes"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

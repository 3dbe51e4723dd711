from django.urls import path

from events import views as event_views

from . import agenda_views, changelog_views, detail_views, embed_views, views

urlpatterns = [
    path("", event_views.event_home, name="event_home"),
    path("theme.css", views.event_theme, name="event_theme"),
    path("manifest.webmanifest", event_views.manifest, name="event_manifest"),
    path("schedule/", views.schedule_list, name="schedule_list"),
    path("schedule/grid/", views.schedule_grid, name="schedule_grid"),
    path("embed/", embed_views.embed_list, name="embed_list"),
    path("embed/grid/", embed_views.embed_grid, name="embed_grid"),
    path("sessions/<slug:slug>/", detail_views.session_detail, name="session_detail"),
    path("sessions/<slug:slug>.ics", views.session_ics, name="session_ics"),
    path("schedule.ics", views.schedule_export, {"fmt": "ics"}, name="schedule_ics"),
    path("schedule.xml", views.schedule_export, {"fmt": "xml"}, name="schedule_xml"),
    path("schedule.json", views.schedule_export, {"fmt": "json"}, name="schedule_json"),
    path("agenda/", agenda_views.agenda_page, name="agenda"),
    path("agenda/feed/reset", agenda_views.agenda_reset_feed, name="agenda_reset_feed"),
    path("agenda/clear", agenda_views.agenda_clear, name="agenda_clear"),
    path("agenda/seen", agenda_views.agenda_seen, name="agenda_seen"),
    path("agenda/<str:token>.ics", agenda_views.agenda_feed, name="agenda_feed"),
    path("agenda/<slug:session>/add", agenda_views.agenda_add, name="agenda_add"),
    path("agenda/<slug:session>/remove", agenda_views.agenda_remove, name="agenda_remove"),
    path("changes/", changelog_views.changelog_page, name="changelog"),
    path("changes/atom.xml", changelog_views.changelog_feed, name="changelog_feed"),
    path("changes/banner", changelog_views.changes_banner, name="changes_banner"),
    path("changes/seen", changelog_views.changes_seen, name="changes_seen"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<slug:slug>/", detail_views.speaker_detail, name="speaker_detail"),
]

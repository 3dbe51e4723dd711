from django.urls import path

from events import views as event_views

from . import views

urlpatterns = [
    path("", event_views.event_home, name="event_home"),
    path("theme.css", views.event_theme, name="event_theme"),
    path("schedule/", views.schedule_list, name="schedule_list"),
    path("schedule/grid/", views.schedule_grid, name="schedule_grid"),
    path("sessions/<slug:slug>/", views.session_detail, name="session_detail"),
    path("sessions/<slug:slug>.ics", views.session_ics, name="session_ics"),
    path("schedule.ics", views.schedule_ics, name="schedule_ics"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
]

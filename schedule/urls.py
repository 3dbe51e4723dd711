from django.urls import path

from events import views as event_views

from . import views

urlpatterns = [
    path("", event_views.event_home, name="event_home"),
    path("schedule/", views.schedule_list, name="schedule_list"),
    path("schedule/grid/", views.schedule_grid, name="schedule_grid"),
    path("sessions/<slug:slug>/", views.session_detail, name="session_detail"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
]

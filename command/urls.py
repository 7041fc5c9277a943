from django.urls import path

from command.views import consultations, reports
from command.views import incidents as views

app_name = "command"
urlpatterns = [
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", views.IncidentFormView.as_view(), name="incident_create"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.IncidentFormView.as_view(), name="incident_edit"),
    path("incidents/<int:pk>/close/", views.IncidentCloseView.as_view(), name="incident_close"),
    path(
        "incidents/<int:pk>/hotline/", views.HotlineTransferView.as_view(), name="incident_hotline"
    ),
    path(
        "incidents/<int:pk>/hotline-reply/",
        views.HotlineReplyView.as_view(),
        name="incident_hotline_reply",
    ),
    path("incidents/<int:pk>/hand-over/", views.HandOverView.as_view(), name="incident_hand_over"),
    path("incidents/<int:pk>/maritime/", views.MaritimeView.as_view(), name="incident_maritime"),
    path("incidents/<int:pk>/notes/", views.NoteView.as_view(), name="incident_note"),
    path("incidents/<int:pk>/reassess/", views.ReassessView.as_view(), name="incident_reassess"),
]
urlpatterns += [*reports.urlpatterns, *consultations.urlpatterns]

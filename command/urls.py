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
]
urlpatterns += [*reports.urlpatterns, *consultations.urlpatterns]

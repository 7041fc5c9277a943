from django.urls import path

from duty.rosters import views

urlpatterns = [
    path("rosters/", views.RosterListView.as_view(), name="roster_list"),
    path("rosters/new/", views.RosterFormView.as_view(), name="roster_create"),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster_detail"),
    path("rosters/<int:pk>/edit/", views.RosterFormView.as_view(), name="roster_edit"),
    path("rosters/<int:pk>/token/", views.RosterTokenView.as_view(), name="roster_token"),
    path("rosters/<int:pk>/feed/<str:token>.ics", views.roster_feed, name="roster_feed"),
    path("rosters/<int:roster_pk>/shifts/new/", views.ShiftFormView.as_view(), name="shift_create"),
    path("shifts/<int:pk>/", views.ShiftLogView.as_view(), name="shift_log"),
    path("shifts/<int:pk>/edit/", views.ShiftFormView.as_view(), name="shift_edit"),
    path("shifts/<int:pk>/log/", views.LogEntryCreateView.as_view(), name="log_create"),
    path("shifts/<int:pk>/hand-over/", views.HandOverView.as_view(), name="hand_over"),
    path("log/<int:pk>/close/", views.LogEntryCloseView.as_view(), name="log_close"),
    path("spot-checks/", views.SpotCheckListView.as_view(), name="spotcheck_list"),
    path("spot-checks/new/", views.SpotCheckFormView.as_view(), name="spotcheck_create"),
    path("spot-checks/<int:pk>/close/", views.SpotCheckCloseView.as_view(), name="spotcheck_close"),
]

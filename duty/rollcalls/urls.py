from django.urls import path

from duty.rollcalls import views

urlpatterns = [
    path("rollcalls/", views.roll_call_list, name="rollcall_list"),
    path("rollcalls/new/", views.roll_call_start, name="rollcall_start"),
    path("rollcalls/<int:pk>/", views.roll_call_detail, name="rollcall_detail"),
    path("rollcalls/<int:pk>/progress/", views.roll_call_progress, name="rollcall_progress"),
    path("rollcalls/<int:pk>/close/", views.roll_call_close, name="rollcall_close"),
    path("rollcalls/answer/", views.answer_list, name="rollcall_answer_list"),
    path("rollcalls/targets/<int:pk>/answer/", views.answer, name="rollcall_answer"),
    path("rollcalls/schedules/", views.schedule_list, name="rollcall_schedules"),
    path("rollcalls/schedules/new/", views.schedule_form, name="rollcall_schedule_new"),
    path("rollcalls/schedules/<int:pk>/", views.schedule_form, name="rollcall_schedule_edit"),
    path(
        "rollcalls/key-periods/new/",
        views.intensification_form,
        name="rollcall_intensification_new",
    ),
    path("rollcalls/report/", views.report, name="rollcall_report"),
    path("rollcalls/report.xlsx", views.report_xlsx, name="rollcall_report_xlsx"),
]

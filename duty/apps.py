from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "duty"

    def ready(self) -> None:
        # An SMS reply answers a roll call through the same service as the page.
        from duty.rollcalls.notifications import register_handlers

        register_handlers()
        _register_subjects()


def _register_subjects() -> None:
    """The change feed shows roll calls and rosters as the API does (core.subjects)."""
    from django.utils import timezone

    from core import subjects
    from duty.rollcalls import selectors as rollcall_selectors
    from duty.rollcalls.api import views as rollcalls
    from duty.rosters.api import views as rosters
    from duty.rosters.selectors import month_bounds

    def progress(user, roll_calls):
        return {"progress": rollcall_selectors.progress_by_roll_call([r.pk for r in roll_calls])}

    def window(user, rosters_):
        # RosterViewSet's default window: the current month.
        today = timezone.localdate()
        return {"window": month_bounds(today.year, today.month)}

    subjects.register(
        "duty.rollcall",
        serializer=rollcalls.RollCallViewSet.serializer_class,
        queryset=subjects.from_viewset(rollcalls.RollCallViewSet),
        context=progress,
    )
    subjects.register(
        "duty.dutyroster",
        serializer=rosters.RosterViewSet.serializer_class,
        queryset=subjects.from_viewset(rosters.RosterViewSet),
        context=window,
    )
    subjects.declare("duty.rollcallintensification")
    for label, viewset in (
        ("duty.rollcallschedule", rollcalls.ScheduleViewSet),
        ("duty.rollcalltarget", rollcalls.TargetViewSet),
        ("duty.spotcheck", rosters.SpotCheckViewSet),
    ):
        subjects.register(
            label, serializer=viewset.serializer_class, queryset=subjects.from_viewset(viewset)
        )

"""The admin reads duty records of the administrator's own jurisdiction only and changes
none of them (every change goes through the services)."""

from __future__ import annotations

import pytest

from core.roles import Role
from duty import rollcall_services
from duty.models import DutyRoster
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_duty_admin_is_scoped_and_read_only(client, world):
    w = world
    roster = DutyRoster.objects.create(
        name="临清市联合值守", organisation=w.bureau_a, jurisdiction=w.county_a
    )
    roll_call = rollcall_services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    admin_b = f.user("admin_b", w.bureau_b, Role.ADMINISTRATOR, is_staff=True)
    w.admin_a.is_staff = True
    w.admin_a.save()
    for user, sees in ((w.admin_a, True), (admin_b, False)):
        client.force_login(user)
        for url, label in (
            ("/admin/duty/dutyroster/", roster.name),
            ("/admin/duty/rollcall/", f"/admin/duty/rollcall/{roll_call.pk}/"),
        ):
            page = client.get(url)
            assert page.status_code == 200, (user.username, url)
            assert (label in page.content.decode()) is sees, (user.username, url)
    client.force_login(w.admin_a)
    assert client.get("/admin/duty/dutyroster/add/").status_code == 403
    assert client.get(f"/admin/duty/rollcall/{roll_call.pk}/delete/").status_code == 403

"""The admin shows duty records to platform operators (superusers) and changes none of
them (every change goes through the services); administrators of a county are refused
(tests/security/test_administration.py covers the site rule)."""

from __future__ import annotations

import pytest

from duty.models import DutyRoster
from duty.rollcalls import services as rollcall_services
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_duty_admin_is_read_only_and_for_operators_only(client, world):
    w = world
    roster = DutyRoster.objects.create(
        name="临清市联合值守", organisation=w.bureau_a, jurisdiction=w.county_a
    )
    roll_call = rollcall_services.start_roll_call(actor=w.dispatcher_a, jurisdiction=w.county_a)
    operator = f.user("operator", None, is_superuser=True, is_staff=True)
    client.force_login(operator)
    for url, label in (
        ("/admin/duty/dutyroster/", roster.name),
        ("/admin/duty/rollcall/", f"/admin/duty/rollcall/{roll_call.pk}/"),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert label in page.content.decode(), url
    assert client.get("/admin/duty/dutyroster/add/").status_code == 403
    assert client.get(f"/admin/duty/rollcall/{roll_call.pk}/delete/").status_code == 403
    w.admin_a.is_staff = True
    w.admin_a.save()
    client.force_login(w.admin_a)
    page = client.get("/admin/duty/dutyroster/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]

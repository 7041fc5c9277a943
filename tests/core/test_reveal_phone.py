"""Masked phones shown in full on purpose (ECOSYSTEM.md: unmasking needs a permission and
is audited): a dispatcher who must call a force leader at 3 a.m. asks for the number;
the request is logged with who, when and what; roles without that need, other
jurisdictions, other fields get nothing."""

from __future__ import annotations

import pytest

from core.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

URL = "/reveal-phone/"


def reveal(client, user, model="forces.force", pk=None, field="leader_phone"):
    client.force_login(user)
    return client.post(URL, {"model": model, "pk": pk, "field": field}, REMOTE_ADDR="10.2.3.4")


def test_dispatcher_sees_the_leader_phone_and_the_access_is_logged(client, world):
    w = world
    client.force_login(w.dispatcher_a)
    page = client.get(f"/forces/{w.force_a.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert 'hx-post="/reveal-phone/"' in page
    response = reveal(client, w.dispatcher_a, pk=w.force_a.pk)
    assert response.status_code == 200
    assert 'href="tel:13812345678"' in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.subject_type, access.subject_id, access.field) == (
        w.dispatcher_a,
        "forces.force",
        str(w.force_a.pk),
        "leader_phone",
    )
    assert access.ip_address == "10.2.3.4" and access.subject_label == "临清市水利抢险队"
    with pytest.raises(ValueError):
        access.delete()


def test_who_may_not_reveal(client, world):
    w = world
    assert reveal(client, w.editor_power_a, pk=w.force_a.pk).status_code == 403  # no need
    assert reveal(client, w.screen_a, pk=w.force_a.pk).status_code == 403
    assert reveal(client, w.dispatcher_b, pk=w.force_a.pk).status_code == 404  # elsewhere
    # ID numbers and unknown fields are never revealed this way.
    assert reveal(client, w.dispatcher_a, pk=w.force_a.pk, field="id_number").status_code == 404
    assert reveal(client, w.dispatcher_a, model="core.user", pk=1, field="phone").status_code == 404
    assert reveal(client, w.dispatcher_a, pk="x").status_code == 404
    client.force_login(w.dispatcher_a)
    assert client.get(URL).status_code == 405
    assert not PersonalDataAccess.objects.exists()


def test_owner_sees_the_number_without_a_button(client, world):
    w = world
    client.force_login(w.editor_a)
    page = client.get(f"/forces/{w.force_a.pk}/").content.decode()
    assert "13812345678" in page and 'hx-post="/reveal-phone/"' not in page


def test_dispatcher_reveals_an_expert_phone_from_the_expert_list(client, world):
    from forces.models import Expert

    w = world
    expert = Expert.objects.create(
        name="李专家", organisation=w.water_a, jurisdiction=w.county_a, phone="13911112222"
    )
    client.force_login(w.dispatcher_a)
    page = client.get("/forces/experts/").content.decode()
    assert "139****2222" in page and "13911112222" not in page
    assert '"model": "forces.expert"' in page
    response = reveal(client, w.dispatcher_a, model="forces.expert", pk=expert.pk, field="phone")
    assert 'href="tel:13911112222"' in response.content.decode()
    assert PersonalDataAccess.objects.get().subject_type == "forces.expert"

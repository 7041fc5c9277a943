"""The demo's rescuer welfare: records for the demo forces' people, a few policies lapsing
within the warning days, commendations after the Linqing flood and an injury under 评残
review; a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from support.choices import CasualtyProcedure, CasualtyStatus
from support.models import CasualtyCase, Commendation, HealthRecord, InsurancePolicy
from support.welfare.alerts import check_welfare_alerts, insurance_horizon

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_the_demo_has_welfare_records_lapsing_policies_and_a_disability_case(demo):
    today = timezone.localdate()
    assert HealthRecord.objects.count() >= 16
    lapsing = InsurancePolicy.objects.filter(
        expires_on__gte=today, expires_on__lte=insurance_horizon(today)
    )
    assert lapsing.count() >= 3
    assert Commendation.objects.filter(incident__isnull=False, force__isnull=False).exists()
    assert Commendation.objects.filter(personnel__isnull=False).count() >= 2
    case = CasualtyCase.objects.get()
    assert case.procedure == CasualtyProcedure.DISABILITY
    assert case.status == CasualtyStatus.REVIEWED
    assert check_welfare_alerts() >= lapsing.count()
    count = HealthRecord.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert HealthRecord.objects.count() == count

"""core/web.py: the page glue every app shares."""

import pytest


def test_a_page_that_names_no_permission_refuses_everyone(rf, world):
    """core.web.RoleRequiredMixin fails closed: without an ``allowed`` of its own a page
    answers 403 even to an administrator, and sends anonymous users to log in."""
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse
    from django.views import View

    from core.web import RoleRequiredMixin

    class Forgotten(RoleRequiredMixin, View):
        def get(self, request):
            return HttpResponse("secret")

    request = rf.get("/forgotten/")
    request.user = world.admin_a
    with pytest.raises(PermissionDenied):
        Forgotten.as_view()(request)

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = Forgotten.as_view()(request)
    assert response.status_code == 302 and "/login/" in response["Location"]

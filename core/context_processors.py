from django.conf import settings

from core.permissions import can_administer_accounts, can_read_registry
from core.roles import REGISTRY_EDITORS


def platform(request):
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "DEBUG": settings.DEBUG,
        "can_read_registry": authenticated and can_read_registry(user),
        "can_edit_registry": authenticated
        and (user.is_superuser or user.has_role(*REGISTRY_EDITORS)),
        "can_administer_accounts": authenticated and can_administer_accounts(user),
    }

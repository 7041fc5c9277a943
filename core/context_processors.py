from django.conf import settings


def platform(request):
    return {"PLATFORM_NAME": "联调联战指挥平台", "DEBUG": settings.DEBUG}

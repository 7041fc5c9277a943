"""Response manuals and their instruction lists, edited by the bureau."""

urlpatterns: list = []

"""The sync pages under /sync/."""

app_name = "sync"

urlpatterns: list = []

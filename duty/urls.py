from duty import rollcall_urls, roster_urls

app_name = "duty"

urlpatterns = roster_urls.urlpatterns + rollcall_urls.urlpatterns

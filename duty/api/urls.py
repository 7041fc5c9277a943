from duty.api import rollcall_urls, roster_urls

urlpatterns = roster_urls.urlpatterns + rollcall_urls.urlpatterns

"""会商研判 meetings: record, conclude, print."""

urlpatterns: list = []

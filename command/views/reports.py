"""30-minute reporting pages: required reports, submission, receipt, rules, PDF."""

urlpatterns: list = []

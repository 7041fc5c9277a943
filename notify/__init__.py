"""Notifications: one outbox for every chapter (issue 10). Domain apps call the services
inside their transactions; delivery happens after commit, through channel backends."""

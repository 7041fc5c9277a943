"""Manuals, activations, instructions and seats over the API."""

urlpatterns: list = []

"""Activations, the HQ page (response board), instructions and seats."""

urlpatterns: list = []

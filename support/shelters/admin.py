"""Django admin of the shelters part (filled by its owner)."""

"""Django admin of the compensation part (filled by its owner)."""

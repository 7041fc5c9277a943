"""Django admin of the passage part (filled by its owner)."""

"""Django admin of the reserves part (filled by its owner)."""

"""Django admin of the welfare part (filled by its owner)."""

"""Django admin of the allocation part (filled by its owner)."""

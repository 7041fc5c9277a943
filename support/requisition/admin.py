"""Django admin of the requisition part (filled by its owner)."""

"""What support registers when Django starts (``SupportConfig.ready``): each part's
feed subjects (core.subjects) and notify handlers, from its own ``hooks.register``."""

from __future__ import annotations


def register_all() -> None:
    from support.allocation import hooks as allocation
    from support.compensation import hooks as compensation
    from support.passage import hooks as passage
    from support.requisition import hooks as requisition
    from support.reserves import hooks as reserves
    from support.shelters import hooks as shelters
    from support.welfare import hooks as welfare

    for part in (reserves, allocation, requisition, compensation, passage, welfare, shelters):
        part.register()

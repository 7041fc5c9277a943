from notify.views.health import HealthView, RetryView
from notify.views.inbox import InboxView, MarkAllReadView, OpenView, bell
from notify.views.link import LinkView
from notify.views.simulator import SimulatorKeypressView, SimulatorReplyView, SimulatorView

__all__ = [
    "HealthView",
    "InboxView",
    "LinkView",
    "MarkAllReadView",
    "OpenView",
    "RetryView",
    "SimulatorKeypressView",
    "SimulatorReplyView",
    "SimulatorView",
    "bell",
]

"""Pages of the dispatch chain (SPEC §4): call-out plans with force suggestions, approval
and consent, orders and their steps, the printable order, cross-region reinforcement and
notices for the record. Every write binds a form and calls one function of
``dispatch.services``; buttons ask ``dispatch.permissions``, as those services do, and a
refusal is shown as an alert (or a field error, status 400), never a 500.

One module per aggregate (plans, orders, reinforcements, notices, special periods),
re-exported here for ``dispatch/urls.py``."""

from dispatch.views.notices import (
    NoticeListView,
    NoticeReadView,
)
from dispatch.views.orders import (
    OrderDetailView,
    OrderListView,
    OrderPdfView,
    OrderStepView,
)
from dispatch.views.periods import SpecialPeriodEndView, SpecialPeriodListView
from dispatch.views.plans import (
    PlanActionView,
    PlanApproveView,
    PlanConsentView,
    PlanDetailView,
    PlanFormView,
    PlanListView,
    PlanRejectView,
    PlanSubmitView,
)
from dispatch.views.reinforcements import (
    ReinforcementCreateView,
    ReinforcementDecideView,
    ReinforcementDetailView,
    ReinforcementListView,
)

__all__ = [
    "NoticeListView",
    "NoticeReadView",
    "OrderDetailView",
    "OrderListView",
    "OrderPdfView",
    "OrderStepView",
    "PlanActionView",
    "PlanApproveView",
    "PlanConsentView",
    "PlanDetailView",
    "PlanFormView",
    "PlanListView",
    "PlanRejectView",
    "PlanSubmitView",
    "ReinforcementCreateView",
    "ReinforcementDecideView",
    "ReinforcementDetailView",
    "ReinforcementListView",
    "SpecialPeriodEndView",
    "SpecialPeriodListView",
]

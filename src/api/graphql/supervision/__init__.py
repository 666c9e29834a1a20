"""监察, for SUPERVISOR, AUDITOR and ADMIN inside their jurisdiction, one module a feature:
``late_cases`` (overdue and warning lists), ``compliance`` (按时办结率), ``cards`` (黄牌/红牌),
``orders`` (督办), ``complaints`` (投诉), ``audit`` (the audit trail, its verification and the
refused attempts). Each adds its fields to the ``Supervision`` type (composed in ``queries``)
and brings its own types and mutations."""

from xuke.api.graphql.supervision.cards import UnitCardQueries
from xuke.api.graphql.supervision.complaints import ComplaintMutations
from xuke.api.graphql.supervision.orders import OrderMutations
from xuke.api.graphql.supervision.queries import SupervisionQueries

__all__ = ["ComplaintMutations", "OrderMutations", "SupervisionQueries", "UnitCardQueries"]

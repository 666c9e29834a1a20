"""Cases: the ``Case`` type and its history, the case queries, and one mutation per command of
the contract (filing, correction, acceptance, review, the clock, decision, service, ending)."""

from xuke.api.graphql.cases.mutations import CaseMutations
from xuke.api.graphql.cases.queries import CaseQueries

__all__ = ["CaseMutations", "CaseQueries"]

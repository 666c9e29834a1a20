"""Cases: the ``Case`` type and its history, the case queries, and one mutation per command of
the contract (filing, correction, acceptance, review, the clock, decision, service, ending);
hearings (v2) in ``hearings``, preliminary review (Law 43) in ``preliminary``; finding cases in ``search``; release,
reassignment, delegation and the applicant's contact details in ``tasks``."""

from xuke.api.graphql.cases.hearings import HearingMutations
from xuke.api.graphql.cases.mutations import CaseMutations
from xuke.api.graphql.cases.preliminary import PreliminaryReviewMutations
from xuke.api.graphql.cases.queries import CaseQueries
from xuke.api.graphql.cases.search import CaseSearchQueries
from xuke.api.graphql.cases.tasks import ContactQueries, TaskMutations

__all__ = [
    "CaseMutations",
    "CaseQueries",
    "CaseSearchQueries",
    "ContactQueries",
    "HearingMutations",
    "PreliminaryReviewMutations",
    "TaskMutations",
]

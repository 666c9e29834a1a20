"""网上咨询: service guides (``serviceGuide``, ``updateServiceGuide``) and the question board
(``consultations``, ``askQuestion``, ``answerQuestion``). docs/consultation.md."""

from xuke.api.graphql.consultation.mutations import ConsultationMutations
from xuke.api.graphql.consultation.queries import ConsultationQueries

__all__ = ["ConsultationMutations", "ConsultationQueries"]

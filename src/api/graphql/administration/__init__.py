"""系统管理维护 through GraphQL (v2): licence items and their versions, organisations and
calendar years, ADMIN only for changes; each change an event, so it is in the audit trail."""

from xuke.api.graphql.administration.mutations import AdministrationMutations
from xuke.api.graphql.administration.queries import AdministrationQueries

__all__ = ["AdministrationMutations", "AdministrationQueries"]

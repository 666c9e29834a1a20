"""What every feature of the schema shares: the contract's enums and small types, how errors
are answered, paging, and the one way a mutation runs its command."""

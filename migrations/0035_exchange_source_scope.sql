-- inbound_sources: the jurisdiction each source may speak for (docs/exchange-federation.md).
-- Given with `xuke exchange follow --jurisdiction`, or learnt from the first page received
-- (its province, or 000000 when it holds several) and then fixed; events outside it are
-- skipped and noted, never applied. Sources recorded before this column learn it from
-- their next page.
ALTER TABLE inbound_sources ADD COLUMN jurisdiction TEXT;

-- The public register's totals (公示): granted licences per item, kept by the register
-- projection so an unfiltered page's total adds up a few dozen rows instead of counting the
-- whole register. Filled here from the register as it stands, so no rebuild is needed.
CREATE TABLE IF NOT EXISTS licence_register_counts (
    item_code TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO licence_register_counts (item_code, n)
    SELECT item_code, COUNT(*) FROM licence_register GROUP BY item_code;

-- Compliance (Law 50): renewals per granting authority, item and day, kept by the register
-- projection so a period's figures add up a few hundred rows. `granted`: decided by the
-- authority, on the day of its decision; `deemed`: not decided before validTo, so granted by
-- law, on the day that took effect (validTo + 1) — for supervisors the authority's failure,
-- like a late decision. `renewals` is their sum (a row whose sum is 0 is deleted).
-- The register's rows keep no history of past renewals, so nothing here can fill the table:
-- it starts empty, and an existing database counts the renewals before this migration only
-- after `xuke projections rebuild licence_register` (a rebuild fills it from the events).
CREATE TABLE IF NOT EXISTS licence_register_renewals (
    jurisdiction_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    renewed_on TEXT NOT NULL,
    renewals BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    deemed BIGINT NOT NULL,
    PRIMARY KEY (jurisdiction_code, item_code, renewed_on)
);

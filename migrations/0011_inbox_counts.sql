-- inbox: running counts per user and per candidate group and box, kept by the inbox
-- projection, so a page's totalCount is a lookup, not a count over thousands of tasks.
CREATE TABLE IF NOT EXISTS inbox_counts (
    owner TEXT NOT NULL,
    box TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (owner, box)
);

-- Per-ticker statistics over 2-second tumbling windows, and an alert stream of large price moves.
-- This is Kinesis Data Analytics SQL as the AWS console wrote it: it runs on Hydrant unchanged.

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker        VARCHAR(4),
    window_start  TIMESTAMP,
    trades        BIGINT,
    avg_price     DOUBLE,
    min_price     REAL,
    max_price     REAL);

CREATE OR REPLACE PUMP "STATS_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "TICKER",
           STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND),
           COUNT(*), AVG("PRICE"), MIN("PRICE"), MAX("PRICE")
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY "TICKER", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);

CREATE OR REPLACE STREAM "ALERT_STREAM" (ticker VARCHAR(4), price REAL, change REAL);

CREATE OR REPLACE PUMP "ALERT_PUMP" AS INSERT INTO "ALERT_STREAM"
    SELECT STREAM "TICKER", "PRICE", "CHANGE"
    FROM "SOURCE_SQL_STREAM_001"
    WHERE ABS("CHANGE") > 4.5;

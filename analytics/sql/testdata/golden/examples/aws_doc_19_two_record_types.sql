CREATE OR REPLACE STREAM "Order_Stream" (
  "order_id" INTEGER,
  "order_type" VARCHAR(10),
  "ticker" VARCHAR(4),
  "order_price" DOUBLE,
  "record_type" VARCHAR(10)
);

CREATE OR REPLACE PUMP "Order_Pump" AS
INSERT INTO "Order_Stream"
SELECT STREAM "Oid", "Otype", "Oticker", "Oprice", "RecordType"
FROM "SOURCE_SQL_STREAM_001"
WHERE "RecordType" = 'Order';

CREATE OR REPLACE STREAM "Trade_Stream" (
  "trade_id" INTEGER,
  "order_id" INTEGER,
  "trade_price" DOUBLE,
  "ticker" VARCHAR(4),
  "record_type" VARCHAR(10)
);

CREATE OR REPLACE PUMP "Trade_Pump" AS
INSERT INTO "Trade_Stream"
SELECT STREAM "Tid", "Toid", "Tprice", "Tticker", "RecordType"
FROM "SOURCE_SQL_STREAM_001"
WHERE "RecordType" = 'Trade';

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  "ticker" VARCHAR(4),
  "trade_count" INTEGER
);

CREATE OR REPLACE PUMP "Output_Pump" AS
INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "ticker", COUNT(*) AS TRADE_COUNT
FROM "Trade_Stream"
GROUP BY "ticker", FLOOR("Trade_Stream".ROWTIME TO MINUTE);

#!/usr/bin/env python3
"""Drives a Kinesis Data Analytics application on Hydrant across a server crash (e2e/analytics_test.go).

Phases, each a separate run of this script (the Go test kills and restarts hydrant serve in between):
  setup ENDPOINT RUN        create the source and destination streams and the application; start it
  produce ENDPOINT RUN A B  put ticks A..B-1 (deterministic), a batch every 100 ms, then wait until the
                            destination holds at least one window row
  verify ENDPOINT RUN N     wait until every one of the N ticks is counted in the destination, then check
                            that each (ticker, window) row is there exactly once
"""
import collections
import json
import os
import sys
import time

import boto3

# Hydrant accepts any credentials; use the ones configured, or placeholders on a machine with none.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "example")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "example")

phase, endpoint, run = sys.argv[1], sys.argv[2], sys.argv[3]
kinesis = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1")
ka = boto3.client("kinesisanalytics", endpoint_url=endpoint, region_name="us-east-1")
src, dst, app = "src-" + run, "dst-" + run, "app-" + run
role = "arn:aws:iam::000000000000:role/ka"
tickers = ["AMZN", "INTC", "MSFT", "TBV"]

CODE = """
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), WINDOW_START TIMESTAMP, TRADES BIGINT, TOTAL BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND), COUNT(*), SUM("N")
FROM "SOURCE_SQL_STREAM_001"
GROUP BY "TICKER", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
"""


def tick(i):
    return {"TICKER": tickers[i % len(tickers)], "N": i}


def read_all(name):
    out = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = kinesis.get_records(ShardIterator=it, Limit=10000)
            out += [(r["PartitionKey"], json.loads(r["Data"])) for r in resp["Records"]]
            if not resp["Records"]:
                break
            it = resp.get("NextShardIterator")
    return out


if phase == "setup":
    for name, shards in ((src, 3), (dst, 2)):
        kinesis.create_stream(StreamName=name, ShardCount=shards)
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    arn = lambda n: kinesis.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]["StreamARN"]
    ka.create_application(
        ApplicationName=app, ApplicationCode=CODE,
        Inputs=[{"NamePrefix": "SOURCE_SQL_STREAM", "KinesisStreamsInput": {"ResourceARN": arn(src), "RoleARN": role},
                 "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON",
                                                  "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                                 "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.TICKER"},
                                                   {"Name": "N", "SqlType": "BIGINT", "Mapping": "$.N"}]}}],
        Outputs=[{"Name": "DESTINATION_SQL_STREAM", "KinesisStreamsOutput": {"ResourceARN": arn(dst), "RoleARN": role},
                  "DestinationSchema": {"RecordFormatType": "JSON"}}])
    ka.start_application(ApplicationName=app, InputConfigurations=[
        {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])

elif phase == "produce":
    a, b = int(sys.argv[4]), int(sys.argv[5])
    for i in range(a, b, 25):
        resp = kinesis.put_records(StreamName=src, Records=[
            {"Data": json.dumps(tick(j)).encode(), "PartitionKey": str(j)} for j in range(i, min(i + 25, b))])
        assert resp["FailedRecordCount"] == 0, resp
        time.sleep(0.1)
    deadline = time.time() + 20
    while not read_all(dst):
        assert time.time() < deadline, "no window row in the destination after 20 s"
        time.sleep(0.2)

elif phase == "verify":
    n = int(sys.argv[4])
    want_trades = collections.Counter(tick(i)["TICKER"] for i in range(n))
    want_total = collections.Counter()
    for i in range(n):
        want_total[tick(i)["TICKER"]] += i
    deadline = time.time() + 30
    while True:
        rows = read_all(dst)
        trades, total = collections.Counter(), collections.Counter()
        for _, r in rows:
            trades[r["TICKER"]] += r["TRADES"]
            total[r["TICKER"]] += r["TOTAL"]
        if sum(trades.values()) >= n or time.time() > deadline:
            break
        time.sleep(0.3)
    windows = collections.Counter((r["TICKER"], r["WINDOW_START"]) for _, r in rows)
    dups = [w for w, c in windows.items() if c > 1]
    assert not dups, f"windows emitted more than once: {dups[:5]}"
    keys = collections.Counter(k for k, _ in rows)
    assert max(keys.values()) == 1, "two output records share a partition key"
    assert trades == want_trades, f"trades per ticker: got {dict(trades)}, want {dict(want_trades)}"
    assert total == want_total, f"totals per ticker: got {dict(total)}, want {dict(want_total)}"
    print(f"{n} ticks in {len(rows)} window rows, each window once")

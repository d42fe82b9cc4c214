#!/usr/bin/env python3
"""A Kinesis Data Analytics SQL application on Hydrant, deployed with the same boto3 calls as on AWS.

The script creates a source stream of stock ticks and two destination streams, asks Hydrant to discover
the input schema from sample records (DiscoverInputSchema), creates the application from tickers.sql
with a JSON input mapping, starts it from TRIM_HORIZON, sends ticks, and reads the results back: per-ticker
statistics over 2-second tumbling windows, and alerts for large moves. It checks them against the ticks it
sent: every tick is counted in exactly one window, and every large move raised exactly one alert.

Usage: tickers.py [HYDRANT_ENDPOINT]   (default: $HYDRANT_ENDPOINT or http://127.0.0.1:4567)
"""
import collections
import json
import os
import random
import sys
import time
import uuid

import boto3

# Hydrant accepts any credentials; use the ones configured, or placeholders on a machine with none.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "example")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "example")

endpoint = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HYDRANT_ENDPOINT", "http://127.0.0.1:4567")
kinesis = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1")
ka = boto3.client("kinesisanalytics", endpoint_url=endpoint, region_name="us-east-1")
run = uuid.uuid4().hex[:6]
role = "arn:aws:iam::000000000000:role/kinesis-analytics"


def create_stream(name, shards):
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def read_all(name):
    """Every record of a stream, from TRIM_HORIZON, in each shard's order."""
    out = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            resp = kinesis.get_records(ShardIterator=it, Limit=10000)
            out += [json.loads(r["Data"]) for r in resp["Records"]]
            if resp.get("MillisBehindLatest", 0) == 0 and not resp["Records"]:
                break
            it = resp.get("NextShardIterator")
    return out


source_arn = create_stream("ticks-" + run, 2)
stats_arn = create_stream("ticker-stats-" + run, 1)
alerts_arn = create_stream("ticker-alerts-" + run, 1)

random.seed(11)
tickers = ["AMZN", "INTC", "MSFT", "TBV", "AAPL"]
ticks = [{"TICKER": random.choice(tickers), "PRICE": round(random.uniform(10, 100), 2),
          "CHANGE": round(random.uniform(-5, 5), 2)} for _ in range(600)]

# Schema discovery samples the stream, so put a first batch before asking.
def put(batch):
    resp = kinesis.put_records(StreamName="ticks-" + run, Records=[
        {"Data": json.dumps(t).encode(), "PartitionKey": t["TICKER"]} for t in batch])
    assert resp["FailedRecordCount"] == 0, resp

put(ticks[:200])
schema = ka.discover_input_schema(
    ResourceARN=source_arn, RoleARN=role,
    InputStartingPositionConfiguration={"InputStartingPosition": "TRIM_HORIZON"})["InputSchema"]
print("discovered columns:", ", ".join(c["Name"] + " " + c["SqlType"] for c in schema["RecordColumns"]))

ka.create_application(
    ApplicationName="tickers-" + run,
    ApplicationCode=open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tickers.sql")).read(),
    Inputs=[{"NamePrefix": "SOURCE_SQL_STREAM",
             "KinesisStreamsInput": {"ResourceARN": source_arn, "RoleARN": role},
             "InputSchema": {"RecordFormat": {"RecordFormatType": "JSON",
                                              "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
                             "RecordEncoding": "UTF-8",
                             "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)", "Mapping": "$.TICKER"},
                                               {"Name": "PRICE", "SqlType": "REAL", "Mapping": "$.PRICE"},
                                               {"Name": "CHANGE", "SqlType": "REAL", "Mapping": "$.CHANGE"}]}}],
    Outputs=[{"Name": "DESTINATION_SQL_STREAM",
              "KinesisStreamsOutput": {"ResourceARN": stats_arn, "RoleARN": role},
              "DestinationSchema": {"RecordFormatType": "JSON"}},
             {"Name": "ALERT_STREAM",
              "KinesisStreamsOutput": {"ResourceARN": alerts_arn, "RoleARN": role},
              "DestinationSchema": {"RecordFormatType": "JSON"}}])
ka.start_application(ApplicationName="tickers-" + run, InputConfigurations=[
    {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}])
for _ in range(200):
    status = ka.describe_application(ApplicationName="tickers-" + run)["ApplicationDetail"]["ApplicationStatus"]
    if status == "RUNNING":
        break
    time.sleep(0.05)
print("application status:", status)

for i in range(200, len(ticks), 100):
    put(ticks[i:i + 100])
    time.sleep(0.3)

# Windows close 2 seconds after they open, when time passes their end: wait for every tick to be counted.
want = collections.Counter(t["TICKER"] for t in ticks)
deadline = time.time() + 30
while True:
    stats = read_all("ticker-stats-" + run)
    got = collections.Counter()
    for s in stats:
        got[s["TICKER"]] += s["TRADES"]
    if got == want or time.time() > deadline:
        break
    time.sleep(0.5)
windows = collections.Counter((s["TICKER"], s["WINDOW_START"]) for s in stats)
assert got == want, f"ticks counted per ticker: got {dict(got)}, want {dict(want)}"
assert max(windows.values()) == 1, "a window was reported twice"
alerts = read_all("ticker-alerts-" + run)
assert len(alerts) == sum(1 for t in ticks if abs(t["CHANGE"]) > 4.5), (len(alerts), alerts[:3])
print(f"{len(ticks)} ticks -> {len(stats)} window rows over {len(set(w for _, w in windows))} windows, "
      f"{len(alerts)} alerts; every tick counted once")
for s in sorted(stats, key=lambda s: (s["WINDOW_START"], s["TICKER"]))[:5]:
    print("  ", json.dumps(s))

ka.stop_application(ApplicationName="tickers-" + run)

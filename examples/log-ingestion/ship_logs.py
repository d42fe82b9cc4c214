#!/usr/bin/env python3
"""Log ingestion with Hydrant: ship a web server's access log into a stream and read it back.

A producer batches log lines into PutRecords calls (partitioned by client IP, retrying the records a
PutRecords call reports as failed, as production shippers do), the stream is resharded while data
flows, and a consumer follows every shard from TRIM_HORIZON, parents before children, until it has
read every line. Only the endpoint differs from what you would run against AWS.

Usage: ship_logs.py [ENDPOINT]   (default: $HYDRANT_ENDPOINT or http://127.0.0.1:4567)
"""
import os
import random
import sys
import time
import uuid

import boto3

endpoint = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HYDRANT_ENDPOINT", "http://127.0.0.1:4567")
k = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="example", aws_secret_access_key="example")
stream = "access-log-" + uuid.uuid4().hex[:6]

k.create_stream(StreamName=stream, ShardCount=2)
k.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1})

random.seed(1)
ips = ["10.0.%d.%d" % (random.randrange(256), random.randrange(256)) for _ in range(50)]
paths = ["/", "/login", "/cart", "/checkout", "/search?q=hydrant"]
lines = ['%s - - [22/Nov/2026:10:%02d:%02d +0000] "GET %s HTTP/1.1" 200 %d' %
         (random.choice(ips), i // 60 % 60, i % 60, random.choice(paths), random.randrange(200, 5000))
         for i in range(2000)]


def ship(batch):
    records = [{"Data": line.encode(), "PartitionKey": line.split(" ", 1)[0]} for line in batch]
    while records:
        out = k.put_records(StreamName=stream, Records=records)
        records = [r for r, res in zip(records, out["Records"]) if "ErrorCode" in res]


for i in range(0, 1000, 250):
    ship(lines[i:i + 250])
# Scale out while shipping: the producer does not notice; readers follow the shard lineage.
k.update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
k.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1})
for i in range(1000, 2000, 250):
    ship(lines[i:i + 250])

# Consume: every shard from TRIM_HORIZON, a child only after its parents are finished.
shards = k.list_shards(StreamName=stream)["Shards"]
done, got = set(), []
while len(done) < len(shards):
    for s in shards:
        sid = s["ShardId"]
        parents = [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p]
        if sid in done or any(p not in done for p in parents):
            continue
        it = k.get_shard_iterator(StreamName=stream, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            out = k.get_records(ShardIterator=it, Limit=1000)
            got.extend(r["Data"].decode() for r in out["Records"])
            if not out["Records"] and out["MillisBehindLatest"] == 0 and s["SequenceNumberRange"].get("EndingSequenceNumber") is None:
                break  # an open shard, read to its tip
            it = out.get("NextShardIterator")
        done.add(sid)

assert sorted(got) == sorted(lines), "read %d lines, shipped %d" % (len(got), len(lines))
by_ip = {}
for line in got:
    by_ip.setdefault(line.split(" ", 1)[0], []).append(line)
# Lines of one client IP keep their order: one partition key, one shard at a time, parents first.
for ip, seen in by_ip.items():
    assert seen == [l for l in lines if l.startswith(ip + " ")], "order broken for " + ip
k.delete_stream(StreamName=stream)
print("shipped and read back %d log lines over %d shards, per-client order kept" % (len(got), len(shards)))

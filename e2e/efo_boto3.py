"""Enhanced fan-out with boto3 against hydrant serve: consumers, subscribe_to_shard over HTTP/1.1
(chunked event stream), records pushed while subscribed, reading across a shard split (ChildShards),
and a takeover. Usage: python3 efo_boto3.py http://127.0.0.1:4567
"""
import sys
import time

import boto3
import botocore.exceptions
from botocore.config import Config

endpoint = sys.argv[1]
k = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="x",
                 config=Config(retries={"max_attempts": 0}, read_timeout=30))
name = "efo-%d" % int(time.time() * 1000)


def check(cond, msg):
    if not cond:
        print("FAIL:", msg)
        sys.exit(1)


def wait_stream(status="ACTIVE"):
    for _ in range(200):
        if k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == status:
            return
        time.sleep(0.05)
    check(False, "stream never " + status)


def events(stream, want, stop=None):
    """Reads SubscribeToShardEvents until want records came (or stop(event) is true); returns the
    records and the events."""
    recs, evs = [], []
    for e in stream:
        ev = e["SubscribeToShardEvent"]
        evs.append(ev)
        recs.extend(ev["Records"])
        if len(recs) >= want or (stop and stop(ev)):
            break
    return recs, evs


k.create_stream(StreamName=name, ShardCount=2)
wait_stream()
arn = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]

# Consumers.
c = k.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]
check(c["ConsumerARN"].startswith(arn + "/consumer/app:"), "consumer ARN " + c["ConsumerARN"])
for _ in range(200):
    d = k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
    if d["ConsumerStatus"] == "ACTIVE":
        break
    time.sleep(0.05)
check(d["ConsumerStatus"] == "ACTIVE" and d["StreamARN"] == arn, "consumer %r" % d)
k.register_stream_consumer(StreamARN=arn, ConsumerName="other")
listed = k.list_stream_consumers(StreamARN=arn)["Consumers"]
check([x["ConsumerName"] for x in listed] == ["app", "other"], "listed %r" % listed)
check(k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["ConsumerCount"] == 2, "ConsumerCount")
try:
    k.delete_stream(StreamName=name)
    check(False, "DeleteStream with consumers succeeded")
except botocore.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "ResourceInUseException", "DeleteStream: %s" % e)
consumer = c["ConsumerARN"]

shards = [s["ShardId"] for s in k.list_shards(StreamName=name)["Shards"]]
# ExplicitHashKey 0 routes to the first shard, 2^128-1 to the last.
low, high = "0", str(2 ** 128 - 1)
put = k.put_records(StreamName=name, Records=[
    {"Data": b"before-%d" % i, "PartitionKey": "pk", "ExplicitHashKey": low} for i in range(10)])
check(put["FailedRecordCount"] == 0, "put")

# Subscribe from TRIM_HORIZON: boto3 needs the initial-response first, then reads events.
sub = k.subscribe_to_shard(ConsumerARN=consumer, ShardId=shards[0], StartingPosition={"Type": "TRIM_HORIZON"})
stream = sub["EventStream"]
recs, evs = events(stream, 10)
check([r["Data"] for r in recs] == [b"before-%d" % i for i in range(10)], "first records %r" % recs[:3])
check(evs[-1]["ContinuationSequenceNumber"] == recs[-1]["SequenceNumber"], "continuation")
check(evs[-1]["MillisBehindLatest"] == 0, "MillisBehindLatest %r" % evs[-1]["MillisBehindLatest"])
check(all("ApproximateArrivalTimestamp" in r and r["PartitionKey"] == "pk" for r in recs), "record fields")

# Records written while subscribed are pushed on the open stream.
t0 = time.time()
k.put_records(StreamName=name, Records=[{"Data": b"live", "PartitionKey": "pk", "ExplicitHashKey": low}])
recs, _ = events(stream, 1)
check([r["Data"] for r in recs] == [b"live"], "pushed %r" % recs)
check(time.time() - t0 < 2, "push took %.2fs" % (time.time() - t0))

# Split the shard under the subscription: its last event has ChildShards and no continuation, and the
# stream ends.
k.split_shard(StreamName=name, ShardToSplit=shards[0], NewStartingHashKey=str(2 ** 126))
wait_stream()
_, evs = events(stream, 1 << 30, stop=lambda ev: ev.get("ChildShards"))
last = evs[-1]
children = [c["ShardId"] for c in last.get("ChildShards", [])]
check(len(children) == 2 and "ContinuationSequenceNumber" not in last, "last event %r" % last)
check(all(c["ParentShards"] == [shards[0]] for c in last["ChildShards"]), "parents %r" % last["ChildShards"])
check(next(iter(stream), None) is None, "the stream goes on after ChildShards")

# Read across the split: what is written now goes to the children.
k.put_records(StreamName=name, Records=[
    {"Data": b"after-%d" % i, "PartitionKey": "pk", "ExplicitHashKey": low if i % 2 else str(2 ** 126 + 1)} for i in range(10)])
got = []
for child in children:
    s = k.subscribe_to_shard(ConsumerARN=consumer, ShardId=child, StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
    want = 5
    recs, _ = events(s, want)
    got.extend(r["Data"] for r in recs)
    s.close()
check(sorted(got) == sorted(b"after-%d" % i for i in range(10)), "children read %r" % got)

# Takeover: a second subscription within 5 s is refused; after 5 s it takes over, and the first
# stream ends with ResourceInUseException.
first = k.subscribe_to_shard(ConsumerARN=consumer, ShardId=shards[1], StartingPosition={"Type": "LATEST"})["EventStream"]
events(first, 0)
try:
    k.subscribe_to_shard(ConsumerARN=consumer, ShardId=shards[1], StartingPosition={"Type": "LATEST"})
    check(False, "second subscription within 5 s succeeded")
except botocore.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "ResourceInUseException", "second subscription: %s" % e)
time.sleep(5.1)
second = k.subscribe_to_shard(ConsumerARN=consumer, ShardId=shards[1], StartingPosition={"Type": "LATEST"})["EventStream"]
try:
    events(first, 1 << 30)
    check(False, "the first stream was not ended")
except botocore.exceptions.EventStreamError as e:
    check(e.response["Error"]["Code"] == "ResourceInUseException", "first stream ended with %s" % e)
k.put_records(StreamName=name, Records=[{"Data": b"to-second", "PartitionKey": "pk", "ExplicitHashKey": high}])
recs, _ = events(second, 1)
check([r["Data"] for r in recs] == [b"to-second"], "second got %r" % recs)

# Deregistering ends the consumer's subscriptions.
k.deregister_stream_consumer(ConsumerARN=consumer)
try:
    events(second, 1 << 30)
    check(False, "the stream outlived its consumer")
except botocore.exceptions.EventStreamError as e:
    check(e.response["Error"]["Code"] == "ResourceNotFoundException", "after deregistering: %s" % e)
k.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
print("boto3 enhanced fan-out: ok")

#!/usr/bin/env python3
"""A clickstream into a local data lake on MinIO, through Hydrant's Firehose API.

A delivery stream partitions click events by country (dynamic partitioning with a jq query) and by
day, appends a newline to each event and writes gzip objects to a MinIO bucket. The producer uses
PutRecordBatch and resends only the entries a call reports as failed, as Firehose producers must. The
script then reads the lake back with an S3 client and checks that every event landed exactly once,
under its country's prefix. Only the endpoints differ from what you would run against AWS.

Usage: clickstream.py [HYDRANT_ENDPOINT] [S3_ENDPOINT]
  (defaults: $HYDRANT_ENDPOINT or http://127.0.0.1:4567, $S3_ENDPOINT or http://127.0.0.1:9000;
   S3 credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; `hydrant serve --s3-endpoint`
   must point at the same S3 endpoint, and the bucket `lake` must exist)
"""
import gzip
import json
import os
import random
import sys
import time
import uuid

import boto3

hydrant = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HYDRANT_ENDPOINT", "http://127.0.0.1:4567")
s3_endpoint = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("S3_ENDPOINT", "http://127.0.0.1:9000")
firehose = boto3.client("firehose", endpoint_url=hydrant, region_name="us-east-1")
s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
name = "clicks-" + uuid.uuid4().hex[:6]
prefix = "clicks/" + name + "/"

firehose.create_delivery_stream(
    DeliveryStreamName=name,
    DeliveryStreamType="DirectPut",
    ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::lake",
        "RoleARN": "arn:aws:iam::000000000000:role/firehose",
        "Prefix": prefix + "country=!{partitionKeyFromQuery:country}/!{timestamp:yyyy/MM/dd}/",
        "ErrorOutputPrefix": "errors/" + name + "/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 2},
        "CompressionFormat": "GZIP",
        "DynamicPartitioningConfiguration": {"Enabled": True},
        "ProcessingConfiguration": {"Enabled": True, "Processors": [
            {"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{country: .country}"},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
            {"Type": "AppendDelimiterToRecord", "Parameters": []},
        ]},
    },
)
for _ in range(100):
    if firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE":
        break
    time.sleep(0.1)

random.seed(7)
countries = ["de", "fr", "jp", "us", "br"]
events = [{"id": i, "user": random.randrange(1000), "country": random.choice(countries),
           "page": random.choice(["/", "/cart", "/checkout", "/search"])} for i in range(2000)]
for i in range(0, len(events), 500):
    batch = [{"Data": json.dumps(e).encode()} for e in events[i:i + 500]]
    while batch:
        out = firehose.put_record_batch(DeliveryStreamName=name, Records=batch)
        batch = [r for r, res in zip(batch, out["RequestResponses"]) if "ErrorCode" in res]

# Read the lake: every event once, each under its own country's prefix.
seen = {}
deadline = time.time() + 60
while len(seen) < len(events) and time.time() < deadline:
    time.sleep(1)
    seen = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="lake", Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            country = key[len(prefix):].split("/")[0].removeprefix("country=")
            body = gzip.decompress(s3.get_object(Bucket="lake", Key=key)["Body"].read())
            for line in body.decode().splitlines():
                e = json.loads(line)
                assert e["country"] == country, (key, e)
                assert e["id"] not in seen, "event %d delivered twice" % e["id"]
                seen[e["id"]] = key
assert len(seen) == len(events), "%d of %d events in the lake" % (len(seen), len(events))
objects = set(seen.values())
print("%d events in %d gzip objects under %s, one country each" % (len(seen), len(objects), prefix))
firehose.delete_delivery_stream(DeliveryStreamName=name)

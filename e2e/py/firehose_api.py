#!/usr/bin/env python3
"""boto3's Firehose client against hydrant serve: the control plane and PutRecordBatch.

Usage: firehose_api.py ENDPOINT NAME
Creates delivery stream NAME, puts 10 records in two batches and prints their RecordIds, one a line,
after the line "record ids:"; checks describe, list, update, tags, encryption and the errors boto3
users catch. Exits non-zero on any surprise.
"""
import sys

import boto3
import botocore.config

endpoint, name = sys.argv[1:3]
fh = boto3.client("firehose", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                  config=botocore.config.Config(retries={"max_attempts": 0}))


def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)
    print("ok:", what)


arn = fh.create_delivery_stream(
    DeliveryStreamName=name,
    DeliveryStreamType="DirectPut",
    ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::lake", "RoleARN": "arn:aws:iam::000000000000:role/firehose",
        "Prefix": "boto/!{timestamp:yyyy/MM/dd}/", "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}, "CompressionFormat": "GZIP"},
    Tags=[{"Key": "team", "Value": "data"}])["DeliveryStreamARN"]
check(arn == "arn:aws:firehose:us-east-1:000000000000:deliverystream/" + name, "create_delivery_stream returns the ARN")

d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
check(d["DeliveryStreamStatus"] == "ACTIVE" and d["VersionId"] == "1", "describe: ACTIVE, version 1")
dest = d["Destinations"][0]
check(dest["DestinationId"] == "destinationId-000000000001", "destination id")
check(dest["ExtendedS3DestinationDescription"]["CompressionFormat"] == "GZIP", "extended S3 description")
check(dest["S3DestinationDescription"]["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 60}, "S3 description")
check(name in fh.list_delivery_streams()["DeliveryStreamNames"], "list_delivery_streams")

ids = []
for b in range(2):
    r = fh.put_record_batch(DeliveryStreamName=name,
                            Records=[{"Data": ("batch %d record %d\n" % (b, i)).encode()} for i in range(5)])
    check(r["FailedPutCount"] == 0 and len(r["RequestResponses"]) == 5, "put_record_batch %d" % b)
    ids += [e["RecordId"] for e in r["RequestResponses"]]
check(ids == sorted(ids, key=int) and len(set(ids)) == 10, "record ids increase")

fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                      DestinationId="destinationId-000000000001",
                      ExtendedS3DestinationUpdate={"CompressionFormat": "Snappy"})
d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
check(d["VersionId"] == "2" and ext["CompressionFormat"] == "Snappy" and ext["Prefix"] == "boto/!{timestamp:yyyy/MM/dd}/",
      "update_destination merges")
try:
    fh.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                          DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={})
    sys.exit("FAILED: a stale version id was accepted")
except fh.exceptions.ConcurrentModificationException as e:
    check("do not match" in str(e), "a stale version id: ConcurrentModificationException")

fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "env", "Value": "test"}])
tags = fh.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
check([t["Key"] for t in tags] == ["env", "team"], "tags")
fh.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["env"])

fh.start_delivery_stream_encryption(DeliveryStreamName=name,
                                    DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
r = fh.put_record(DeliveryStreamName=name, Record={"Data": b"encrypted\n"})
check(r["Encrypted"] is True, "put_record reports encryption")
ids.append(r["RecordId"])
fh.stop_delivery_stream_encryption(DeliveryStreamName=name)

try:
    fh.put_record(DeliveryStreamName="no-such-stream", Record={"Data": b"x"})
    sys.exit("FAILED: put_record to a missing delivery stream")
except fh.exceptions.ResourceNotFoundException as e:
    check("not found" in str(e), "a missing delivery stream: ResourceNotFoundException")
try:
    fh.create_delivery_stream(DeliveryStreamName="bad", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::lake", "RoleARN": "arn:aws:iam::000000000000:role/firehose", "Prefix": "!{timestamp:yyyy}/"})
    sys.exit("FAILED: an expression prefix without ErrorOutputPrefix")
except fh.exceptions.InvalidArgumentException as e:
    check("ErrorOutputPrefix cannot be null or empty" in str(e), "prefix validation: InvalidArgumentException")

print("record ids:")
for i in ids:
    print(i)

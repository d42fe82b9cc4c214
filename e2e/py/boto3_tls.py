#!/usr/bin/env python3
"""boto3 against hydrant serve over HTTPS, trusting only the server's certificate.

Usage: boto3_tls.py ENDPOINT CA_FILE STREAM_NAME
Checks that an untrusted client is refused, then creates STREAM_NAME, puts a record and reads it back.
"""
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

endpoint, ca_file, stream = sys.argv[1:4]


def client(verify):
    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", verify=verify,
                        config=botocore.config.Config(retries={"max_attempts": 0}))


print("-- a client that does not trust the certificate is refused")
try:
    client(True).list_streams()
    sys.exit("list_streams succeeded without trusting the certificate")
except botocore.exceptions.SSLError as e:
    print("refused:", str(e)[:120])

print("-- create_stream, put_record, get_records with verify=" + ca_file)
kinesis = client(ca_file)
kinesis.create_stream(StreamName=stream, ShardCount=1)
for _ in range(300):
    if kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
        break
    time.sleep(0.02)
else:
    sys.exit("stream never ACTIVE")
put = kinesis.put_record(StreamName=stream, Data=b"over https", PartitionKey="k")
it = kinesis.get_shard_iterator(StreamName=stream, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
records = kinesis.get_records(ShardIterator=it)["Records"]
if [r["Data"] for r in records] != [b"over https"]:
    sys.exit("get_records returned %r" % records)
print("ok: read back", records[0]["SequenceNumber"])

#!/usr/bin/env python3
"""A Kinesis Data Analytics application between two Firehose delivery streams (e2e/analytics_test.go).

The input is a DirectPut delivery stream of CSV records; the application joins them with a reference
table (a CSV object in the local-files S3 default, <data-dir>/s3/ref/companies.csv), writes the joined rows
as JSON into a second DirectPut delivery stream, which delivers them as objects under
<data-dir>/s3/out/, and sends unparsable records to error_stream, routed to a Kinesis stream.

Usage: analytics_firehose.py ENDPOINT DATA_DIR
"""
import glob
import json
import os
import sys
import time

T0 = time.time()
def mark(what):
    print(f"{time.time() - T0:6.2f}s {what}", file=sys.stderr)

import boto3

os.environ.setdefault("AWS_ACCESS_KEY_ID", "example")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "example")
endpoint, data_dir = sys.argv[1], sys.argv[2]
fh = boto3.client("firehose", endpoint_url=endpoint, region_name="us-east-1")
kinesis = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1")
ka = boto3.client("kinesisanalytics", endpoint_url=endpoint, region_name="us-east-1")
role = "arn:aws:iam::000000000000:role/ka"

os.makedirs(os.path.join(data_dir, "s3", "ref"), exist_ok=True)
with open(os.path.join(data_dir, "s3", "ref", "companies.csv"), "w") as f:
    f.write("AMZN,Amazon\nINTC,Intel\nMSFT,Microsoft\n")

for name, prefix in (("ticks-in", "in/"), ("ticks-out", "joined/")):
    fh.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                              ExtendedS3DestinationConfiguration={
                                  "BucketARN": "arn:aws:s3:::out", "RoleARN": role, "Prefix": prefix,
                                  "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}})
mark("delivery streams")
kinesis.create_stream(StreamName="ka-errors", ShardCount=1)
kinesis.get_waiter("stream_exists").wait(StreamName="ka-errors", WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
for _ in range(100):
    if all(fh.describe_delivery_stream(DeliveryStreamName=n)["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"
           for n in ("ticks-in", "ticks-out")):
        break
    time.sleep(0.1)
arn = lambda n: fh.describe_delivery_stream(DeliveryStreamName=n)["DeliveryStreamDescription"]["DeliveryStreamARN"]
errors_arn = kinesis.describe_stream_summary(StreamName="ka-errors")["StreamDescriptionSummary"]["StreamARN"]

code = """
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(32), price REAL);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM s."TICKER", c."NAME", s."PRICE"
FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "COMPANIES" AS c ON s."TICKER" = c."TICKER";
"""
ka.create_application(
    ApplicationName="fh-app", ApplicationCode=code,
    Inputs=[{"NamePrefix": "SOURCE_SQL_STREAM",
             "KinesisFirehoseInput": {"ResourceARN": arn("ticks-in"), "RoleARN": role},
             "InputSchema": {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
                 "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
                 "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)"},
                                   {"Name": "PRICE", "SqlType": "REAL"}]}}],
    Outputs=[{"Name": "DESTINATION_SQL_STREAM",
              "KinesisFirehoseOutput": {"ResourceARN": arn("ticks-out"), "RoleARN": role},
              "DestinationSchema": {"RecordFormatType": "JSON"}},
             {"Name": "error_stream",
              "KinesisStreamsOutput": {"ResourceARN": errors_arn, "RoleARN": role},
              "DestinationSchema": {"RecordFormatType": "JSON"}}])
ka.add_application_reference_data_source(
    ApplicationName="fh-app", CurrentApplicationVersionId=1,
    ReferenceDataSource={
        "TableName": "COMPANIES",
        "S3ReferenceDataSource": {"BucketARN": "arn:aws:s3:::ref", "FileKey": "companies.csv", "ReferenceRoleARN": role},
        "ReferenceSchema": {"RecordFormat": {"RecordFormatType": "CSV", "MappingParameters": {
            "CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}}},
            "RecordColumns": [{"Name": "TICKER", "SqlType": "VARCHAR(4)"}, {"Name": "NAME", "SqlType": "VARCHAR(32)"}]}})
ka.start_application(ApplicationName="fh-app", InputConfigurations=[
    {"Id": "1.1", "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}])
for _ in range(200):
    if ka.describe_application(ApplicationName="fh-app")["ApplicationDetail"]["ApplicationStatus"] == "RUNNING":
        break
    time.sleep(0.05)

mark("running")
records = [b"AMZN,10.5\n", b"INTC,20.25\n", b"TBV,3.0\n", b"MSFT,not-a-price\n", b"MSFT,40.0\n"]
resp = fh.put_record_batch(DeliveryStreamName="ticks-in", Records=[{"Data": r} for r in records])
assert resp["FailedPutCount"] == 0, resp

want = [{"TICKER": "AMZN", "COMPANY": "Amazon", "PRICE": 10.5}, {"TICKER": "INTC", "COMPANY": "Intel", "PRICE": 20.25},
        {"TICKER": "TBV", "COMPANY": None, "PRICE": 3.0}, {"TICKER": "MSFT", "COMPANY": "Microsoft", "PRICE": 40.0}]
deadline = time.time() + 30
while True:
    rows = []
    for path in sorted(glob.glob(os.path.join(data_dir, "s3", "out", "joined", "**", "*"), recursive=True)):
        if os.path.isfile(path):
            text = open(path).read()
            dec = json.JSONDecoder()
            i = 0
            while i < len(text):
                while i < len(text) and text[i].isspace():
                    i += 1
                if i >= len(text):
                    break
                obj, i = dec.raw_decode(text, i)
                rows.append(obj)
    if len(rows) >= len(want) or time.time() > deadline:
        break
    time.sleep(0.3)
mark("delivered")
assert rows == want, f"delivered rows {rows}, want {want}"

shard = kinesis.list_shards(StreamName="ka-errors")["Shards"][0]["ShardId"]
it = kinesis.get_shard_iterator(StreamName="ka-errors", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
errs = []
deadline = time.time() + 10
while not errs and time.time() < deadline:
    resp = kinesis.get_records(ShardIterator=it)
    errs += [json.loads(r["Data"]) for r in resp["Records"]]
    it = resp["NextShardIterator"]
    time.sleep(0.2)
assert len(errs) == 1 and "not-a-price" in json.dumps(errs[0]), errs
print(f"{len(rows)} joined rows delivered by Firehose, 1 error_stream row: {json.dumps(errs[0])[:160]}")

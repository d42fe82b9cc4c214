#!/usr/bin/env python3
"""The README's Firehose flow with boto3, against hydrant serve delivering to an S3 endpoint (MinIO).

Usage: firehose_lake.py HYDRANT_ENDPOINT S3_ENDPOINT
Creates delivery stream "lake-clicks" (the README's configuration with a 1 s interval), puts records
with put_record_batch, reads the objects back with boto3's S3 client and python's gzip module (key
shape, Content-Encoding, content), switches the destination to ZIP with update_destination (version 2
in the new keys, read with zipfile), then one delivery stream per compression format, whose objects
carry Firehose's extension and Content-Encoding (ZSTD: Hydrant's); the ones python's standard library
reads are read. Deletes the delivery streams. S3 credentials from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY; the bucket "lake" must exist. Exits non-zero on any surprise.
"""
import datetime
import gzip
import io
import re
import sys
import time
import zipfile

import boto3
import botocore.config

hydrant, s3_endpoint = sys.argv[1:3]
cfg = botocore.config.Config(retries={"max_attempts": 0})
fh = boto3.client("firehose", endpoint_url=hydrant, region_name="us-east-1", config=cfg)
s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", config=cfg)
DEST = {"BucketARN": "arn:aws:s3:::lake", "RoleARN": "arn:aws:iam::000000000000:role/firehose"}


def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)
    print("ok:", what)


def put(name, lines):
    r = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": (l + "\n").encode()} for l in lines])
    check(r["FailedPutCount"] == 0 and len(r["RequestResponses"]) == len(lines), "put_record_batch to %s" % name)


def wait_objects(prefix, pattern):
    """Returns the keys under prefix once one matches pattern (and fails if one does not)."""
    deadline = time.time() + 20
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix=prefix).get("Contents", [])]
        for k in keys:
            if not re.fullmatch(pattern, k):
                sys.exit("FAILED: object %s does not match %s" % (k, pattern))
        if keys:
            return sorted(keys)
        if time.time() > deadline:
            sys.exit("FAILED: no object under " + prefix)
        time.sleep(0.3)


def get(key):
    o = s3.get_object(Bucket="lake", Key=key)
    return o.get("ContentEncoding"), o["Body"].read()


def unzip(body):
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        entries = z.infolist()
        check(len(entries) == 1 and z.testzip() is None, "one entry, CRC good")
        return z.read(entries[0])


def lines(n0, n1):
    return ['{"click":%d}' % i for i in range(n0, n1)]


# The formats' delivery streams first, so that they deliver while the flow below runs.
FORMATS = {"UNCOMPRESSED": ("", None), "GZIP": (".gz", "gzip"), "ZIP": (".zip", "zip"),
           "Snappy": (".snappy", "snappy-java"), "HADOOP_SNAPPY": (".snappy", "hadoop-snappy"), "ZSTD": (".zst", "zstd")}
for f in FORMATS:
    fh.create_delivery_stream(DeliveryStreamName="lake-" + f.lower().replace("_", "-"), ExtendedS3DestinationConfiguration=dict(
        DEST, Prefix="boto-codecs/%s/" % f, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1}, CompressionFormat=f))
    put("lake-" + f.lower().replace("_", "-"), lines(0, 200))

day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y/%m/%d")
fh.create_delivery_stream(DeliveryStreamName="lake-clicks", DeliveryStreamType="DirectPut",
                          ExtendedS3DestinationConfiguration=dict(
                              DEST, Prefix="boto/!{timestamp:yyyy/MM/dd}/", ErrorOutputPrefix="boto-errors/!{firehose:error-output-type}/",
                              BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1}, CompressionFormat="GZIP"))
d = fh.describe_delivery_stream(DeliveryStreamName="lake-clicks")["DeliveryStreamDescription"]
check(d["DeliveryStreamStatus"] == "ACTIVE" and d["VersionId"] == "1", "describe_delivery_stream: ACTIVE, version 1")
put("lake-clicks", lines(0, 100))
shape = r"boto/\d{4}/\d{2}/\d{2}/lake-clicks-%d-\d{4}(-\d{2}){5}-[0-9a-f-]+\%s"
keys = wait_objects("boto/", shape % (1, ".gz"))
check(len(keys) == 1 and keys[0].startswith("boto/" + day + "/"), "one object under boto/%s/: %s" % (day, keys))
enc, body = get(keys[0])
check(enc == "gzip", "Content-Encoding gzip")
check(gzip.decompress(body).decode().splitlines() == lines(0, 100), "gzip.decompress reads every record in order")

fh.update_destination(DeliveryStreamName="lake-clicks", CurrentDeliveryStreamVersionId="1",
                      DestinationId=d["Destinations"][0]["DestinationId"], ExtendedS3DestinationUpdate={"CompressionFormat": "ZIP"})
d = fh.describe_delivery_stream(DeliveryStreamName="lake-clicks")["DeliveryStreamDescription"]
ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
check(d["VersionId"] == "2" and ext["CompressionFormat"] == "ZIP" and ext["Prefix"] == "boto/!{timestamp:yyyy/MM/dd}/",
      "update_destination merges and bumps the version")
put("lake-clicks", lines(100, 150))
deadline = time.time() + 20
while True:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="boto/").get("Contents", [])]
    v2 = [k for k in keys if re.fullmatch(shape % (2, ".zip"), k)]
    if v2 or time.time() > deadline:
        break
    time.sleep(0.3)
check(len(v2) == 1 and len(keys) == 2, "one version-2 .zip object: %s" % keys)
enc, body = get(v2[0])
check(enc == "zip" and unzip(body).decode().splitlines() == lines(100, 150), "zipfile reads the version-2 object")

for f, (ext, encoding) in FORMATS.items():
    name = "lake-" + f.lower().replace("_", "-")
    pattern = r"boto-codecs/%s/\d{4}/\d{2}/\d{2}/\d{2}/%s-1-\d{4}(-\d{2}){5}-[0-9a-f-]+%s" % (f, name, re.escape(ext))
    keys = wait_objects("boto-codecs/%s/" % f, pattern)
    got = []
    for k in keys:
        enc, body = get(k)
        check(enc == encoding, "%s: Content-Encoding %s" % (k, enc))
        if f == "UNCOMPRESSED":
            got += body.decode().splitlines()
        elif f == "GZIP":
            got += gzip.decompress(body).decode().splitlines()
        elif f == "ZIP":
            got += unzip(body).decode().splitlines()
        else:
            got = None  # not readable with the standard library: sh/firehose_cli.sh reads them
            break
    if got is not None:
        check(sorted(got) == sorted(lines(0, 200)), "%s: python's standard library reads every record once" % f)
    fh.delete_delivery_stream(DeliveryStreamName=name)

fh.delete_delivery_stream(DeliveryStreamName="lake-clicks")
try:
    fh.describe_delivery_stream(DeliveryStreamName="lake-clicks")
    sys.exit("FAILED: describe after delete")
except fh.exceptions.ResourceNotFoundException:
    pass
check(not [n for n in fh.list_delivery_streams()["DeliveryStreamNames"] if n.startswith("lake-")], "every delivery stream deleted")
print("all ok")

// The AWS SDK for JavaScript v3 against hydrant serve: it speaks HTTP/2 (h2c, prior knowledge) to
// Kinesis for every call. Usage: node kinesis_h2c.mjs http://127.0.0.1:4567
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, PutRecordCommand,
  ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, DeleteStreamCommand,
} from "@aws-sdk/client-kinesis";

const endpoint = process.argv[2];
const client = new KinesisClient({
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const name = "js-" + Math.random().toString(36).slice(2, 10);
const assert = (c, msg) => { if (!c) { console.error("FAIL:", msg); process.exit(1); } };

await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
for (let i = 0; i < 100; i++) {
  const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  if (d.StreamDescriptionSummary.StreamStatus === "ACTIVE") break;
  await new Promise((r) => setTimeout(r, 50));
}
const enc = new TextEncoder();
const records = [];
for (let i = 0; i < 100; i++) records.push({ Data: enc.encode(`record-${i}`), PartitionKey: `pk-${i % 10}` });
const put = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
assert(put.FailedRecordCount === 0, "PutRecords failures: " + put.FailedRecordCount);
assert(put.Records.length === 100 && put.Records.every((r) => r.SequenceNumber && r.ShardId), "PutRecords results");
const one = await client.send(new PutRecordCommand({ StreamName: name, Data: enc.encode("single"), PartitionKey: "pk-0" }));
assert(one.SequenceNumber && one.ShardId, "PutRecord result");

const shards = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards;
assert(shards.length === 2, "ListShards: " + shards.length);
const dec = new TextDecoder();
const got = [];
for (const s of shards) {
  const it = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: s.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
  const out = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 10000 }));
  assert(out.NextShardIterator, "NextShardIterator");
  assert(out.MillisBehindLatest === 0, "MillisBehindLatest " + out.MillisBehindLatest);
  for (const r of out.Records) {
    assert(r.ApproximateArrivalTimestamp instanceof Date, "ApproximateArrivalTimestamp is a Date");
    got.push(dec.decode(r.Data));
  }
}
assert(got.length === 101, "read back " + got.length + " records");
for (let i = 0; i < 100; i++) assert(got.includes(`record-${i}`), `record-${i} missing`);
assert(got.includes("single"), "single missing");

let notFound = false;
try { await client.send(new DescribeStreamSummaryCommand({ StreamName: name + "-nope" })); }
catch (e) { notFound = e.name === "ResourceNotFoundException"; }
assert(notFound, "ResourceNotFoundException for a missing stream");

await client.send(new DeleteStreamCommand({ StreamName: name }));
client.destroy();
console.log("JS SDK v3 over h2c: ok");

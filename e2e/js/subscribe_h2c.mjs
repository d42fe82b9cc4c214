// Enhanced fan-out with the AWS SDK for JavaScript v3 against hydrant serve, over HTTP/2 with prior
// knowledge (h2c), as the SDK speaks to http:// endpoints: RegisterStreamConsumer, then
// SubscribeToShard, reading what was written before and what is written while subscribed.
// Usage: node subscribe_h2c.mjs http://127.0.0.1:4567
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand, ListStreamConsumersCommand, PutRecordsCommand, SubscribeToShardCommand,
  DeregisterStreamConsumerCommand, DeleteStreamCommand,
} from "@aws-sdk/client-kinesis";

const endpoint = process.argv[2];
const client = new KinesisClient({
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});
const name = "jsefo-" + Math.random().toString(36).slice(2, 10);
const assert = (c, msg) => { if (!c) { console.error("FAIL:", msg); process.exit(1); } };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
let summary;
for (let i = 0; i < 100; i++) {
  summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
  if (summary.StreamStatus === "ACTIVE") break;
  await sleep(50);
}
const streamARN = summary.StreamARN;
const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: "js-app" }));
const consumerARN = reg.Consumer.ConsumerARN;
assert(consumerARN.startsWith(streamARN + "/consumer/js-app:"), "ConsumerARN " + consumerARN);
assert(reg.Consumer.ConsumerCreationTimestamp instanceof Date, "ConsumerCreationTimestamp is a Date");
for (let i = 0; i < 100; i++) {
  const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerARN }));
  if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
  await sleep(50);
}
const listed = await client.send(new ListStreamConsumersCommand({ StreamARN: streamARN }));
assert(listed.Consumers.length === 1 && listed.Consumers[0].ConsumerARN === consumerARN, "ListStreamConsumers");

const enc = new TextEncoder();
const dec = new TextDecoder();
const put = async (prefix, n) => {
  const records = [];
  for (let i = 0; i < n; i++) records.push({ Data: enc.encode(`${prefix}-${i}`), PartitionKey: `pk-${i}` });
  const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
  assert(out.FailedRecordCount === 0, "PutRecords failures");
  return out.Records;
};
await put("before", 50);

const sub = await client.send(new SubscribeToShardCommand({
  ConsumerARN: consumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" },
}));
const got = [];
let events = 0;
let lastContinuation;
let live;
for await (const ev of sub.EventStream) {
  assert(ev.SubscribeToShardEvent, "unexpected event " + JSON.stringify(Object.keys(ev)));
  const e = ev.SubscribeToShardEvent;
  events++;
  assert(typeof e.ContinuationSequenceNumber === "string" && e.MillisBehindLatest === 0, "event fields " + JSON.stringify(e));
  for (const r of e.Records) {
    assert(r.ApproximateArrivalTimestamp instanceof Date && r.SequenceNumber, "record fields");
    got.push(dec.decode(r.Data));
  }
  lastContinuation = e.ContinuationSequenceNumber;
  if (got.length === 50 && !live) {
    // Written while subscribed: pushed on the open stream.
    live = await put("live", 5);
  }
  if (got.length === 55) break;
}
assert(got.slice(0, 50).every((d, i) => d === `before-${i}`), "records before, in order");
assert(got.slice(50).every((d, i) => d === `live-${i}`), "records written while subscribed");
assert(lastContinuation === live[4].SequenceNumber, "ContinuationSequenceNumber is the last record's");

await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerARN }));
await client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
client.destroy();
console.log(`JS SDK v3 SubscribeToShard over h2c: ok (${got.length} records in ${events} events)`);

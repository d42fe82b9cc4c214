package ingest

import (
	"encoding/base64"
	"fmt"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"strings"
	"testing"
)

// Validation and serialization errors are raw-HTTP checks: botocore validates only required members,
// types and minimums client-side, so maximums, patterns and enums are the server's to word. Expected
// texts follow Coral's as kinesalite's tests (run against AWS) pin them.

func TestValidationMessages(t *testing.T) {
	s := newTestServer(t)
	name129 := strings.Repeat("a", 129)
	name257 := strings.Repeat("a", 257)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	null := func(path string) string {
		return "Value null at '" + path + "' failed to satisfy constraint: Member must not be null"
	}
	val := func(v, path, constraint string) string {
		return "Value '" + v + "' at '" + path + "' failed to satisfy constraint: " + constraint
	}
	const (
		namePattern = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
		minLen1     = "Member must have length greater than or equal to 1"
		maxLen128   = "Member must have length less than or equal to 128"
	)
	msg := func(errs ...string) string {
		plural := "s"
		if len(errs) == 1 {
			plural = ""
		}
		return fmt.Sprintf("%d validation error%s detected: %s", len(errs), plural, strings.Join(errs, "; "))
	}

	records501 := make([]string, 501)
	for i := range records501 {
		records501[i] = `{"PartitionKey":"","Data":""}`
	}
	entryStr := "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@"
	bigData := base64.StdEncoding.EncodeToString(make([]byte, 10485761))

	for _, tc := range []struct {
		op, body string
		want     string // ValidationException message; "prefix:" compares a prefix
	}{
		{"CreateStream", `{}`, msg(null("streamName"))},
		{"CreateStream", `{"StreamName":"","ShardCount":0}`, msg(
			val("", "streamName", namePattern), val("", "streamName", minLen1),
			val("0", "shardCount", "Member must have value greater than or equal to 1"))},
		{"CreateStream", `{"StreamName":"` + name129 + `","ShardCount":100000000000}`, msg(val(name129, "streamName", maxLen128))},
		{"CreateStream", `{"StreamName":"s","StreamModeDetails":{}}`, msg(null("streamModeDetails.streamMode"))},
		{"CreateStream", `{"StreamName":"s","StreamModeDetails":{"StreamMode":"FAST"}}`, msg(
			val("FAST", "streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"))},
		{"CreateStream", `{"StreamName":"s","ShardCount":1,"MaxRecordSizeInKiB":1023}`, msg(
			val("1023", "maxRecordSizeInKiB", "Member must have value greater than or equal to 1024"))},
		{"CreateStream", `{"StreamName":"s","ShardCount":1,"Tags":{}}`, msg(val("{}", "tags", minLen1))},
		{"CreateStream", `{"StreamName":"s","ShardCount":1,"Tags":{"":"v","k":"` + name257 + `"}}`, msg(
			val("{=v, k="+name257+"}", "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"),
			val("{=v, k="+name257+"}", "tags", "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"))},
		{"PutRecords", `{}`, msg(null("records"))},
		{"PutRecords", `{"StreamName":"","Records":[]}`, msg(
			val("[]", "records", minLen1), val("", "streamName", namePattern), val("", "streamName", minLen1))},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]}`, msg(
			val("", "records.1.member.explicitHashKey", "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"),
			val("", "records.1.member.partitionKey", minLen1))},
		{"PutRecords", `{"StreamName":"` + name129 + `","Records":[{"PartitionKey":"` + name257 + `","Data":"` + bigData + `"}]}`, msg(
			val("java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]", "records.1.member.data", "Member must have length less than or equal to 10485760"),
			val(name257, "records.1.member.partitionKey", "Member must have length less than or equal to 256"),
			val(name129, "streamName", maxLen128))},
		{"PutRecords", `{"StreamName":"s","Records":[null]}`, msg(null("records.1.member"))},
		{"PutRecords", `{"StreamName":"s","Records":[{}]}`, msg(null("records.1.member.data"), null("records.1.member.partitionKey"))},
		// At most ten failures are reported; the list's own constraint comes before its items'.
		{"PutRecords", `{"StreamName":"","Records":[` + strings.Join(records501, ",") + `]}`,
			"prefix:10 validation errors detected: Value '[" + entryStr},
		{"PutRecords", `{"StreamARN":"arn:aws:kinesis:us-east-1:0:stream/s","Records":[{"PartitionKey":"k","Data":""}]}`, msg(
			val("arn:aws:kinesis:us-east-1:0:stream/s", "streamARN", `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`))},
		{"PutRecords", `{"StreamName":"s","StreamId":"abc","Records":[{"PartitionKey":"k","Data":""}]}`, msg(
			val("abc", "streamId", "Member must satisfy regular expression pattern: [a-z0-9]{20}-[a-z0-9]{3}"))},
		{"PutRecord", `{"StreamName":"s"}`, msg(null("data"), null("partitionKey"))},
		{"PutRecord", `{"StreamName":"s","Data":"","PartitionKey":"k","SequenceNumberForOrdering":"01"}`, msg(
			val("01", "sequenceNumberForOrdering", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`))},
		{"GetShardIterator", `{}`, msg(null("shardId"), null("shardIteratorType"))},
		{"GetShardIterator", `{"StreamName":"","ShardIteratorType":"","ShardId":"","StartingSequenceNumber":""}`, msg(
			val("", "streamName", namePattern), val("", "streamName", minLen1),
			val("", "shardId", namePattern), val("", "shardId", minLen1),
			val("", "shardIteratorType", "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]"),
			val("", "startingSequenceNumber", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`))},
		{"GetRecords", `{"ShardIterator":"","Limit":10001}`, msg(
			val("", "shardIterator", minLen1), val("10001", "limit", "Member must have value less than or equal to 10000"))},
		{"GetRecords", `{"ShardIterator":"` + strings.Repeat("A", 513) + `"}`, msg(
			val(strings.Repeat("A", 513), "shardIterator", "Member must have length less than or equal to 512"))},
		{"DescribeStream", `{"StreamName":"s","Limit":0,"ExclusiveStartShardId":"` + name129 + `"}`, msg(
			val("0", "limit", "Member must have value greater than or equal to 1"), val(name129, "exclusiveStartShardId", maxLen128))},
		{"ListStreams", `{"Limit":0,"NextToken":""}`, msg(
			val("0", "limit", "Member must have value greater than or equal to 1"), val("", "nextToken", minLen1))},
		{"ListShards", `{"StreamName":"s","MaxResults":10001,"ShardFilter":{"Type":"SOME"}}`, msg(
			val("10001", "maxResults", "Member must have value less than or equal to 10000"),
			val("SOME", "shardFilter.type", "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"))},
		{"ListTagsForStream", `{"StreamName":"","ExclusiveStartTagKey":"","Limit":0}`, msg(
			val("", "streamName", namePattern), val("", "streamName", minLen1),
			val("", "exclusiveStartTagKey", minLen1), val("0", "limit", "Member must have value greater than or equal to 1"))},
		{"ListTagsForStream", `{"StreamName":"s","Limit":51}`, msg(val("51", "limit", "Member must have value less than or equal to 50"))},
		{"AddTagsToStream", `{"StreamName":"s"}`, msg(null("tags"))},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["a",""]}`, msg(
			val("[a, ]", "tagKeys", "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"))},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":[]}`, msg(val("[]", "tagKeys", minLen1))},
		{"EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["IncomingBytes","Bytes"]}`, msg(
			val("[IncomingBytes, Bytes]", "shardLevelMetrics", "Member must satisfy constraint: [Member must satisfy enum value set: "+
				"[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, "+
				"ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]"))},
		{"UpdateShardCount", `{"StreamName":"s","TargetShardCount":0,"ScalingType":"X"}`, msg(
			val("0", "targetShardCount", "Member must have value greater than or equal to 1"),
			val("X", "scalingType", "Member must satisfy enum value set: [UNIFORM_SCALING]"))},
		{"SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":"-1"}`, msg(
			val("-1", "newStartingHashKey", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`))},
		{"MergeShards", `{"StreamName":"s"}`, msg(null("shardToMerge"), null("adjacentShardToMerge"))},
		{"StartStreamEncryption", `{"StreamName":"s","EncryptionType":"AES","KeyId":""}`, msg(
			val("AES", "encryptionType", "Member must satisfy enum value set: [NONE, KMS]"), val("", "keyId", minLen1))},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s"}`, msg(null("retentionPeriodHours"))},
		{"UpdateStreamMode", `{"StreamARN":"` + arn + `"}`, msg(null("streamModeDetails"))},
		{"UpdateMaxRecordSize", `{"StreamARN":"` + arn + `","MaxRecordSizeInKiB":10241}`, msg(
			val("10241", "maxRecordSizeInKiB", "Member must have value less than or equal to 10240"))},
		{"UpdateStreamWarmThroughput", `{"StreamName":"s","WarmThroughputMiBps":-1}`, msg(
			val("-1", "warmThroughputMiBps", "Member must have value greater than or equal to 0"))},
		{"UpdateAccountSettings", `{"MinimumThroughputBillingCommitment":{"Status":"MAYBE"}}`, msg(
			val("MAYBE", "minimumThroughputBillingCommitment.status", "Member must satisfy enum value set: [ENABLED, DISABLED]"))},
		{"TagResource", `{"ResourceARN":"arn:aws:s3:::bucket","Tags":{"a":"b"}}`, msg(
			val("arn:aws:s3:::bucket", "resourceARN", `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`))},
		{"PutResourcePolicy", `{"ResourceARN":"` + arn + `"}`, msg(null("policy"))},
		{"SubscribeToShard", `{"ConsumerARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1","ShardId":"shardId-0","StartingPosition":{}}`,
			msg(null("startingPosition.type"))},
	} {
		t.Run(tc.op, func(t *testing.T) {
			w := serve(s, request(tc.op, tc.body))
			code, m := decodeError(t, w.Body.Bytes())
			if w.Code != 400 || code != "ValidationException" {
				t.Fatalf("got %d %s %s", w.Code, code, trunc(m))
			}
			if p, ok := strings.CutPrefix(tc.want, "prefix:"); ok {
				if !strings.HasPrefix(m, p) {
					t.Errorf("got  %s\nwant prefix %s", trunc(m), p)
				}
				return
			}
			if m != tc.want {
				t.Errorf("got  %s\nwant %s", trunc(m), trunc(tc.want))
			}
		})
	}
}

// The 501-record case in full: the list, then nine items, then nothing more.
func TestValidationStopsAtTen(t *testing.T) {
	s := newTestServer(t)
	recs := make([]string, 501)
	for i := range recs {
		recs[i] = `{"PartitionKey":"","Data":""}`
	}
	w := serve(s, request("PutRecords", `{"StreamName":"","Records":[`+strings.Join(recs, ",")+`]}`))
	_, m := decodeError(t, w.Body.Bytes())
	parts := strings.Split(m, "; ")
	if len(parts) != 10 {
		t.Fatalf("%d failures reported", len(parts))
	}
	if !strings.HasSuffix(parts[0], "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") {
		t.Errorf("first: %s", trunc(parts[0]))
	}
	for i, p := range parts[1:] {
		want := fmt.Sprintf("Value '' at 'records.%d.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		if p != want {
			t.Errorf("failure %d: %s", i+2, p)
		}
	}
}

func TestSerializationMessages(t *testing.T) {
	s := newTestServer(t)
	const (
		number = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
		list   = "Start of list found where not expected"
		object = "Start of structure or map found where not expected."
	)
	for _, tc := range []struct {
		op, body, want string
	}{
		{"DescribeStream", `{"StreamName":true}`, "class java.lang.Boolean can not be converted to an String"},
		{"DescribeStream", `{"StreamName":23}`, number + " can not be converted to an String"},
		{"DescribeStream", `{"StreamName":34.56}`, number + " can not be converted to an String"},
		{"DescribeStream", `{"StreamName":[]}`, list},
		{"DescribeStream", `{"StreamName":{}}`, object},
		{"DescribeStream", `{"StreamName":"s","Limit":"23"}`, "class java.lang.String can not be converted to an Integer"},
		{"DescribeStream", `{"StreamName":"s","Limit":true}`, "class java.lang.Boolean can not be converted to an Integer"},
		{"DescribeStream", `{"StreamName":"s","Limit":[]}`, list},
		{"DescribeStream", `{"StreamName":"s","Limit":{}}`, object},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":"maybe"}`, "'MAYBE' can not be converted to an Boolean"},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":23}`, number + " can not be converted to an Boolean"},
		{"PutRecords", `{"Records":"23"}`, "Expected list or null"},
		{"PutRecords", `{"Records":23}`, "Expected list or null"},
		{"PutRecords", `{"Records":{}}`, object},
		{"PutRecords", `{"Records":["23"]}`, "Expected null"},
		{"PutRecords", `{"Records":[[]]}`, list},
		{"PutRecords", `{"Records":[{"Data":true}]}`, "class java.lang.Boolean can not be converted to a Blob"},
		{"PutRecords", `{"Records":[{"Data":23}]}`, number + " can not be converted to a Blob"},
		{"PutRecords", `{"Records":[{"Data":"23456"}]}`, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"PutRecords", `{"Records":[{"Data":"=+/="}]}`, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{"PutRecords", `{"Records":[{"Data":"ab*d"}]}`, "'ab*d' can not be converted to a Blob: Invalid Base64 character: '*'"},
		{"PutRecords", `{"Records":[{"Data":"+/+="}]}`, "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{"PutRecords", `{"Records":[{"Data":"YQ==","PartitionKey":1}]}`, number + " can not be converted to an String"},
		{"AddTagsToStream", `{"Tags":"23"}`, "Expected map or null"},
		{"AddTagsToStream", `{"Tags":[]}`, list},
		{"AddTagsToStream", `{"Tags":{"a":23}}`, number + " can not be converted to an String"},
		{"CreateStream", `{"StreamModeDetails":"x"}`, "Expected null"},
		{"GetShardIterator", `{"Timestamp":"2020-01-01"}`, "class java.lang.String can not be converted to milliseconds since epoch"},
		{"GetShardIterator", `{"Timestamp":true}`, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		// The first mismatch in document order is reported.
		{"DescribeStream", `{"Limit":"x","StreamName":1}`, "class java.lang.String can not be converted to an Integer"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			w := serve(s, request(tc.op, tc.body))
			want := `{"__type":"SerializationException","Message":` + quoteJSON(tc.want) + `}`
			if w.Code != 400 || w.Body.String() != want {
				t.Errorf("%s:\ngot  %d %s\nwant 400 %s", tc.body, w.Code, w.Body, want)
			}
		})
	}
}

// Members Hydrant does not know are ignored without a look, as AWS does; JSON nulls are absent members;
// integers saturate and truncate like Coral's TruncatingBigNumber.
func TestDecodeLeniency(t *testing.T) {
	m, err := loadModel(kinesisModel)
	if err != nil {
		t.Fatal(err)
	}
	in := m.ops["DescribeStream"].input
	n, ok := parseJSON([]byte(`{"Unknown":{"deep":[1,{"x":true}]},"StreamName":"s","Limit":2.9,"ExclusiveStartShardId":null}`))
	if !ok {
		t.Fatal("parse")
	}
	v, e := typeCheck(n, in)
	if e != nil {
		t.Fatal(e)
	}
	if e := validate(v, in, m.javaPackage); e != nil {
		t.Fatal(e)
	}
	if got := v.field("Limit").num; got != 2 {
		t.Errorf("Limit 2.9 → %d", got)
	}
	if v.field("ExclusiveStartShardId") != nil {
		t.Error("null member should be absent")
	}
	for lit, want := range map[string]int64{"2147483648": 2147483647, "-1e20": -2147483648, "100000000000": 2147483647, "-0.5": 0} {
		if got := parseInteger(lit, 32); got != want {
			t.Errorf("parseInteger(%s) = %d, want %d", lit, got, want)
		}
	}
}

func quoteJSON(s string) string { return string(jsontext.AppendString(nil, s)) }

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

package ingest

import "context"

// Records: PutRecord and PutRecordBatch into a DirectPut delivery stream. The model bounds a batch
// (1 to 500 records) and a record (up to 1,000 KiB); the Manager checks the 4 MiB of a batch and
// writes it to the delivery stream's log in one append, answering once it is durable.

type fhRecord struct {
	Data []byte
}

type putRecordFirehoseInput struct {
	DeliveryStreamName string
	Record             fhRecord
}

type putRecordFirehoseOutput struct {
	RecordId  string
	Encrypted bool
}

func (f *firehoseAPI) putRecord(ctx context.Context, rc *reqCtx, in *putRecordFirehoseInput) (any, error) {
	res, err := f.m.PutRecords(ctx, rc.scope, in.DeliveryStreamName, [][]byte{in.Record.Data})
	if err != nil {
		return nil, err
	}
	if r := res.Records[0]; r.ErrorCode != "" {
		return nil, errorf(ErrServiceUnavailable, "%s", r.ErrorMessage)
	}
	return putRecordFirehoseOutput{RecordId: res.Records[0].RecordID, Encrypted: res.Encrypted}, nil
}

type putRecordBatchInput struct {
	DeliveryStreamName string
	Records            []fhRecord
}

type putRecordBatchOutput struct {
	FailedPutCount   int
	Encrypted        bool
	RequestResponses []putRecordBatchEntry
}

type putRecordBatchEntry struct {
	RecordId     string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

func (f *firehoseAPI) putRecordBatch(ctx context.Context, rc *reqCtx, in *putRecordBatchInput) (any, error) {
	records := make([][]byte, len(in.Records))
	for i, r := range in.Records {
		records[i] = r.Data
	}
	res, err := f.m.PutRecords(ctx, rc.scope, in.DeliveryStreamName, records)
	if err != nil {
		return nil, err
	}
	out := putRecordBatchOutput{FailedPutCount: res.Failed, Encrypted: res.Encrypted,
		RequestResponses: make([]putRecordBatchEntry, len(res.Records))}
	for i, r := range res.Records {
		out.RequestResponses[i] = putRecordBatchEntry{RecordId: r.RecordID, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return out, nil
}

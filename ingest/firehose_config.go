package ingest

import (
	"encoding/base64"
	"encoding/json"
	"github.com/hydrantio/hydrant/internal/jsontext"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hydrantio/hydrant/buffer"
	"github.com/hydrantio/hydrant/streams"
)

// The S3 destination in its API form. Hydrant keeps the destination configuration a client gave
// (ExtendedS3DestinationConfiguration, or the deprecated S3DestinationConfiguration, whose members
// are a subset of it) as JSON in buffer.Config.API, so that DescribeDeliveryStream shows it back
// member for member, unknown-to-Hydrant members (CloudWatchLoggingOptions, ...) included, and
// UpdateDestination merges into it as Firehose does. The typed buffer.Destination the engine runs on
// is derived from that JSON after every change (s3Destination).

// appendValueJSON appends a validated value as JSON, members in model order: blobs in base64,
// timestamps in epoch seconds, as the JSON protocol sends them.
func appendValueJSON(dst []byte, v *value) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	s := v.shape
	switch s.typ {
	case typeStructure:
		dst = append(dst, '{')
		n := 0
		for i, m := range s.members {
			if v.fields[i] == nil {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = jsontext.AppendString(dst, m.name)
			dst = append(dst, ':')
			dst = appendValueJSON(dst, v.fields[i])
		}
		return append(dst, '}')
	case typeList:
		dst = append(dst, '[')
		for i, item := range v.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValueJSON(dst, item)
		}
		return append(dst, ']')
	case typeMap:
		dst = append(dst, '{')
		for i, k := range v.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, k)
			dst = append(dst, ':')
			dst = appendValueJSON(dst, v.vals[i])
		}
		return append(dst, '}')
	case typeString:
		return jsontext.AppendString(dst, v.str)
	case typeInteger, typeLong:
		return strconv.AppendInt(dst, v.num, 10)
	case typeDouble, typeFloat:
		if math.IsInf(v.flt, 0) || math.IsNaN(v.flt) {
			return append(dst, '0')
		}
		return strconv.AppendFloat(dst, v.flt, 'g', -1, 64)
	case typeBoolean:
		return strconv.AppendBool(dst, v.b)
	case typeBlob:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v.blob)
		return append(dst, '"')
	case typeTimestamp:
		return appendEpoch(dst, v.t)
	}
	return append(dst, "null"...)
}

// valueJSON is appendValueJSON into a new buffer.
func valueJSON(v *value) json.RawMessage { return appendValueJSON(nil, v) }

// replacedWhole are the members an update replaces instead of merging into: ProcessingConfiguration
// (F probed that Firehose replaces it whole) and EncryptionConfiguration, a union (NoEncryptionConfig
// or KMSEncryptionConfig) that a member-wise merge would leave holding both.
var replacedWhole = map[string]bool{"ProcessingConfiguration": true, "EncryptionConfiguration": true}

// mergeJSON merges an update into a configuration as Firehose merges UpdateDestination into a
// destination of the same type: members the update leaves out keep their values, structures merge
// member by member (DataFormatConversionConfiguration, BufferingHints...), and lists, scalars and the
// replacedWhole members are replaced. The update's S3BackupUpdate merges into S3BackupConfiguration.
func mergeJSON(cur, upd json.RawMessage) (json.RawMessage, error) {
	var c, u map[string]json.RawMessage
	if len(cur) > 0 {
		if err := json.Unmarshal(cur, &c); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(upd, &u); err != nil {
		return nil, err
	}
	if c == nil {
		c = make(map[string]json.RawMessage, len(u))
	}
	for k, v := range u {
		if k == "S3BackupUpdate" {
			k = "S3BackupConfiguration"
		}
		old, ok := c[k]
		if ok && !replacedWhole[k] && isJSONObject(old) && isJSONObject(v) {
			merged, err := mergeJSON(old, v)
			if err != nil {
				return nil, err
			}
			c[k] = merged
			continue
		}
		c[k] = v
	}
	return json.Marshal(c)
}

func isJSONObject(b json.RawMessage) bool {
	s := strings.TrimSpace(string(b))
	return strings.HasPrefix(s, "{")
}

// apiS3Destination is the part of ExtendedS3DestinationConfiguration that the delivery runs on.
type apiS3Destination struct {
	RoleARN           string
	BucketARN         string
	Prefix            string
	ErrorOutputPrefix string
	BufferingHints    *struct {
		SizeInMBs         *int
		IntervalInSeconds *int
	}
	CompressionFormat       string
	EncryptionConfiguration *struct {
		KMSEncryptionConfig *struct{ AWSKMSKeyARN string }
	}
	ProcessingConfiguration *struct {
		Enabled    *bool
		Processors []struct {
			Type       string
			Parameters []struct{ ParameterName, ParameterValue string }
		}
	}
	S3BackupMode                      string
	DataFormatConversionConfiguration *struct{ Enabled *bool }
	DynamicPartitioningConfiguration  *struct{ Enabled *bool }
	FileExtension                     string
	CustomTimeZone                    string
}

// s3Destination derives the typed destination from its API form.
func s3Destination(api json.RawMessage) (buffer.Destination, error) {
	var a apiS3Destination
	if err := json.Unmarshal(api, &a); err != nil {
		return buffer.Destination{}, internal(err)
	}
	d := buffer.Destination{
		BucketARN:         a.BucketARN,
		RoleARN:           a.RoleARN,
		Prefix:            a.Prefix,
		ErrorOutputPrefix: a.ErrorOutputPrefix,
		Compression:       a.CompressionFormat,
		FileExtension:     a.FileExtension,
		CustomTimeZone:    a.CustomTimeZone,
		Rules:             buffer.DefaultRules,
	}
	if d.Compression == "" {
		d.Compression = buffer.CompressionNone
	}
	if dp := a.DynamicPartitioningConfiguration; dp != nil && dp.Enabled != nil && *dp.Enabled {
		d.DynamicPartitioning = true
		d.Rules.Size = 64 << 20 // the least Firehose allows with dynamic partitioning
	}
	if h := a.BufferingHints; h != nil {
		if h.SizeInMBs != nil {
			d.Rules.Size = int64(*h.SizeInMBs) << 20
		}
		if h.IntervalInSeconds != nil {
			d.Rules.Interval = time.Duration(*h.IntervalInSeconds) * time.Second
		}
	}
	if e := a.EncryptionConfiguration; e != nil && e.KMSEncryptionConfig != nil {
		d.KMSKeyARN = e.KMSEncryptionConfig.AWSKMSKeyARN
	}
	if a.S3BackupMode == "Enabled" {
		return d, errorf(ErrInvalidArgument, "Hydrant does not support S3BackupMode Enabled yet.")
	}
	if c := a.DataFormatConversionConfiguration; c != nil && (c.Enabled == nil || *c.Enabled) {
		return d, errorf(ErrInvalidArgument, "Hydrant does not support DataFormatConversionConfiguration yet: "+
			"set its Enabled to false, or leave it out.")
	}
	if pc := a.ProcessingConfiguration; pc != nil && pc.Enabled != nil && *pc.Enabled {
		for _, p := range pc.Processors {
			params := map[string]string{}
			for _, kv := range p.Parameters {
				params[kv.ParameterName] = kv.ParameterValue
			}
			switch p.Type {
			case "AppendDelimiterToRecord":
				d.Processors.AppendDelimiter = true
			case "RecordDeAggregation":
				de := &buffer.DeAggregation{SubRecordType: params["SubRecordType"]}
				if de.SubRecordType == "" {
					de.SubRecordType = buffer.SubRecordJSON
				}
				if s, ok := params["Delimiter"]; ok {
					b, err := base64.StdEncoding.DecodeString(s)
					if err != nil || len(b) == 0 {
						return d, errorf(ErrInvalidArgument, "Delimiter %s is not valid base64.", s)
					}
					de.Delimiter = b
				}
				d.Processors.DeAggregation = de
			case "MetadataExtraction":
				me := &buffer.MetadataExtraction{Query: params["MetadataExtractionQuery"], Engine: params["JsonParsingEngine"]}
				if me.Engine == "" {
					me.Engine = "JQ-1.6"
				}
				d.Processors.MetadataExtraction = me
			case "Lambda":
				return d, errorf(ErrInvalidArgument, "Hydrant does not run Lambda functions: the Lambda processor is not supported.")
			default:
				return d, errorf(ErrInvalidArgument, "Hydrant does not support the %s processor yet.", p.Type)
			}
		}
	}
	return d, nil
}

// checkBufferingHints refuses hints that give only one of their two members, as Firehose documents:
// "if you specify a value for [SizeInMBs], you must also specify a value for IntervalInSeconds, and
// vice versa".
func checkBufferingHints(dest *value) error {
	for _, v := range []*value{dest.field("BufferingHints"), dest.field("S3BackupConfiguration").field("BufferingHints"),
		dest.field("S3BackupUpdate").field("BufferingHints")} {
		if v != nil && (v.field("SizeInMBs") == nil) != (v.field("IntervalInSeconds") == nil) {
			return errorf(ErrInvalidArgument, "BufferingHints: if you specify a value for SizeInMBs, you must also "+
				"specify a value for IntervalInSeconds, and vice versa.")
		}
	}
	return nil
}

// Default descriptions of the members Firehose always describes.
var (
	noEncryption   = json.RawMessage(`{"NoEncryptionConfig":"NoEncryption"}`)
	loggingOff     = json.RawMessage(`{"Enabled":false}`)
	s3Descriptions = []string{"RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints",
		"CompressionFormat", "EncryptionConfiguration", "CloudWatchLoggingOptions"}
)

// describeS3 builds ExtendedS3DestinationDescription and S3DestinationDescription from the stored
// configuration, with the defaults Firehose fills in (the buffering hints in force, UNCOMPRESSED, no
// encryption, logging off, backups disabled), as Firehose describes an S3 destination whichever of
// the two configurations created it.
func describeS3(c *buffer.Config) (ext, s3 json.RawMessage, err error) {
	m := map[string]json.RawMessage{}
	if len(c.API) > 0 {
		if err := json.Unmarshal(c.API, &m); err != nil {
			return nil, nil, err
		}
	}
	hints, _ := json.Marshal(map[string]int64{"SizeInMBs": c.Destination.Rules.Size >> 20,
		"IntervalInSeconds": int64(c.Destination.Rules.Interval / time.Second)})
	m["BufferingHints"] = hints
	setDefault := func(m map[string]json.RawMessage, k string, v json.RawMessage) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	setDefault(m, "Prefix", json.RawMessage(`""`))
	setDefault(m, "CompressionFormat", json.RawMessage(`"UNCOMPRESSED"`))
	setDefault(m, "EncryptionConfiguration", noEncryption)
	setDefault(m, "CloudWatchLoggingOptions", loggingOff)
	setDefault(m, "S3BackupMode", json.RawMessage(`"Disabled"`))
	if b, ok := m["S3BackupConfiguration"]; ok {
		delete(m, "S3BackupConfiguration")
		bm := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &bm); err != nil {
			return nil, nil, err
		}
		setDefault(bm, "BufferingHints", json.RawMessage(`{"SizeInMBs":5,"IntervalInSeconds":300}`))
		setDefault(bm, "CompressionFormat", json.RawMessage(`"UNCOMPRESSED"`))
		setDefault(bm, "EncryptionConfiguration", noEncryption)
		setDefault(bm, "CloudWatchLoggingOptions", loggingOff)
		if m["S3BackupDescription"], err = json.Marshal(bm); err != nil {
			return nil, nil, err
		}
	}
	sm := map[string]json.RawMessage{}
	for _, k := range s3Descriptions {
		if v, ok := m[k]; ok {
			sm[k] = v
		}
	}
	if ext, err = json.Marshal(m); err != nil {
		return nil, nil, err
	}
	s3, err = json.Marshal(sm)
	return ext, s3, err
}

// startingPositionTag is the tag by which CreateDeliveryStream chooses, as a Hydrant extension, where a
// KinesisStreamAsSource delivery stream starts reading: LATEST (Firehose's behaviour, the default) or
// TRIM_HORIZON. The model's KinesisStreamSourceConfiguration has no member for it, and a tag is what
// every client, CLI and infrastructure tool can already send.
const startingPositionTag = "hydrant:starting-position"

func fhStartingPosition(tags map[string]string) (string, error) {
	switch v, ok := tags[startingPositionTag]; {
	case !ok:
		return streams.IteratorLatest, nil
	case v == streams.IteratorLatest || v == streams.IteratorTrimHorizon:
		return v, nil
	default:
		return "", errorf(ErrInvalidArgument, "Tag %s must be %s or %s, not %q.", startingPositionTag,
			streams.IteratorLatest, streams.IteratorTrimHorizon, v)
	}
}

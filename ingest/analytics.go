package ingest

import (
	"time"

	"github.com/hydrantio/hydrant/analytics/app"
	"github.com/hydrantio/hydrant/streams"
)

// analyticsModel is the embedded botocore model of the Amazon Kinesis Analytics API (SQL applications).
const analyticsModel = "kinesisanalytics-2015-08-14.json.gz"

// analyticsAPI serves the Kinesis Analytics API (X-Amz-Target KinesisAnalytics_20150814.*) from an
// app.Manager. The handlers translate between the wire shapes and the Manager's typed configuration;
// the Manager owns every rule that needs state (existence, statuses, version ids, limits, runs).
type analyticsAPI struct {
	m   *app.Manager
	now func() time.Time
}

// analyticsKinds maps the Manager's error kinds (the store's and app's own) to the model's exceptions.
var analyticsKinds = map[streams.ErrorKind]*Code{
	streams.KindNotFound:           ErrResourceNotFound,
	streams.KindInUse:              ErrResourceInUse,
	streams.KindInvalidArgument:    ErrInvalidArgument,
	streams.KindLimitExceeded:      ErrLimitExceeded,
	streams.KindThroughputExceeded: ErrResourceProvisionedThrottle,
	streams.KindValidation:         ErrValidation,
	streams.KindConflict:           ErrConcurrentModification,
	app.KindInvalidConfiguration:   ErrInvalidApplicationConfig,
	app.KindCodeValidation:         ErrCodeValidation,
	app.KindUnableToDetectSchema:   ErrUnableToDetectSchema,
	app.KindTooManyTags:            ErrTooManyTags,
}

// newAnalytics builds the Kinesis Analytics service.
func newAnalytics(m *app.Manager, now func() time.Time) (*service, error) {
	model, err := loadModel(analyticsModel)
	if err != nil {
		return nil, err
	}
	a := &analyticsAPI{m: m, now: now}
	return newService("KinesisAnalytics", model, analyticsKinds, a.ops())
}

// ops defines all 20 operations of the model.
func (a *analyticsAPI) ops() []opDef {
	return []opDef{
		// Applications (analytics_apps.go).
		handle("CreateApplication", a.createApplication),
		handle("DescribeApplication", a.describeApplication),
		handle("ListApplications", a.listApplications),
		handle("DeleteApplication", a.deleteApplication),
		handle("UpdateApplication", a.updateApplication),
		handle("StartApplication", a.startApplication),
		handle("StopApplication", a.stopApplication),
		// Parts of an application (analytics_parts.go).
		handle("AddApplicationInput", a.addInput),
		handle("AddApplicationOutput", a.addOutput),
		handle("AddApplicationReferenceDataSource", a.addReference),
		handle("AddApplicationInputProcessingConfiguration", a.addInputProcessing),
		handle("AddApplicationCloudWatchLoggingOption", a.addLogging),
		handle("DeleteApplicationOutput", a.deleteOutput),
		handle("DeleteApplicationReferenceDataSource", a.deleteReference),
		handle("DeleteApplicationInputProcessingConfiguration", a.deleteInputProcessing),
		handle("DeleteApplicationCloudWatchLoggingOption", a.deleteLogging),
		// Schema discovery (analytics_discover.go).
		handle("DiscoverInputSchema", a.discoverInputSchema),
		// Tags (analytics_tags.go).
		handle("TagResource", a.tagResource),
		handle("UntagResource", a.untagResource),
		handle("ListTagsForResource", a.listTagsForResource),
	}
}

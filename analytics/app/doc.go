// Package app is the registry of Kinesis Data Analytics (SQL) applications: the control plane of the
// KinesisAnalytics_20150814 API. It owns each application's configuration (inputs, outputs, reference
// data, CloudWatch logging options, code, tags), its version id and status, its persistence, and the
// lifecycle of its run (analytics/runtime). It knows nothing of the wire: ingest maps its *streams.Error
// kinds (those of streams plus the ones in errors.go) to the API's exceptions.
//
// On disk, under Options.Dir (<data-dir>/analytics):
//
//	<account>/<region>/<name>/application.json   the application (JSON, written atomically)
//	<account>/<region>/<name>/run/               the runtime's own files (checkpoints)
//	trash/                                       deletions in progress; emptied at Open
//
// Statuses: an application is READY when created. StartApplication moves it to STARTING while the run
// starts (sources resolved, reference data loaded, SQL compiled) and RUNNING once it has started, or
// back to READY with the reason as InvalidApplicationConfigurationException when it cannot run (a SQL
// error says its line and column). StopApplication moves it to STOPPING while the run checkpoints, then
// READY. Configuration changes of a RUNNING application (UPDATING meanwhile) restart its run from where
// it stopped (LAST_STOPPED_POINT); a change the runtime refuses (SQL that does not compile against the
// new configuration: CodeValidationException from UpdateApplication, InvalidArgumentException from the
// Add*/Delete* operations whose model does not list the former) is undone and the previous
// configuration runs on. A RUNNING application stays RUNNING across a restart of the server: Open
// starts it again from its last checkpoint and, when it cannot (its S3 endpoint is not up yet), keeps
// it RUNNING and tries again with a growing wait (resume.go). Tags may change while a configuration change is under
// way; the change saves only the configuration.
//
// Version ids start at 1 and go up by one with every configuration change (UpdateApplication and
// every Add*/Delete* operation); tags, Start and Stop do not change them, as in Kinesis Data Analytics.
//
// Hydrant does not invoke AWS Lambda: input processing configurations and Lambda outputs are stored
// and described, and an application that has one refuses to start with a message saying so (its
// records would otherwise be mapped unprocessed, or its rows silently dropped).
//
// Concurrency: Manager.mu guards the map of applications; each application's ctl serializes the
// operations that change it or its run (they may take long: a start loads reference data), and its mu
// guards the metadata that Describe and List read meanwhile.
package app

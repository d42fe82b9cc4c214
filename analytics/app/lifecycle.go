package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hydrantio/hydrant/analytics/engine"
	"github.com/hydrantio/hydrant/analytics/runtime"
	"github.com/hydrantio/hydrant/streams"
)

// Start starts an application: READY, then STARTING while its run starts, then RUNNING. positions
// gives each input's starting position by input id (StartApplication's InputConfigurations): NOW,
// TRIM_HORIZON (not for a Firehose input, as in Kinesis Data Analytics: a delivery stream has no
// horizon to speak of) or LAST_STOPPED_POINT. When the run cannot start, the application is READY
// again and the error says why (KindInvalidConfiguration; a SQL error with its line and column).
func (m *Manager) Start(sc streams.Scope, name string, positions map[string]string) error {
	a, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	a.ctl.Lock()
	defer a.ctl.Unlock()
	if st := a.status(); st != StatusReady {
		return kindErr(streams.KindInUse, "Application %s is in %s state; only a READY application can be started.", name, st)
	}
	meta := a.meta()
	for _, inputID := range slices.Sorted(maps.Keys(positions)) { // the same request, the same answer
		if _, err := meta.Config.InputByID(inputID); err != nil {
			return invalidArg("Input id %s not found in application %s.", inputID, name)
		}
	}
	if len(meta.Config.Inputs) == 0 {
		return kindErr(KindInvalidConfiguration, "Application %s has no input: add one (AddApplicationInput) before "+
			"starting it.", name)
	}
	for _, in := range meta.Config.Inputs {
		pos, ok := positions[in.ID]
		switch {
		case !ok:
			return invalidArg("InputConfigurations has no starting position for input %s.", in.ID)
		case pos != StartNow && pos != StartTrimHorizon && pos != StartLastStoppedPoint:
			return invalidArg("Invalid InputStartingPosition %s for input %s.", pos, in.ID)
		case pos == StartTrimHorizon && in.Source.Type == KinesisFirehose:
			return invalidArg("InputStartingPosition TRIM_HORIZON is not supported for a Kinesis Firehose input (%s).", in.ID)
		}
	}
	return m.startLocked(a, meta, positions, true)
}

// startLocked starts a's run. The caller holds a.ctl. record saves the application as RUNNING with the
// inputs' starting positions (a Start); a restart after an update or at Open leaves them as they were.
func (m *Manager) startLocked(a *application, meta *appMeta, positions map[string]string, record bool) error {
	if m.isClosed() {
		return errClosed
	}
	a.setTransient(StatusStarting)
	defer a.setTransient("")
	cfg, err := m.runConfig(a, meta, positions)
	if err != nil {
		return err
	}
	run, err := m.opts.Start(m.ctx, m.opts.Store, cfg)
	if err != nil {
		if streams.KindOf(err) != 0 {
			return err
		}
		return &runError{kindErr(KindInvalidConfiguration, "Application %s cannot start: %v", meta.Name, err)}
	}
	a.run = run
	a.lastErr = nil
	if !record {
		m.watch(a, run)
		return nil
	}
	err = a.modify(func(meta *appMeta) error {
		meta.Status = StatusRunning
		for i := range meta.Config.Inputs {
			meta.Config.Inputs[i].StartingPosition = positions[meta.Config.Inputs[i].ID]
		}
		return nil
	})
	if err != nil {
		run.Stop()
		a.run = nil
		return err
	}
	a.backoff = 0 // started by the user: a failure waits from the start again
	m.watch(a, run)
	return nil
}

// runError is the runtime's refusal to start an application: its SQL does not compile against its
// inputs and outputs, or its run cannot begin. StartApplication reports it as
// InvalidApplicationConfigurationException, UpdateApplication as CodeValidationException.
type runError struct{ err *streams.Error }

func (e *runError) Error() string { return e.err.Msg }
func (e *runError) Unwrap() error { return e.err }

// Stop stops a RUNNING application: STOPPING while its run checkpoints, then READY.
func (m *Manager) Stop(sc streams.Scope, name string) error {
	a, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	a.ctl.Lock()
	defer a.ctl.Unlock()
	if st := a.status(); st != StatusRunning {
		return kindErr(streams.KindInUse, "Application %s is in %s state; only a RUNNING application can be stopped.", name, st)
	}
	a.setTransient(StatusStopping)
	defer a.setTransient("")
	if a.run != nil {
		if err := a.run.Stop(); err != nil {
			m.log.Warn("analytics: stop application", "application", name, "err", err)
		}
		a.run = nil
	}
	return a.modify(func(meta *appMeta) error { meta.Status = StatusReady; return nil })
}

// RunErr returns the error that ended an application's last run by itself, or that keeps it from
// starting again, while it is being retried; nil while a run is going or the application is stopped.
func (m *Manager) RunErr(sc streams.Scope, name string) error {
	a, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	a.ctl.Lock()
	defer a.ctl.Unlock()
	if a.run != nil {
		return a.run.Err()
	}
	if a.retrying && a.status() == StatusRunning {
		return a.lastErr
	}
	return nil
}

// runConfig builds the runtime's configuration: sources and destinations resolved to streams of the
// store, reference data loaded, the run's directory made.
func (m *Manager) runConfig(a *application, meta *appMeta, positions map[string]string) (runtime.Config, error) {
	cfg := runtime.Config{
		Name:    meta.Name,
		ARN:     ARN(a.scope(), meta.Name),
		Code:    meta.Config.Code,
		Dir:     filepath.Join(a.dir, "run"),
		Created: time.UnixMilli(meta.Created),
		Log:     m.log.With("account", a.key.account, "region", a.key.region), // the run adds "application"
	}
	for _, in := range meta.Config.Inputs {
		if in.Processor != nil {
			return cfg, kindErr(KindInvalidConfiguration, "Hydrant does not invoke AWS Lambda: delete the input processing "+
				"configuration of input %s (DeleteApplicationInputProcessingConfiguration) to start application %s.",
				in.ID, meta.Name)
		}
		sc, ref, err := m.resolve(in.Source)
		if err != nil {
			return cfg, err
		}
		cfg.Inputs = append(cfg.Inputs, runtime.Input{NamePrefix: in.NamePrefix, Parallelism: max(in.Parallelism, 1),
			Scope: sc, Ref: ref, Format: in.Schema.Format, Columns: in.Schema.Columns, Start: positions[in.ID]})
	}
	for _, out := range meta.Config.Outputs {
		if out.Destination.Type == Lambda {
			return cfg, kindErr(KindInvalidConfiguration, "Hydrant does not invoke AWS Lambda: output %s (%s) of application "+
				"%s has a LambdaOutput; delete it (DeleteApplicationOutput) or send the stream to a Kinesis stream or "+
				"Firehose delivery stream.", out.ID, out.Name, meta.Name)
		}
		sc, ref, err := m.resolve(out.Destination)
		if err != nil {
			return cfg, err
		}
		cfg.Outputs = append(cfg.Outputs, runtime.Output{Name: out.Name, Format: out.Format, Scope: sc, Ref: ref})
	}
	for _, r := range meta.Config.References {
		t, err := m.loadReference(m.ctx, r)
		if err != nil {
			return cfg, err
		}
		cfg.Tables = append(cfg.Tables, t)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return cfg, fmt.Errorf("application %s: %w", meta.Name, err)
	}
	return cfg, nil
}

// resolve turns a Kinesis stream or Firehose delivery stream ARN into a stream of the store: the
// Kinesis stream itself, or the delivery stream's internal log. The ARN's account and region are
// the stream's.
func (m *Manager) resolve(r Resource) (streams.Scope, streams.StreamRef, error) {
	switch r.Type {
	case KinesisStreams:
		region, account, _, ok := parseARN(r.ARN, "kinesis", "stream/")
		if !ok {
			return streams.Scope{}, streams.StreamRef{}, invalidArg("%s is not a valid Kinesis stream ARN.", r.ARN)
		}
		sc, ref := streams.Scope{Account: account, Region: region}, streams.StreamRef{ARN: r.ARN}
		if _, err := m.opts.Store.DescribeStream(sc, ref); err != nil {
			if streams.KindOf(err) == 0 {
				return sc, ref, err
			}
			return sc, ref, kindErr(KindInvalidConfiguration, "Kinesis stream %s cannot be used: %v", r.ARN, err)
		}
		return sc, ref, nil
	case KinesisFirehose:
		region, account, name, ok := parseARN(r.ARN, "firehose", "deliverystream/")
		if !ok {
			return streams.Scope{}, streams.StreamRef{}, invalidArg("%s is not a valid Kinesis Firehose delivery stream ARN.", r.ARN)
		}
		if m.opts.DeliveryStreams == nil {
			return streams.Scope{}, streams.StreamRef{}, kindErr(KindInvalidConfiguration,
				"Delivery stream %s cannot be used: this server does not serve Firehose.", r.ARN)
		}
		sc, ref, err := m.opts.DeliveryStreams.Log(streams.Scope{Account: account, Region: region}, name)
		if err != nil {
			if streams.KindOf(err) == 0 {
				return sc, ref, err
			}
			return sc, ref, kindErr(KindInvalidConfiguration, "Delivery stream %s cannot be used: %v", r.ARN, err)
		}
		return sc, ref, nil
	}
	return streams.Scope{}, streams.StreamRef{}, invalidArg("Unknown resource type %s.", r.Type)
}

// errNoObjects is the reason reference data cannot load without an ObjectReader.
var errNoObjects = errors.New("this server reads no S3 objects")

// loadReference reads a reference data source's object and maps it to a table.
func (m *Manager) loadReference(ctx context.Context, r Reference) (engine.Table, error) {
	fail := func(err error) (engine.Table, error) {
		return engine.Table{}, kindErr(KindInvalidConfiguration, "Reference data %s (s3://%s/%s) cannot be loaded: %v",
			r.TableName, bucketName(r.BucketARN), r.FileKey, err)
	}
	data, err := m.readObject(ctx, r.BucketARN, r.FileKey)
	if err != nil {
		return fail(err)
	}
	cols, rows, err := mapObject(r.Schema, data)
	if err != nil {
		return fail(err)
	}
	return engine.Table{Name: r.TableName, Columns: cols, Rows: rows}, nil
}

func bucketName(arn string) string {
	b, _ := bucketOf(arn)
	return b
}

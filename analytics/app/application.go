package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hydrantio/hydrant/analytics/sql"
	"github.com/hydrantio/hydrant/internal/atomicfile"
	"github.com/hydrantio/hydrant/streams"
)

// CreateInput is what Create takes. Ids of inputs, outputs and logging options are assigned by Create.
type CreateInput struct {
	Name   string
	Config Config
	Tags   map[string]string
}

// Summary is an ApplicationSummary.
type Summary struct {
	Name   string
	ARN    string
	Status string
}

// Detail is an ApplicationDetail.
type Detail struct {
	Summary
	Created time.Time
	Updated time.Time
	Version int64
	Config  Config
}

// Create creates a READY application.
func (m *Manager) Create(sc streams.Scope, in CreateInput) (Summary, error) {
	if in.Name == "." || in.Name == ".." {
		return Summary{}, invalidArg("Hydrant cannot name an application %s.", in.Name)
	}
	cfg := in.Config.clone()
	if err := cfg.validate(); err != nil {
		return Summary{}, err
	}
	if err := checkCode(cfg.Code); err != nil {
		return Summary{}, err
	}
	if err := checkTags(nil, in.Tags); err != nil {
		return Summary{}, err
	}
	k := keyOf(sc, in.Name)
	now := m.now()
	meta := &appMeta{Format: metaFormat, Name: in.Name, Account: sc.Account, Region: sc.Region,
		Created: now.UnixMilli(), Updated: now.UnixMilli(), Version: 1, Status: StatusReady, Config: cfg,
		Tags: copyTags(in.Tags)}
	for i := range meta.Config.Inputs {
		meta.LastID.Input++
		meta.Config.Inputs[i].ID = id(meta.LastID.Input)
	}
	for i := range meta.Config.Outputs {
		meta.LastID.Output++
		meta.Config.Outputs[i].ID = id(meta.LastID.Output)
	}
	for i := range meta.Config.Logging {
		meta.LastID.Logging++
		meta.Config.Logging[i].ID = id(meta.LastID.Logging)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return Summary{}, errClosed
	}
	if m.mu.apps[k] != nil {
		return Summary{}, kindErr(streams.KindInUse, "Application %s already exists.", in.Name)
	}
	n := 0
	for ok := range m.mu.apps {
		if ok.account == k.account && ok.region == k.region {
			n++
		}
	}
	if n >= m.opts.Quota {
		return Summary{}, kindErr(streams.KindLimitExceeded, "Account %s has reached its limit of %d applications in %s.",
			sc.Account, m.opts.Quota, sc.Region)
	}
	a := &application{m: m, key: k, dir: m.appDir(k)}
	a.mu.meta = meta
	// A directory left by a delete or create that crashed half way is replaced.
	if err := os.RemoveAll(a.dir); err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return Summary{}, err
	}
	a.mu.Lock()
	err := a.saveLocked()
	a.mu.Unlock()
	if err == nil {
		err = atomicfile.SyncDir(filepath.Dir(a.dir))
	}
	if err != nil {
		os.RemoveAll(a.dir)
		return Summary{}, err
	}
	m.mu.apps[k] = a
	return Summary{Name: in.Name, ARN: ARN(sc, in.Name), Status: StatusReady}, nil
}

// id formats the n-th id of a kind as Kinesis Data Analytics does: "1.1", "1.2", ...
func id(n int) string { return fmt.Sprintf("1.%d", n) }

// checkCode parses the application code, so that a syntax error is refused when the code is given, with
// its line and column, rather than when the application starts.
func checkCode(code string) error {
	if strings.TrimSpace(code) == "" {
		return nil
	}
	if _, err := sql.Parse(code); err != nil {
		return kindErr(KindCodeValidation, "Application code is invalid: %v", err)
	}
	return nil
}

// Describe returns an application's detail.
func (m *Manager) Describe(sc streams.Scope, name string) (Detail, error) {
	a, err := m.lookup(sc, name)
	if err != nil {
		return Detail{}, err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.mu.deleted {
		return Detail{}, notFound(name)
	}
	meta := a.mu.meta
	return Detail{
		Summary: Summary{Name: meta.Name, ARN: ARN(a.scope(), meta.Name), Status: a.statusLocked()},
		Created: time.UnixMilli(meta.Created).UTC(),
		Updated: time.UnixMilli(meta.Updated).UTC(),
		Version: meta.Version,
		Config:  meta.Config.clone(),
	}, nil
}

// List returns up to limit applications of the scope, by name, after exclusiveStart (a name; "" for
// the first page), and whether more follow.
func (m *Manager) List(sc streams.Scope, limit int, exclusiveStart string) ([]Summary, bool) {
	var out []Summary
	for _, a := range m.sorted() {
		if a.key.account != sc.Account || a.key.region != sc.Region || a.key.name <= exclusiveStart {
			continue
		}
		a.mu.RLock()
		deleted, status := a.mu.deleted, a.statusLocked()
		a.mu.RUnlock()
		if deleted {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, Summary{Name: a.key.name, ARN: ARN(sc, a.key.name), Status: status})
	}
	return out, false
}

// Delete stops an application's run, if any, and deletes it. created must be its creation time (to
// the millisecond), as DeleteApplication's CreateTimestamp.
func (m *Manager) Delete(sc streams.Scope, name string, created time.Time) error {
	a, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	a.ctl.Lock()
	defer a.ctl.Unlock()
	a.mu.Lock()
	if a.mu.deleted {
		a.mu.Unlock()
		return notFound(name)
	}
	if want := a.mu.meta.Created; !sameCreation(created, want) {
		a.mu.Unlock()
		return kindErr(streams.KindConflict, "Provided CreateTimestamp %s does not match the application's, %s.",
			created.UTC().Format(time.RFC3339Nano), time.UnixMilli(want).UTC().Format(time.RFC3339Nano))
	}
	a.mu.transient = StatusDeleting
	a.mu.Unlock()

	if a.run != nil {
		if err := a.run.Stop(); err != nil {
			m.log.Warn("analytics: stop deleted application", "application", name, "err", err)
		}
		a.run = nil
	}
	trash := filepath.Join(m.trashDir(), fmt.Sprintf("%s-%s-%s-%d", a.key.account, a.key.region, name, m.now().UnixNano()))
	if err := os.Rename(a.dir, trash); err != nil && !errors.Is(err, fs.ErrNotExist) {
		a.setTransient("")
		return fmt.Errorf("delete application %s: %w", name, err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(a.dir)); err != nil {
		m.log.Warn("analytics: sync directory", "dir", filepath.Dir(a.dir), "err", err)
	}
	a.mu.Lock()
	a.mu.deleted = true
	a.mu.Unlock()
	m.mu.Lock()
	if m.mu.apps[a.key] == a {
		delete(m.mu.apps, a.key)
	}
	m.mu.Unlock()
	return os.RemoveAll(trash)
}

// sameCreation reports whether t, as a client sent it back, is the creation time createdMs: equal to
// the millisecond, or to the second when t has no fraction (botocore sends timestamps as whole
// epoch seconds).
func sameCreation(t time.Time, createdMs int64) bool {
	ms := t.Round(time.Millisecond).UnixMilli()
	if ms == createdMs {
		return true
	}
	return ms%1000 == 0 && ms/1000 == createdMs/1000
}

// change applies a configuration change: it checks the version id (KindConflict when it is not the
// current one) and the status (READY or RUNNING), runs fn on a copy of the configuration, validates
// the result, and saves it with the next version id. A RUNNING application is UPDATING meanwhile and
// its run restarts with the new configuration, every input from where it stopped.
//
// refused is the kind of the error when the runtime refuses the new configuration (its SQL does not
// compile against it): CodeValidationException for the operations whose model lists it
// (UpdateApplication, AddApplicationInput), InvalidArgumentException for the others, so that a client
// catching the exceptions the API documents catches it.
func (m *Manager) change(sc streams.Scope, name string, version int64, refused streams.ErrorKind,
	fn func(meta *appMeta) error) error {
	a, err := m.lookup(sc, name)
	if err != nil {
		return err
	}
	a.ctl.Lock()
	defer a.ctl.Unlock()
	status := a.status()
	if status != StatusReady && status != StatusRunning {
		return kindErr(streams.KindInUse, "Application %s is in %s state; it can be changed when READY or RUNNING.", name, status)
	}
	cur := a.meta()
	if version != cur.Version {
		return kindErr(streams.KindConflict, "Provided application version id (%d) does not match the current "+
			"application version id (%d).", version, cur.Version)
	}
	next := *cur
	next.Config = cur.Config.clone()
	next.Tags = copyTags(cur.Tags)
	if err := fn(&next); err != nil {
		return err
	}
	if err := next.Config.validate(); err != nil {
		return err
	}
	if next.Config.Code != cur.Config.Code {
		if err := checkCode(next.Config.Code); err != nil {
			return err
		}
	}
	// An application being retried (resume.go) is running too: the new configuration starts now,
	// rather than at the next attempt.
	running := a.run != nil || (a.retrying && status == StatusRunning)
	if running {
		a.setTransient(StatusUpdating)
		defer a.setTransient("")
	}
	if a.run != nil {
		if err := a.run.Stop(); err != nil {
			m.log.Warn("analytics: stop application for update", "application", name, "err", err)
		}
		a.run = nil
	}
	// Only what fn changes is saved, with the next version id: the tags may have changed meanwhile
	// (TagResource does not wait for ctl), and they are not configuration.
	err = a.modify(func(meta *appMeta) error {
		meta.Config, meta.LastID = next.Config, next.LastID
		meta.Version, meta.Updated = cur.Version+1, m.now().UnixMilli()
		return nil
	})
	if !running {
		return err
	}
	if err != nil { // not saved: the old configuration runs on
		m.restart(a)
		return err
	}
	serr := m.startLocked(a, a.meta(), lastStopped(&next.Config), false)
	if serr == nil {
		a.backoff = 0 // a new configuration: a failure waits from the start again
		return nil
	}
	// The new configuration cannot run: the application goes on with the one that ran, and the
	// update is refused, as a code that does not compile is.
	if err := a.modify(func(meta *appMeta) error {
		meta.Config, meta.LastID, meta.Version, meta.Updated = cur.Config, cur.LastID, cur.Version, cur.Updated
		return nil
	}); err != nil {
		m.log.Error("analytics: restore application after a refused update", "application", name, "err", err)
	}
	m.restart(a)
	var re *runError
	if errors.As(serr, &re) {
		return kindErr(refused, "%s", re.err.Msg)
	}
	if streams.KindOf(serr) == KindInvalidConfiguration {
		return invalidArg("%s", serr.Error())
	}
	return serr
}

// restart starts a's run again, every input from where it stopped. An application that cannot start
// stays RUNNING and is retried (resume.go); one that cannot start because the manager is closing
// stays RUNNING on disk, and the next Open resumes it. The caller holds a.ctl.
func (m *Manager) restart(a *application) {
	meta := a.meta()
	if err := m.startLocked(a, meta, lastStopped(&meta.Config), false); err != nil {
		if errors.Is(err, errClosed) {
			return
		}
		m.log.Error("analytics: application not restarted; retrying", "application", a.key.name, "account",
			a.key.account, "region", a.key.region, "err", err)
		a.lastErr = err
		m.retryLater(a)
	}
}

// lastStopped gives every input of c the starting position LAST_STOPPED_POINT.
func lastStopped(c *Config) map[string]string {
	positions := make(map[string]string, len(c.Inputs))
	for _, in := range c.Inputs {
		positions[in.ID] = StartLastStoppedPoint
	}
	return positions
}

// Update is UpdateApplication's ApplicationUpdate, resolved against the current configuration by fn:
// the ingest layer merges each partial update into the matching input, output, reference data source
// or logging option (found by id with the helpers below).
func (m *Manager) Update(sc streams.Scope, name string, version int64, fn func(c *Config) error) error {
	return m.change(sc, name, version, KindCodeValidation, func(meta *appMeta) error { return fn(&meta.Config) })
}

// InputByID returns the input with id, or an InvalidArgument error worded as Kinesis Data Analytics does.
func (c *Config) InputByID(inputID string) (*Input, error) {
	for i := range c.Inputs {
		if c.Inputs[i].ID == inputID {
			return &c.Inputs[i], nil
		}
	}
	return nil, kindErr(streams.KindNotFound, "Input id %s not found.", inputID)
}

// OutputByID returns the output with id.
func (c *Config) OutputByID(outputID string) (*Output, error) {
	for i := range c.Outputs {
		if c.Outputs[i].ID == outputID {
			return &c.Outputs[i], nil
		}
	}
	return nil, kindErr(streams.KindNotFound, "Output id %s not found.", outputID)
}

// ReferenceByID returns the reference data source with id.
func (c *Config) ReferenceByID(refID string) (*Reference, error) {
	for i := range c.References {
		if c.References[i].ID == refID {
			return &c.References[i], nil
		}
	}
	return nil, kindErr(streams.KindNotFound, "Reference id %s not found.", refID)
}

// LoggingByID returns the CloudWatch logging option with id.
func (c *Config) LoggingByID(logID string) (*LoggingOption, error) {
	for i := range c.Logging {
		if c.Logging[i].ID == logID {
			return &c.Logging[i], nil
		}
	}
	return nil, kindErr(streams.KindNotFound, "CloudWatch logging option id %s not found.", logID)
}

// AddInput adds the streaming source (an application has at most one).
func (m *Manager) AddInput(sc streams.Scope, name string, version int64, in Input) error {
	return m.change(sc, name, version, KindCodeValidation, func(meta *appMeta) error {
		if len(meta.Config.Inputs) >= MaxInputs {
			return invalidArg("Application %s already has an input; it can have at most %d.", name, MaxInputs)
		}
		meta.LastID.Input++
		in.ID = id(meta.LastID.Input)
		in.StartingPosition = ""
		meta.Config.Inputs = append(meta.Config.Inputs, in)
		return nil
	})
}

// AddOutput adds a destination (at most three).
func (m *Manager) AddOutput(sc streams.Scope, name string, version int64, out Output) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if len(meta.Config.Outputs) >= MaxOutputs {
			return invalidArg("Application %s already has %d outputs, the limit.", name, MaxOutputs)
		}
		meta.LastID.Output++
		out.ID = id(meta.LastID.Output)
		meta.Config.Outputs = append(meta.Config.Outputs, out)
		return nil
	})
}

// AddReference adds a reference data source (at most one).
func (m *Manager) AddReference(sc streams.Scope, name string, version int64, ref Reference) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if len(meta.Config.References) >= MaxReferences {
			return invalidArg("Application %s already has a reference data source; it can have at most %d.", name, MaxReferences)
		}
		meta.LastID.Reference++
		ref.ID = id(meta.LastID.Reference)
		meta.Config.References = append(meta.Config.References, ref)
		return nil
	})
}

// AddLogging adds a CloudWatch logging option.
func (m *Manager) AddLogging(sc streams.Scope, name string, version int64, opt LoggingOption) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if len(meta.Config.Logging) >= MaxLoggingOptions {
			return invalidArg("Application %s already has a CloudWatch logging option; it can have at most %d.", name,
				MaxLoggingOptions)
		}
		meta.LastID.Logging++
		opt.ID = id(meta.LastID.Logging)
		meta.Config.Logging = append(meta.Config.Logging, opt)
		return nil
	})
}

// AddInputProcessing sets an input's Lambda preprocessor (one per input).
func (m *Manager) AddInputProcessing(sc streams.Scope, name string, version int64, inputID string, p Resource) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		in, err := meta.Config.InputByID(inputID)
		if err != nil {
			return err
		}
		if in.Processor != nil {
			return invalidArg("Input %s already has an input processing configuration.", inputID)
		}
		p.Type = Lambda
		in.Processor = &p
		return nil
	})
}

// DeleteInputProcessing removes an input's preprocessor.
func (m *Manager) DeleteInputProcessing(sc streams.Scope, name string, version int64, inputID string) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		in, err := meta.Config.InputByID(inputID)
		if err != nil {
			return err
		}
		if in.Processor == nil {
			return kindErr(streams.KindNotFound, "Input %s has no input processing configuration.", inputID)
		}
		in.Processor = nil
		return nil
	})
}

// DeleteOutput removes a destination.
func (m *Manager) DeleteOutput(sc streams.Scope, name string, version int64, outputID string) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if _, err := meta.Config.OutputByID(outputID); err != nil {
			return err
		}
		meta.Config.Outputs = deleteByID(meta.Config.Outputs, func(o Output) bool { return o.ID == outputID })
		return nil
	})
}

// DeleteReference removes a reference data source.
func (m *Manager) DeleteReference(sc streams.Scope, name string, version int64, refID string) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if _, err := meta.Config.ReferenceByID(refID); err != nil {
			return err
		}
		meta.Config.References = deleteByID(meta.Config.References, func(r Reference) bool { return r.ID == refID })
		return nil
	})
}

// DeleteLogging removes a CloudWatch logging option.
func (m *Manager) DeleteLogging(sc streams.Scope, name string, version int64, logID string) error {
	return m.change(sc, name, version, streams.KindInvalidArgument, func(meta *appMeta) error {
		if _, err := meta.Config.LoggingByID(logID); err != nil {
			return err
		}
		meta.Config.Logging = deleteByID(meta.Config.Logging, func(l LoggingOption) bool { return l.ID == logID })
		return nil
	})
}

func deleteByID[T any](s []T, match func(T) bool) []T {
	out := s[:0:0]
	for _, v := range s {
		if !match(v) {
			out = append(out, v)
		}
	}
	return out
}

// sortedTags returns tag keys in order, for stable answers.
func sortedTags(t map[string]string) []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hydrantio/hydrant/streams"
)

// TestTagDuringUpdate tags an application while an update of its configuration is under way (the
// update holds the application while its run restarts, which may take long: reference data loads).
// Tags are not configuration: the tag must survive the update, which replaces the configuration.
func TestTagDuringUpdate(t *testing.T) {
	e := newEnv(t)
	s := e.create("app", tickerConfig())
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	inStop, release := make(chan struct{}), make(chan struct{})
	e.runs.onStop = func() { inStop <- struct{}{}; <-release }
	done := make(chan error)
	go func() {
		done <- e.m.Update(scope, "app", 1, func(c *Config) error { c.Description = "v2"; return nil })
	}()
	<-inStop // the update is stopping the run, to start it again with the new configuration
	if err := e.m.Tag(scope, s.ARN, map[string]string{"team": "data"}); err != nil {
		t.Fatal(err)
	}
	e.runs.onStop = nil
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tags, err := e.m.ListTags(scope, s.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 1 || tags[0] != (Tag{Key: "team", Value: "data"}) {
		t.Fatalf("tags after the update: %v, want team=data", tags)
	}
	if d := e.describe("app"); d.Version != 2 || d.Config.Description != "v2" {
		t.Fatalf("update not applied: version %d, description %q", d.Version, d.Config.Description)
	}

	// An update the runtime refuses is undone; a tag given while it was tried stays.
	e.runs.badCode = "-- does not compile"
	inStart := make(chan struct{})
	release = make(chan struct{})
	e.runs.onStart = func() { inStart <- struct{}{}; <-release }
	go func() {
		done <- e.m.Update(scope, "app", 2, func(c *Config) error { c.Code = e.runs.badCode; return nil })
	}()
	<-inStart
	if err := e.m.Tag(scope, s.ARN, map[string]string{"owner": "ops"}); err != nil {
		t.Fatal(err)
	}
	e.runs.onStart = nil
	close(release)
	wantKind(t, <-done, KindCodeValidation, "NOPE")
	if tags, err := e.m.ListTags(scope, s.ARN); err != nil || len(tags) != 2 {
		t.Fatalf("tags after a refused update: %v %v, want owner and team", tags, err)
	}
	if d := e.describe("app"); d.Version != 2 || d.Config.Code != pumpSQL || d.Status != StatusRunning {
		t.Fatalf("after a refused update: version %d, status %s, code %q", d.Version, d.Status, d.Config.Code)
	}
}

// TestUpdateDuringClose updates a RUNNING application while the server shuts down: the run cannot
// start again, but the application must stay RUNNING on disk, so that the next Open resumes it. A
// shutdown is not a reason for it to stop for good.
func TestUpdateDuringClose(t *testing.T) {
	e := newEnv(t)
	e.create("app", tickerConfig())
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	inStop, release := make(chan struct{}), make(chan struct{})
	e.runs.onStop = func() { inStop <- struct{}{}; <-release }
	done := make(chan error)
	go func() {
		done <- e.m.Update(scope, "app", 1, func(c *Config) error { c.Description = "v2"; return nil })
	}()
	<-inStop // the update is stopping the run
	e.runs.onStop = nil
	closed := make(chan error)
	go func() { closed <- e.m.Close() }()
	for !e.m.isClosed() { // Close marks the manager closed, then waits for the update
		runtime.Gosched()
	}
	close(release)
	if err := <-done; err == nil {
		t.Fatal("the update succeeded on a closed manager")
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.dir, "analytics", scope.Account, scope.Region, "app", "application.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta appMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Status != StatusRunning {
		t.Fatalf("status on disk after an update cut short by Close: %s, want RUNNING", meta.Status)
	}
	e.open()
	if st := e.describe("app").Status; st != StatusRunning {
		t.Fatalf("status after reopening: %s, want RUNNING", st)
	}
}

// TestRefusedChangeKinds changes a RUNNING application so that its SQL no longer compiles: the change
// is undone and refused with an exception the operation's model lists.
func TestRefusedChangeKinds(t *testing.T) {
	e := newEnv(t)
	e.create("app", tickerConfig())
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	e.runs.badCode = "-- does not compile"
	err := e.m.Update(scope, "app", 1, func(c *Config) error { c.Code = e.runs.badCode; return nil })
	wantKind(t, err, KindCodeValidation, `"NOPE" does not exist`) // UpdateApplication lists CodeValidationException
	nope := tickerConfig().Outputs[0]
	nope.Name = "NOPE"
	err = e.m.AddOutput(scope, "app", 1, nope)
	wantKind(t, err, streams.KindInvalidArgument, `output "NOPE"`) // AddApplicationOutput does not
	if d := e.describe("app"); d.Version != 1 || len(d.Config.Outputs) != 1 || d.Status != StatusRunning {
		t.Fatalf("after refused changes: version %d, %d outputs, %s", d.Version, len(d.Config.Outputs), d.Status)
	}
}

// TestStartUnknownInputs gives StartApplication two input ids the application does not have: the
// answer names the same one every time (the first by id), not one picked by map order.
func TestStartUnknownInputs(t *testing.T) {
	e := newEnv(t)
	e.create("app", tickerConfig())
	for range 20 {
		err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow, "2.1": StartNow, "3.1": StartNow})
		wantKind(t, err, streams.KindInvalidArgument, "Input id 2.1 not found")
	}
}

// TestTagDuringDelete tags an application while it is being deleted: the tag is refused
// (ResourceInUseException), rather than saved into a directory on its way to the trash, which failed
// with an internal error once the directory had moved.
func TestTagDuringDelete(t *testing.T) {
	e := newEnv(t)
	s := e.create("app", tickerConfig())
	if err := e.m.Start(scope, "app", map[string]string{"1.1": StartNow}); err != nil {
		t.Fatal(err)
	}
	created := e.describe("app").Created
	inStop, release := make(chan struct{}), make(chan struct{})
	e.runs.onStop = func() { inStop <- struct{}{}; <-release }
	done := make(chan error)
	go func() { done <- e.m.Delete(scope, "app", created) }()
	<-inStop
	err := e.m.Tag(scope, s.ARN, map[string]string{"team": "data"})
	close(release)
	wantKind(t, err, streams.KindInUse, "DELETING")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.m.Tag(scope, s.ARN, map[string]string{"team": "data"}), streams.KindNotFound, "not found")
}

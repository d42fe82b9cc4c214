package app

import (
	"errors"
	"time"
)

// A RUNNING application keeps running, as Kinesis Data Analytics keeps it running: there is no FAILED
// status. When its run cannot begin (at Open, its reference data's S3 endpoint is not up yet; after a
// refused update, its source stream was deleted) or ends by itself (a destination was deleted, a disk
// filled), the application stays RUNNING and a goroutine tries again, from the last checkpoint, with a
// growing wait, until a run starts, the application is stopped, changed or deleted, or the Manager
// closes. The checkpoint and the output dedupe make a restarted run's output exactly the output the
// failed run would have written. Every failure is logged, and RunErr reports the last one.

// stableRun is how long a run must have lasted for its failure to start the waits afresh: a run that
// fails as soon as it starts (its destination is gone) is retried less and less often.
const stableRun = time.Minute

// maxRetryWait caps the wait between attempts.
const maxRetryWait = time.Minute

// resume starts again, at Open, an application that was RUNNING when the server stopped, and retries
// it if it cannot start. The caller holds a.ctl.
func (m *Manager) resume(a *application) {
	err := m.startLocked(a, a.meta(), lastStopped(&a.meta().Config), false)
	if err == nil || errors.Is(err, errClosed) {
		return
	}
	m.log.Error("analytics: application not resumed; retrying", "application", a.key.name, "account", a.key.account,
		"region", a.key.region, "err", err)
	a.lastErr = err
	m.retryLater(a)
}

// watch waits for run, a's new run, to end by itself; it then retries the application. A run ended
// by Stop, an update, a delete or Close is no longer a.run when the watcher gets a.ctl, and the
// watcher leaves it. The caller holds a.ctl.
func (m *Manager) watch(a *application, run Run) {
	started := time.Now()
	m.resumers.Add(1)
	go func() {
		defer m.resumers.Done()
		select {
		case <-run.Done():
		case <-m.ctx.Done():
			return // Close stops the runs itself
		}
		a.ctl.Lock()
		defer a.ctl.Unlock()
		if a.run != run {
			return
		}
		a.run = nil
		err := run.Err()
		if serr := run.Stop(); err == nil {
			err = serr
		}
		if err == nil {
			err = errors.New("the run ended by itself")
		}
		a.lastErr = err
		if a.backoff == 0 || time.Since(started) >= stableRun {
			a.backoff = m.opts.ResumeRetry
		} else {
			a.backoff = min(2*a.backoff, maxRetryWait)
		}
		m.log.Error("analytics: application run failed; restarting it from its last checkpoint", "application",
			a.key.name, "account", a.key.account, "region", a.key.region, "err", err, "wait", a.backoff)
		m.retryLater(a)
	}()
}

// retryLater starts the goroutine that retries a, or, if one is already at it (waiting from an earlier
// failure, while a run started by an update failed too), has it start its wait again with a.backoff.
// The caller holds a.ctl.
func (m *Manager) retryLater(a *application) {
	if a.backoff == 0 {
		a.backoff = m.opts.ResumeRetry
	}
	if a.kick == nil {
		a.kick = make(chan struct{}, 1)
	}
	if a.retrying {
		select {
		case a.kick <- struct{}{}:
		default:
		}
		return
	}
	a.retrying = true
	kick := a.kick
	m.resumers.Add(1)
	go func() {
		defer m.resumers.Done()
		for {
			a.ctl.Lock()
			wait := a.backoff
			a.ctl.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-m.ctx.Done():
				t.Stop()
				a.ctl.Lock()
				a.retrying = false
				a.ctl.Unlock()
				return
			case <-kick:
				t.Stop()
				continue
			case <-t.C:
			}
			if done := m.retryResume(a); done {
				return
			}
		}
	}()
}

// retryResume makes one more attempt; it reports whether retrying is over.
func (m *Manager) retryResume(a *application) bool {
	a.ctl.Lock()
	defer a.ctl.Unlock()
	meta := a.meta()
	a.mu.Lock()
	deleted := a.mu.deleted
	a.mu.Unlock()
	if a.run != nil || meta.Status != StatusRunning || deleted {
		a.retrying = false
		return true // started, stopped, changed or deleted meanwhile
	}
	err := m.startLocked(a, meta, lastStopped(&meta.Config), false)
	switch {
	case err == nil:
		m.log.Info("analytics: application running again", "application", a.key.name, "account", a.key.account,
			"region", a.key.region)
		a.retrying = false
		return true
	case errors.Is(err, errClosed):
		a.retrying = false
		return true
	}
	a.lastErr = err
	a.backoff = min(2*a.backoff, maxRetryWait)
	m.log.Warn("analytics: application not started again; retrying", "application", a.key.name, "err", err,
		"wait", a.backoff)
	return false
}

package app

import (
	"errors"
	"time"
)

// resume starts again, at Open, an application that was RUNNING when the server stopped. If it cannot
// start (its reference data's S3 endpoint is not up yet, a source stream is missing), it stays RUNNING,
// as Kinesis Data Analytics keeps an application running, and a goroutine tries again with a growing
// wait until it starts, the application is stopped, changed or deleted (its status is no longer RUNNING,
// or a run exists), or the Manager closes. Every failure is logged. The caller holds a.ctl.
func (m *Manager) resume(a *application) {
	err := m.startLocked(a, a.meta(), lastStopped(&a.meta().Config), false)
	if err == nil || errors.Is(err, errClosed) {
		return
	}
	m.log.Error("analytics: application not resumed; retrying", "application", a.key.name, "account", a.key.account,
		"region", a.key.region, "err", err)
	m.resumers.Add(1)
	go func() {
		defer m.resumers.Done()
		wait := m.opts.ResumeRetry
		for {
			t := time.NewTimer(wait)
			select {
			case <-m.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if done := m.retryResume(a); done {
				return
			}
			wait = min(2*wait, time.Minute)
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
		return true // started, stopped, changed or deleted meanwhile
	}
	err := m.startLocked(a, meta, lastStopped(&meta.Config), false)
	switch {
	case err == nil:
		m.log.Info("analytics: application resumed", "application", a.key.name, "account", a.key.account,
			"region", a.key.region)
		return true
	case errors.Is(err, errClosed):
		return true
	}
	m.log.Warn("analytics: application not resumed; retrying", "application", a.key.name, "err", err)
	return false
}

package sinks_test

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/leakcheck"
)

// TestMain fails the run if a goroutine of the package outlives the tests: every Put must wait for
// the part uploads it started.
func TestMain(m *testing.M) { leakcheck.Main(m, "hydrant/sinks.") }

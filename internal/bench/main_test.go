package bench

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/leakcheck"
)

// TestMain fails the run if a test leaves a goroutine of this package behind.
func TestMain(m *testing.M) { leakcheck.Main(m, "internal/bench.") }

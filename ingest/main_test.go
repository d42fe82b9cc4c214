package ingest

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/leakcheck"
)

// TestMain fails the run if a test leaves goroutines of this package or of net/http behind: every
// goroutine has an owner that must stop it (servers are shut down, clients close idle connections).
func TestMain(m *testing.M) { leakcheck.Main(m, "hydrant/ingest.", "net/http.") }

package sqlcli

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/leakcheck"
)

// A query run owns no goroutine: anything of this package still running after the tests is a leak.
func TestMain(m *testing.M) { leakcheck.Main(m, "hydrant/internal/sqlcli.") }

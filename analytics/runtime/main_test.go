package runtime

import (
	"testing"

	"github.com/hydrantio/hydrant/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m, "hydrant/analytics/runtime.") }

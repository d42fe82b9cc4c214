package main

import (
	"context"
	"io"

	"github.com/hydrantio/hydrant/internal/sqlcli"
)

// sqlCommand is `hydrant sql`: run a query against a live stream, or `hydrant sql check` application
// files. The logic is in internal/sqlcli.
func sqlCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return sqlcli.Main(ctx, args, stdout, stderr)
}

#!/usr/bin/env bash
# Prints the path of the MinIO server binary that the tests run, building it first if the cache
# lacks it: a pinned `go install` into ${XDG_CACHE_HOME:-~/.cache}/hydrant-test/bin, once per
# version (about 3 minutes on two cores). Progress goes to stderr, the path alone to stdout:
#
#   export HYDRANT_MINIO_BIN="$(scripts/minio.sh)"    # what scripts/test.sh does
#
# internal/miniotest starts servers from that binary. Change the pin here only.
set -euo pipefail

version=v0.0.0-20260212201848-7aac2a2c5b7c
dir="${XDG_CACHE_HOME:-$HOME/.cache}/hydrant-test/bin"
bin="$dir/minio-$version"

if [ ! -x "$bin" ]; then
  echo "== building MinIO $version into $dir (once; about 3 minutes)" >&2
  mkdir -p "$dir"
  tmp="$(mktemp -d "$dir/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  # Outside any module and workspace, so that only MinIO's own go.mod decides its dependencies.
  (cd "$tmp" && GOWORK=off GOFLAGS= GOBIN="$tmp" go install "github.com/minio/minio@$version" >&2)
  mv "$tmp/minio" "$bin" # atomic: a build cut short leaves no binary behind
fi
echo "$bin"

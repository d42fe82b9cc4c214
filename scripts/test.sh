#!/usr/bin/env bash
# Runs every Hydrant test: this is the README's test command, and .ci/run calls it.
#   - go vet, then all Go tests (unit, integration with aws-sdk-go-v2, fuzz seed corpora as ordinary
#     tests, benchmarks compiled but not run), with the race detector on the concurrent packages;
#   - the end-to-end tests in e2e/ against a real `hydrant serve`: the acceptance walk-throughs (aws CLI,
#     boto3), the kill -9 crash test, and the JavaScript SDK v3 over h2c (installed here from npm into a
#     cache under ${XDG_CACHE_HOME:-~/.cache}/hydrant-test).
set -euo pipefail
cd "$(dirname "$0")/.."

# The transforms codec tests read objects back with tools that are not ours (Debian packages):
# gzip, unzip, zstd, snappy-java run by java's source launcher (needs a JDK), and python-snappy,
# which Debian installs for /usr/bin/python3 only. Installed only when missing.
need=()
command -v gzip >/dev/null || need+=(gzip)
command -v unzip >/dev/null || need+=(unzip)
command -v zstd >/dev/null || need+=(zstd)
command -v javac >/dev/null || need+=(default-jdk-headless)
[ -f /usr/share/java/snappy-java.jar ] || need+=(libsnappy-java)
/usr/bin/python3 -c 'import snappy.hadoop_snappy' 2>/dev/null || need+=(python3-snappy)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} from Debian for the codec tests"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/hydrant-test"
mkdir -p "$cache/js"
if [ ! -d "$cache/js/node_modules/@aws-sdk/client-kinesis" ] || ! cmp -s e2e/js/package.json "$cache/js/package.json"; then
  echo "== installing the JavaScript SDK v3 into $cache/js"
  cp e2e/js/package.json "$cache/js/package.json"
  (cd "$cache/js" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
export HYDRANT_JS_MODULES="$cache/js/node_modules"

# --- MinIO: the real S3 server of the sink and delivery tests (internal/miniotest) -----------------
# Built once into the cache by scripts/minio.sh (a pinned go install, about 3 minutes the first time).
# With HYDRANT_REQUIRE_MINIO=1 a test that finds no binary fails instead of skipping.
HYDRANT_MINIO_BIN="$(scripts/minio.sh)"
export HYDRANT_MINIO_BIN HYDRANT_REQUIRE_MINIO=1
# --- end MinIO -------------------------------------------------------------------------------------

echo "== go vet"
go vet ./...
echo "== go test (race detector on the concurrent packages)"
go test -race -count=1 -timeout 10m ./streams/... ./ingest/... ./internal/... ./sinks/... ./analytics/runtime/... ./analytics/app/...
echo "== go test (everything else, end-to-end included)"
go test -count=1 -timeout 15m $(go list ./... | grep -v -e /streams -e /ingest -e /internal/ -e /sinks -e /analytics/runtime -e /analytics/app)
echo "== all tests passed"

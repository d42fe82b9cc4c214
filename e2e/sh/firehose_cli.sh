#!/usr/bin/env bash
# The Firehose user flow of the README with the aws CLI, against `hydrant serve` delivering to MinIO:
# create-delivery-stream (the README's configuration, with a 1 s interval), put-record-batch,
# describe-delivery-stream, objects read back with `aws s3 ls/cp` and `gzip -dc`, update-destination
# (the new version id in the new objects' keys), list-delivery-streams, tags, delete-delivery-stream;
# then one delivery stream per compression format, each object opened with a reader that is not
# Hydrant's (gzip, unzip, zstd, python3's gzip and zipfile, snappy-java, python-snappy's Hadoop reader).
#
# usage: firehose_cli.sh flow|codecs HYDRANT_ENDPOINT S3_ENDPOINT
# (flow: the user flow; codecs: the compression formats)
# The bucket "lake" must exist; credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
# (Hydrant accepts any). Needs aws (v1 or v2), jq, gzip, unzip, zstd, java with
# /usr/share/java/snappy-java.jar, and a python3 that imports snappy. Exits non-zero on any surprise.
set -euo pipefail
part=$1 hydrant=$2 s3=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1} AWS_MAX_ATTEMPTS=1 AWS_PAGER=""
blob=()
case "$(aws --version 2>&1)" in aws-cli/2*) blob=(--cli-binary-format raw-in-base64-out) ;; esac

fh() { aws --endpoint-url "$hydrant" --output json "${blob[@]}" firehose "$@"; }
s3() { aws --endpoint-url "$s3" s3 "$@"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
dest='"BucketARN":"arn:aws:s3:::lake","RoleARN":"arn:aws:iam::000000000000:role/x"'

# records FROM TO: a --records argument with one JSON line per record; lines FROM TO: those lines.
records() { seq "$1" "$2" | jq -cs 'map({Data: ("{\"user\":\(.)}\n")})'; }
lines() { seq "$1" "$2" | sed 's/.*/{"user":&}/'; }
put() { # put NAME FROM TO
  local failed
  failed=$(fh put-record-batch --delivery-stream-name "$1" --records "$(records "$2" "$3")" | jq .FailedPutCount)
  [ "$failed" = 0 ] || fail "put-record-batch $1: FailedPutCount $failed"
}
# keys PREFIX: the object keys under PREFIX, one a line.
keys() { s3 ls --recursive "s3://lake/$1" | awk '{print $4}' || true; }
# wait_keys PREFIX PATTERN N: waits until N keys under PREFIX match the grep -E PATTERN, and prints them.
wait_keys() {
  local i got
  for i in $(seq 100); do
    got=$(keys "$1" | grep -E "$2" || true)
    if [ -n "$got" ] && [ "$(wc -l <<<"$got")" -ge "$3" ]; then echo "$got"; return; fi
    sleep 0.3
  done
  fail "no object matching $2 under $1: $(keys "$1" | tr '\n' ' ')"
}

case $part in
flow)
# --- The README's flow. ----------------------------------------------------------------------------
day=$(date -u +%Y/%m/%d)
arn=$(fh create-delivery-stream --delivery-stream-name clicks --extended-s3-destination-configuration \
  "{$dest,\"Prefix\":\"clicks/!{timestamp:yyyy/MM/dd}/\",\"ErrorOutputPrefix\":\"errors/!{firehose:error-output-type}/\",
    \"BufferingHints\":{\"SizeInMBs\":64,\"IntervalInSeconds\":1},\"CompressionFormat\":\"GZIP\"}" | jq -r .DeliveryStreamARN)
[ "$arn" = "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks" ] || fail "create-delivery-stream returned $arn"
ok "create-delivery-stream"
put clicks 1 100
ok "put-record-batch"

d=$(fh describe-delivery-stream --delivery-stream-name clicks)
[ "$(jq -r '.DeliveryStreamDescription | [.DeliveryStreamStatus, .VersionId, .DeliveryStreamType] | join(" ")' <<<"$d")" = "ACTIVE 1 DirectPut" ] ||
  fail "describe-delivery-stream: $d"
ext=$(jq -c '.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription' <<<"$d")
[ "$(jq -r '[.Prefix, .ErrorOutputPrefix, .CompressionFormat, .BufferingHints.SizeInMBs, .BufferingHints.IntervalInSeconds] | join(" ")' <<<"$ext")" = \
  "clicks/!{timestamp:yyyy/MM/dd}/ errors/!{firehose:error-output-type}/ GZIP 64 1" ] || fail "describe-delivery-stream destination: $ext"
ok "describe-delivery-stream"

# Keys in Firehose's shape: <prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id>.gz, the prefix's date
# that of the records' arrival.
shape='^clicks/[0-9]{4}/[0-9]{2}/[0-9]{2}/clicks-%s-[0-9]{4}(-[0-9]{2}){5}-[0-9a-f-]+\.gz$'
key=$(wait_keys clicks/ "$(printf "$shape" 1)" 1 | head -1)
case "$key" in "clicks/$day/"* | "clicks/$(date -u +%Y/%m/%d)/"*) ;; *) fail "object $key is not under clicks/$day/" ;; esac
s3 cp --quiet "s3://lake/$key" "$tmp/v1.gz"
gzip -dc "$tmp/v1.gz" >"$tmp/v1"
lines 1 100 | cmp - "$tmp/v1" || fail "$key does not hold records 1 to 100 in order"
encoding=$(aws --endpoint-url "$s3" s3api head-object --bucket lake --key "$key" --query ContentEncoding --output text)
[ "$encoding" = gzip ] || fail "$key has Content-Encoding $encoding"
ok "the object $key holds the records, gzip -dc reads it"

# UpdateDestination merges the update and bumps the version id, which the next objects' keys carry.
fh update-destination --delivery-stream-name clicks --current-delivery-stream-version-id 1 \
  --destination-id destinationId-000000000001 \
  --extended-s3-destination-update '{"BufferingHints":{"SizeInMBs":64,"IntervalInSeconds":2}}' >/dev/null
d=$(fh describe-delivery-stream --delivery-stream-name clicks)
[ "$(jq -r '.DeliveryStreamDescription | [.VersionId, .Destinations[0].ExtendedS3DestinationDescription.Prefix,
      .Destinations[0].ExtendedS3DestinationDescription.BufferingHints.IntervalInSeconds] | join(" ")' <<<"$d")" = \
  "2 clicks/!{timestamp:yyyy/MM/dd}/ 2" ] || fail "describe after update-destination: $d"
if out=$(fh update-destination --delivery-stream-name clicks --current-delivery-stream-version-id 1 \
  --destination-id destinationId-000000000001 --extended-s3-destination-update '{}' 2>&1); then
  fail "update-destination with a stale version id succeeded"
fi
grep -q ConcurrentModificationException <<<"$out" || fail "stale version id: $out"
put clicks 101 150
key2=$(wait_keys clicks/ "$(printf "$shape" 2)" 1)
[ "$(wc -l <<<"$key2")" = 1 ] || fail "more than one version-2 object: $key2"
s3 cp --quiet "s3://lake/$key2" - | gzip -dc | cmp - <(lines 101 150) || fail "$key2 does not hold records 101 to 150"
[ "$(keys clicks/ | wc -l)" = 2 ] || fail "objects under clicks/: $(keys clicks/)"
ok "update-destination: version 2 in the key $key2"

names=$(fh list-delivery-streams | jq -r '.DeliveryStreamNames | join(",")')
[ "$names" = "clicks" ] ||
  fail "list-delivery-streams: $names"
fh create-delivery-stream --delivery-stream-name views --s3-destination-configuration "{$dest}" >/dev/null
fh list-delivery-streams --limit 1 | jq -e '.HasMoreDeliveryStreams == true and .DeliveryStreamNames == ["clicks"]' >/dev/null ||
  fail "list-delivery-streams --limit 1"
ok "list-delivery-streams"

fh tag-delivery-stream --delivery-stream-name clicks --tags Key=team,Value=data Key=env,Value=test
[ "$(fh list-tags-for-delivery-stream --delivery-stream-name clicks | jq -c '[.Tags[] | [.Key, .Value]]')" = '[["env","test"],["team","data"]]' ] ||
  fail "list-tags-for-delivery-stream: $(fh list-tags-for-delivery-stream --delivery-stream-name clicks)"
fh untag-delivery-stream --delivery-stream-name clicks --tag-keys env
[ "$(fh list-tags-for-delivery-stream --delivery-stream-name clicks | jq -c '[.Tags[].Key]')" = '["team"]' ] || fail "untag-delivery-stream"
ok "tags"

fh delete-delivery-stream --delivery-stream-name clicks
if out=$(fh describe-delivery-stream --delivery-stream-name clicks 2>&1); then fail "describe after delete: $out"; fi
grep -q ResourceNotFoundException <<<"$out" || fail "describe after delete: $out"
fh list-delivery-streams | jq -e '.DeliveryStreamNames | index("clicks") == null' >/dev/null || fail "clicks still listed"
if out=$(fh put-record-batch --delivery-stream-name clicks --records "$(records 1 1)" 2>&1); then fail "put after delete: $out"; fi
grep -q ResourceNotFoundException <<<"$out" || fail "put after delete: $out"
ok "delete-delivery-stream"

;;
codecs)
# --- Every compression format, read back with standard tools. ------------------------------------
formats="UNCOMPRESSED GZIP ZIP Snappy HADOOP_SNAPPY ZSTD"
pids=()
for f in $formats; do
  name=codec-$(tr 'A-Z_' 'a-z-' <<<"$f")
  (
    fh create-delivery-stream --delivery-stream-name "$name" --extended-s3-destination-configuration \
      "{$dest,\"Prefix\":\"codecs/$f/\",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":1},\"CompressionFormat\":\"$f\"}" >/dev/null
    put "$name" 1 300
  ) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "creating the compression formats' delivery streams"; done

snappy_py=""
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import snappy.hadoop_snappy' 2>/dev/null; then snappy_py=$py; break; fi
done
[ -n "$snappy_py" ] || fail "no python3 imports snappy (apt-get install python3-snappy)"
lines 1 300 >"$tmp/want"
for i in $(seq 100); do # until every format has an object
  listed=$(keys codecs/) missing=""
  for f in $formats; do grep -q "^codecs/$f/" <<<"$listed" || missing+=" $f"; done
  [ -z "$missing" ] && break
  [ "$i" != 100 ] || fail "no object for$missing: $listed"
  sleep 0.3
done
s3 cp --quiet --recursive s3://lake/codecs/ "$tmp/codecs/"
for f in $formats; do
  case $f in
    UNCOMPRESSED) ext="" ;; GZIP) ext=.gz ;; ZIP) ext=.zip ;; Snappy | HADOOP_SNAPPY) ext=.snappy ;; ZSTD) ext=.zst ;;
  esac
  name=codec-$(tr 'A-Z_' 'a-z-' <<<"$f")
  pattern="^codecs/$f/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/$name-1-[0-9]{4}(-[0-9]{2}){5}-[0-9a-f-]+${ext//./\\.}\$"
  : >"$tmp/$f.all"
  for key in $(cd "$tmp" && find "codecs/$f" -type f | sort); do
    grep -qE "$pattern" <<<"$key" || fail "object $key: not Firehose's key shape"
    obj=$tmp/$key
    case $f in
      UNCOMPRESSED) cat "$obj" >"$obj.out" ;;
      GZIP)
        gzip -dc "$obj" >"$obj.out"
        python3 "$root/transforms/testdata/decode.py" gzip "$obj" "$obj.py" >/dev/null
        cmp "$obj.out" "$obj.py" || fail "python3 gzip reads $key differently" ;;
      ZIP)
        unzip -tq "$obj" >/dev/null || fail "unzip -t $key"
        unzip -p "$obj" >"$obj.out"
        python3 "$root/transforms/testdata/decode.py" zip "$obj" "$obj.py" >/dev/null
        cmp "$obj.out" "$obj.py" || fail "python3 zipfile reads $key differently" ;;
      Snappy) java -cp /usr/share/java/snappy-java.jar "$root/transforms/testdata/XerialDecode.java" "$obj" "$obj.out" >/dev/null ;;
      HADOOP_SNAPPY) "$snappy_py" "$root/transforms/testdata/decode.py" hadoop_snappy "$obj" "$obj.out" >/dev/null ;;
      ZSTD) zstd -dcq "$obj" >"$obj.out" ;;
    esac
    cat "$obj.out" >>"$tmp/$f.all"
  done
  sort "$tmp/$f.all" | cmp - <(sort "$tmp/want") || fail "$f objects do not hold records 1 to 300 exactly once"
  ok "$f: objects with extension '$ext' hold every record once"
done
;;
*) fail "usage: firehose_cli.sh flow|codecs HYDRANT_ENDPOINT S3_ENDPOINT" ;;
esac
echo "all ok"

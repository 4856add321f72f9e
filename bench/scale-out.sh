#!/usr/bin/env bash
# Scale-out benchmark (issue 12, section 4), on this machine, over loopback. See bench/README.md, "Scale-out".
#
#   bash bench/scale-out.sh                      # after ./mvnw -q -DskipTests package; needs PostgreSQL and nginx
#   BENCH_PARTS=b bash bench/scale-out.sh        # only part (b)
#
# (a) 1 GiB upload and download through S3Proxy: bench/run.sh, with Wharf on `--storage s3` and docker-registry on
#     its own s3 driver, both against one S3Proxy (filesystem backend) started here. Targets: Wharf >= 1.5x the peer
#     on upload, >= 1x on download. Skipped, with a message, when this Wharf has no `--storage` option or there is
#     no S3Proxy jar at S3PROXY_JAR (default target/s3proxy-lib/s3proxy.jar, which the build copies there).
# (b) Manifest HEAD and small-blob GET throughput (ab, keep-alive, authenticated with a registry token) against one
#     node directly, one node behind nginx, and two nodes behind nginx (round-robin), all in one run: two Wharf JVMs
#     on one fresh PostgreSQL database and one shared data directory, nginx from bench/nginx-lb.conf. On a machine
#     with few cores the nodes, nginx and ab share the same CPUs, so the figures show the proxy's and the second
#     node's overhead, not scaling; the results say so.
set -euo pipefail

# RECOMMENDED_JVM_FLAGS, log, die, free_port, wait_http, ab_check, stop_pid, wharf_admin_pat:
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_PARTS="${BENCH_PARTS:-a b}"                 # which parts to run
BENCH_AB_SECONDS="${BENCH_AB_SECONDS:-10}"        # each timed ab run
BENCH_AB_WARMUP="${BENCH_AB_WARMUP:-15}"          # seconds of untimed requests per target and kind before timing
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"      # ab concurrency
BENCH_BLOB_BYTES="${BENCH_BLOB_BYTES:-4096}"      # size of the small blob
BENCH_PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"       # part (b) creates, and drops, a fresh database here (psql)
BENCH_PG_USER="${BENCH_PG_USER:-postgres}"
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/scale-out-latest.txt}"
BENCH_S3_RESULTS="${BENCH_S3_RESULTS:-$BENCH_DIR/results/scale-out-s3.txt}"
S3PROXY_JAR="${S3PROXY_JAR:-$REPO_ROOT/target/s3proxy-lib/s3proxy.jar}"   # S3Proxy, self-contained, for part (a)
MANIFEST_TYPE="application/vnd.oci.image.manifest.v1+json"
REPO=admin/scale
TAG=bench

WORK=""
PIDS=()
DATABASE=""
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    if [[ -n $DATABASE ]]; then
        psql -h "$BENCH_PG_HOST" -U "$BENCH_PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" \
            >/dev/null 2>&1 || true
    fi
    remove_work "$rc" "logs"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nginx_binary() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || die "needs nginx (apt-get install nginx-light)"; }

# start_nginx name port... -> starts nginx from bench/nginx-lb.conf in front of these Wharf ports; sets NGINX_PORT
start_nginx() {
    local dir=$WORK/$1 port upstreams="" p
    shift
    mkdir -p "$dir"
    port=$(free_port)
    for p in "$@"; do upstreams+="server 127.0.0.1:$p max_fails=1 fail_timeout=5s; "; done
    sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAMS@|$upstreams|" "$BENCH_DIR/nginx-lb.conf" >"$dir/nginx.conf"
    "$(nginx_binary)" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/console.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$port/healthz" "$!" "$dir/error.log"
    NGINX_PORT=$port
}

# start_node name port database-url data-dir key-file -> a Wharf node; returns once it answers
start_node() {
    local logf=$WORK/$1.log
    # shellcheck disable=SC2086  # the flags are a word list on purpose
    WHARF_ADMIN_PASSWORD=$ADMIN_PW "$JAVA" $WHARF_JAVA_OPTS -jar "$WHARF_JAR" serve --port "$2" --bind 127.0.0.1 \
        --database-url "$3" --data-dir "$4" --secret-key-file "$5" --trusted-proxies 127.0.0.1 >"$logf" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$2/healthz" "$!" "$logf"
}

# registry_token base -> a pull token for $REPO from the realm and service the base's challenge names
registry_token() {
    local chal realm service
    chal=$(curl -sS -m 10 -o /dev/null -D - "$1/v2/" | tr -d '\r' | awk 'tolower($1)=="www-authenticate:" {$1=""; print}')
    realm=$(sed -n 's/.*realm="\([^"]*\)".*/\1/p' <<<"$chal")
    service=$(sed -n 's/.*service="\([^"]*\)".*/\1/p' <<<"$chal")
    curl -sS -m 30 -G -u "admin:$PAT" --data-urlencode "service=$service" \
        --data-urlencode "scope=repository:$REPO:pull" "$realm" | jq -er '.token' || die "no registry token from $realm"
}

# push_small_image base -> pushes a config, a BENCH_BLOB_BYTES layer and a manifest as $REPO:$TAG; sets BLOB_DIGEST
push_small_image() {
    local base=$1 cfg=$WORK/config.json layer=$WORK/layer.bin f d loc manifest
    printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}' >"$cfg"
    head -c "$BENCH_BLOB_BYTES" /dev/urandom >"$layer"
    for f in "$cfg" "$layer"; do
        d="sha256:$(sha256sum "$f" | cut -d' ' -f1)"
        loc=$(curl -sS -m 30 -u "admin:$PAT" -o /dev/null -w '%{http_code}' -X POST \
            -H 'Content-Type: application/octet-stream' --data-binary "@$f" "$base/v2/$REPO/blobs/uploads/?digest=$d")
        [[ $loc == 201 ]] || die "blob upload answered $loc"
    done
    BLOB_DIGEST="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
    manifest=$(jq -cn --arg mt "$MANIFEST_TYPE" --arg c "sha256:$(sha256sum "$cfg" | cut -d' ' -f1)" \
        --argjson cs "$(stat -c %s "$cfg")" --arg l "$BLOB_DIGEST" --argjson ls "$(stat -c %s "$layer")" \
        '{schemaVersion:2,mediaType:$mt,config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
          layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar",digest:$l,size:$ls}]}')
    [[ $(curl -sS -m 30 -u "admin:$PAT" -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: $MANIFEST_TYPE" \
        --data-binary "$manifest" "$base/v2/$REPO/manifests/$TAG") == 201 ]] || die "manifest PUT failed"
}

# ab_rate label url seconds ab-options... -> req/s; fails unless every request answered 2xx
ab_rate() {
    local label=$1 url=$2 secs=$3 outf
    shift 3
    outf=$WORK/ab-$label-$RANDOM.txt
    timeout $((secs + 120)) ab -k -q -c "$BENCH_CONNECTIONS" -t "$secs" -n 100000000 "$@" "$url" >"$outf" 2>&1 \
        || { cat "$outf" >&2; die "ab failed ($label)"; }
    ab_check "$outf"
    awk '/^Requests per second/ {print $4}' "$outf"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

declare -A R=()

# measure target base: manifest HEAD and small-blob GET, each warmed up, then timed; load average with each figure
measure() {
    local target=$1 base=$2 jwt kind url opts rps
    jwt=$(registry_token "$base")
    for kind in head blob; do
        if [[ $kind == head ]]; then
            url="$base/v2/$REPO/manifests/$TAG"
            opts=(-i -H "Accept: $MANIFEST_TYPE")
        else
            url="$base/v2/$REPO/blobs/$BLOB_DIGEST"
            opts=()
        fi
        ab_rate "$target-$kind-warmup" "$url" "$BENCH_AB_WARMUP" "${opts[@]}" -H "Authorization: Bearer $jwt" >/dev/null
        R[$target.$kind.load_before]=$(loadavg)
        rps=$(ab_rate "$target-$kind" "$url" "$BENCH_AB_SECONDS" "${opts[@]}" -H "Authorization: Bearer $jwt")
        R[$target.$kind.req_s]=$rps
        R[$target.$kind.load_after]=$(loadavg)
        log "$target: $kind $rps req/s (load ${R[$target.$kind.load_before]} -> ${R[$target.$kind.load_after]})"
    done
}

part_b() {
    command -v psql >/dev/null || die "part (b) needs psql (apt-get install postgresql-client) and a PostgreSQL server"
    DATABASE="wharf_scale_$(date +%s)_$$"
    psql -h "$BENCH_PG_HOST" -U "$BENCH_PG_USER" -d postgres -qc "CREATE DATABASE $DATABASE" \
        || die "cannot create a database on $BENCH_PG_HOST as $BENCH_PG_USER"
    local url="jdbc:postgresql://$BENCH_PG_HOST:5432/$DATABASE?user=$BENCH_PG_USER" data=$WORK/shared-data
    local key=$WORK/secret.key p1 p2 lb1 lb2
    head -c 32 /dev/urandom | base64 >"$key"
    chmod 600 "$key"
    ADMIN_PW="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    p1=$(free_port)
    p2=$(free_port)
    log "(b): node 1 on $p1, node 2 on $p2 ($JAVA_DESC; $WHARF_JAVA_OPTS), one database, one data directory"
    start_node node1 "$p1" "$url" "$data" "$key"
    start_node node2 "$p2" "$url" "$data" "$key"
    start_nginx nginx-one "$p1"
    lb1=$NGINX_PORT
    start_nginx nginx-two "$p1" "$p2"
    lb2=$NGINX_PORT
    PAT=$(wharf_admin_pat "http://127.0.0.1:$p1" "$ADMIN_PW" scale-out)
    push_small_image "http://127.0.0.1:$p1"
    measure one_node "http://127.0.0.1:$p1"
    measure one_node_nginx "http://127.0.0.1:$lb1"
    measure two_nodes_nginx "http://127.0.0.1:$lb2"
}

report_b() {
    local t k cpus
    cpus=$(nproc)
    mkdir -p "$(dirname "$BENCH_RESULTS")"
    {
        echo "# Wharf scale-out benchmark, part (b) — bench/scale-out.sh; key=value, one per line"
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "host.cpus=$cpus"
        echo "host.cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
        echo "host.loadavg_at_start=$LOADAVG_START"
        echo "note=nodes, nginx and ab share $cpus CPUs: these figures show overhead, not scaling"
        echo "wharf.commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
        echo "wharf.java=$JAVA_DESC"
        echo "wharf.jvm_flags=$WHARF_JAVA_OPTS"
        echo "nginx.version=$("$(nginx_binary)" -v 2>&1 | sed 's/^nginx version: //')"
        echo "ab.connections=$BENCH_CONNECTIONS"
        echo "ab.seconds=$BENCH_AB_SECONDS"
        echo "blob_bytes=$BENCH_BLOB_BYTES"
        for t in one_node one_node_nginx two_nodes_nginx; do
            for k in head blob; do
                echo "$t.$k.req_s=${R[$t.$k.req_s]}"
                echo "$t.$k.loadavg_before=${R[$t.$k.load_before]}"
                echo "$t.$k.loadavg_after=${R[$t.$k.load_after]}"
            done
        done
    } >"$BENCH_RESULTS"
    printf '\n%s, %s CPUs, load average %s at the start\n' "$JAVA_DESC" "$cpus" "$LOADAVG_START"
    printf '%-28s %16s %16s   %s\n' "target" "manifest HEAD/s" "${BENCH_BLOB_BYTES} B GET/s" "load avg before -> after (HEAD; GET)"
    for t in one_node one_node_nginx two_nodes_nginx; do
        printf '%-28s %16s %16s   %s -> %s; %s -> %s\n' "${t//_/ }" "${R[$t.head.req_s]}" "${R[$t.blob.req_s]}" \
            "${R[$t.head.load_before]}" "${R[$t.head.load_after]}" "${R[$t.blob.load_before]}" "${R[$t.blob.load_after]}"
    done
    printf '\nThe nodes, nginx and ab share %s CPUs: these figures show the overhead of the proxy and of a second node, not scaling.\nResults: %s\n' \
        "$cpus" "$BENCH_RESULTS"
}

# ---- (a) ---------------------------------------------------------------------------------------------------------
part_a() {
    if ! "$JAVA" -jar "$WHARF_JAR" serve --help 2>&1 | grep -q -- '--storage'; then
        log "(a) skipped: this Wharf has no --storage option (the S3 blob store is not in $WHARF_JAR)"
        return 0
    fi
    if [[ ! -f $S3PROXY_JAR ]]; then
        log "(a) skipped: no S3Proxy jar at $S3PROXY_JAR (./mvnw -q -DskipTests package copies it there)"
        return 0
    fi
    local s3dir=$WORK/s3 port
    port=$(free_port)
    # The filesystem backend's buckets are the top-level directories of its basedir: this creates both buckets.
    mkdir -p "$s3dir/data/wharf" "$s3dir/data/peer"
    local access="bench-access" secret
    secret="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    cat >"$s3dir/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$s3dir/data
EOF
    "$JAVA" -Xmx256m -jar "$S3PROXY_JAR" --properties "$s3dir/s3proxy.properties" >"$WORK/s3proxy.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$port/" "$!" "$WORK/s3proxy.log"
    log "(a): S3Proxy on 127.0.0.1:$port; bench/run.sh with both servers on it"
    # Both servers carry the blob bytes themselves: docker-registry would otherwise answer blob GETs and HEADs with a
    # 307 to S3Proxy (Wharf's --s3-redirect is off by default), and the download would measure S3Proxy alone.
    # Without AWS_CA_BUNDLE: docker-registry 2.8.2's AWS SDK panics at start-up when it is set ("unable to load custom
    # CA bundle, HTTPClient's transport unsupported type"), and S3Proxy is plain HTTP on loopback anyway.
    BENCH_PEER_STORAGE="  s3:
    accesskey: $access
    secretkey: $secret
    region: us-east-1
    regionendpoint: http://127.0.0.1:$port
    forcepathstyle: true
    secure: false
    v4auth: true
    bucket: peer
  redirect:
    disable: true" \
    BENCH_WHARF_ARGS="--storage s3 --s3-endpoint http://127.0.0.1:$port --s3-region us-east-1 --s3-bucket wharf --s3-path-style" \
    WHARF_S3_ACCESS_KEY=$access WHARF_S3_SECRET_KEY=$secret BENCH_UPLOAD_TARGET=1.5 BENCH_RESULTS=$BENCH_S3_RESULTS BENCH_OWN_PID=$$ \
        env -u AWS_CA_BUNDLE bash "$BENCH_DIR/run.sh"
}

main() {
    local part
    for part in $BENCH_PARTS; do [[ $part == a || $part == b ]] || die "BENCH_PARTS: unknown part $part"; done
    for t in ab curl jq sha256sum ss; do command -v "$t" >/dev/null || die "needs $t (apt-get install apache2-utils curl jq)"; done
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package"
    JAVA_DESC=$("$JAVA" -version 2>&1 | head -n 1 | tr -d '"')
    LOADAVG_START=$(loadavg)
    log "load average: $LOADAVG_START; $JAVA_DESC"
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-scale.XXXXXX")
    for part in $BENCH_PARTS; do
        case $part in
            a) part_a ;;
            b) part_b; report_b ;;
        esac
    done
}

main "$@"

#!/usr/bin/env bash
# Wharf registry benchmark (issue 3, section 5): Wharf side by side with Debian's docker-registry
# (CNCF distribution 2.8.2), in one run, on this machine, over loopback. See bench/README.md.
#
#   bash bench/run.sh                       # after ./mvnw -q -DskipTests package
#   BENCH_SIZE_MIB=64 bash bench/run.sh     # quick run
#   BENCH_SIDES=peer bash bench/run.sh      # docker-registry only (no Wharf jar needed)
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bash bench/run.sh   # JDK 25: virtual threads
set -euo pipefail

# The recommended JVM flags (RECOMMENDED_JVM_FLAGS), log, die, free_port, wait_http, stop_pid, wharf_admin_pat:
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
BENCH_SIDES="${BENCH_SIDES:-peer wharf}"          # which servers to measure, in this order
BENCH_REPEAT="${BENCH_REPEAT:-3}"                 # curl uploads/downloads per side (distinct blobs); median reported
BENCH_AB_SECONDS="${BENCH_AB_SECONDS:-10}"        # length of each timed ab run
BENCH_AB_RETRIES="${BENCH_AB_RETRIES:-2}"         # extra ab attempts when other work disturbed one
BENCH_MAX_OTHER_CPU="${BENCH_MAX_OTHER_CPU:-10}"  # percent of all CPUs used by other work that still counts as quiet
BENCH_AB_WARMUP="${BENCH_AB_WARMUP:-60}"          # at most this many seconds of HEAD warm-up (c=32), in 5 s rounds
BENCH_QUIET_WAIT="${BENCH_QUIET_WAIT:-180}"       # seconds to wait, before each side, for other work to stop
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"     # needs ~(2 x BENCH_REPEAT + 4) x BENCH_SIZE_MIB free
BENCH_KEEP="${BENCH_KEEP:-0}"                     # 1: keep the temp dir (logs, data) after the run
BENCH_STRICT="${BENCH_STRICT:-0}"                 # 1: exit 3 when a target is missed
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/latest.txt}"
# Where the servers keep blobs (bench/scale-out.sh points both at S3Proxy): the peer's storage driver as YAML lines
# under "storage:" (default: filesystem in the temp dir), more `wharf serve` arguments, and the upload target.
BENCH_PEER_STORAGE="${BENCH_PEER_STORAGE:-}"
BENCH_WHARF_ARGS="${BENCH_WHARF_ARGS:-}"
BENCH_UPLOAD_TARGET="${BENCH_UPLOAD_TARGET:-3}"
# The process whose tree is the benchmark's own CPU use (not "other work"): scale-out.sh names itself, so that its
# S3Proxy, which both servers write through, is not counted as other work.
BENCH_OWN_PID="${BENCH_OWN_PID:-$$}"
RSS_BUDGET_MIB=300
WARM_READS=3                                      # warm downloads per blob (after each cold one)
REPO_NAME="admin/bench"                           # Wharf's site admin owns the namespace "admin"
TAG="bench"
MANIFEST_TYPE="application/vnd.oci.image.manifest.v1+json"
SERVER_START_TIMEOUT=90
XFER_TIMEOUT=1800                                 # upper bound for any single 1 GiB transfer, seconds

# ---- tools -----------------------------------------------------------------------------------------------------
ensure_tools() {
    local missing=()
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    command -v ab >/dev/null || missing+=(apache2-utils)
    command -v skopeo >/dev/null || missing+=(skopeo)
    command -v curl >/dev/null || missing+=(curl)
    command -v jq >/dev/null || missing+=(jq)
    if ((${#missing[@]})); then
        log "installing ${missing[*]} (apt)"
        [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    # The Debian package may start a system registry on :5000 where there is an init system; we never use it.
    local t
    for t in sha256sum head tar awk ss timeout; do command -v "$t" >/dev/null || die "missing $t"; done
}

# ---- processes and cleanup -------------------------------------------------------------------------------------
WORK=""
SERVER_PID=""
cleanup() {
    local rc=$?
    stop_server
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ $BENCH_KEEP == 1 || $rc != 0 ]]; then
            log "kept $WORK (logs: $WORK/*.log); remove it with: rm -rf '$WORK'"
            # the big files are useless for debugging
            rm -rf "$WORK/src" "$WORK"/*-data "$WORK"/pull-* 2>/dev/null || true
        else
            rm -rf "$WORK"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_server() { stop_pid "$SERVER_PID"; SERVER_PID=""; }

cpu_busy_pct() { # share of all CPUs busy over the next 2 s, from /proc/stat
    local a b
    a=$(awk '/^cpu / { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat)
    sleep 2
    b=$(awk '/^cpu / { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
        d = y[2] - x[2]; printf "%d", ((d > 0) ? 100 * (y[1] - x[1]) / d : 0) }'
}

# The benchmark shares the machine with whatever else runs (builds, test suites). Wait, boundedly, until the CPUs
# are nearly idle, and record how busy they were, so that a noisy run is visible in the results.
wait_quiet() { # side
    local busy deadline=$((SECONDS + BENCH_QUIET_WAIT))
    while :; do
        busy=$(cpu_busy_pct)
        ((busy <= BENCH_MAX_OTHER_CPU || SECONDS >= deadline)) && break
        log "$1: CPUs ${busy}% busy with other work; waiting (up to ${BENCH_QUIET_WAIT}s in all)"
    done
    ((busy <= BENCH_MAX_OTHER_CPU)) || log "$1: WARNING: starting while the CPUs are ${busy}% busy with other work; figures will be skewed"
    R[$1.cpu_busy_before_pct]=$busy
}

# CPU used by other work during a phase: the CPU time of every user-space process outside BENCH_OWN_PID's process
# tree (the server, curl, skopeo and ab are all in it), counting the children they reaped, over all CPU time in
# /proc/stat. Kernel threads (writeback, loopback softirq) are left out: they mostly work for the benchmark itself.
# cpu_mark prints "total other" in clock ticks.
cpu_mark() {
    local total
    total=$(awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
    # shellcheck disable=SC2016
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v me="$BENCH_OWN_PID" -v total="$total" '
        { pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
          ppid[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
        END {
            other = 0
            for (p in ticks) {
                if (p == 2 || ppid[p] == 2) continue          # kernel threads
                q = p; ours = 0
                for (n = 0; n < 64 && q > 1; n++) { if (q == me) { ours = 1; break }; q = ppid[q] }
                if (!ours) other += ticks[p]
            }
            printf "%d %d\n", total, other
        }'
}
other_cpu_pct() { # "mark before" "mark after" -> percent of all CPUs used by other work in between
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; o = y[2] - x[2];
        if (o < 0) o = 0; printf "%d", (t > 0) ? 100 * o / t : 0 }'
}

peak_rss_mib() { # pid -> VmHWM in MiB (peak resident set since start)
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# ---- test data -------------------------------------------------------------------------------------------------
make_data() {
    local src=$WORK/src
    mkdir -p "$src"
    log "generating ${BENCH_SIZE_MIB} MiB of random data"
    head -c "$((BENCH_SIZE_MIB * 1024 * 1024))" /dev/urandom >"$src/blob.1.bin"
    BLOB_SIZE=$(stat -c %s "$src/blob.1.bin")
    # BENCH_REPEAT distinct blobs (a registry may skip work for a digest it already has): copies of the first one
    # with a different first 4 KiB.
    local i
    for ((i = 2; i <= BENCH_REPEAT; i++)); do
        cp "$src/blob.1.bin" "$src/blob.$i.bin"
        head -c 4096 /dev/urandom | dd of="$src/blob.$i.bin" conv=notrunc status=none
    done
    BLOB_DIGESTS=()
    for ((i = 1; i <= BENCH_REPEAT; i++)); do
        BLOB_DIGESTS[i]="sha256:$(sha256sum "$src/blob.$i.bin" | cut -d' ' -f1)"
    done
    head -c $((16 * 1024 * 1024)) /dev/urandom >"$src/warm.bin"
    WARM_SIZE=$(stat -c %s "$src/warm.bin")
    WARM_DIGEST="sha256:$(sha256sum "$src/warm.bin" | cut -d' ' -f1)"

    # An OCI image layout with one gzip layer holding a different random file of the same size. The layer must be
    # compressed already: skopeo gzips uncompressed layers on push to a registry, and gzip (~25 MiB/s on random
    # data) would then be the whole measurement. Python's zlib at level 0 (stored blocks) writes it in a second;
    # without python3, gzip -1 takes ~40 s per GiB, once.
    log "building the OCI image layout"
    local layout=$src/oci
    mkdir -p "$layout/blobs/sha256" "$src/rootfs"
    head -c "$((BENCH_SIZE_MIB * 1024 * 1024))" /dev/urandom >"$src/rootfs/payload.bin"
    tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$src/rootfs" -cf "$src/layer.tar" payload.bin
    rm -rf "$src/rootfs"
    local diffid lhex lsize chex csize mhex msize
    diffid=$(sha256sum "$src/layer.tar" | cut -d' ' -f1)
    if ! python3 -c 'import gzip, shutil, sys
with open(sys.argv[1], "rb") as i, gzip.GzipFile(sys.argv[2], "wb", compresslevel=0, mtime=0) as o:
    shutil.copyfileobj(i, o, 1 << 20)' "$src/layer.tar" "$src/layer.tar.gz" 2>/dev/null; then
        log "(no python3: gzip -1, slower)"
        gzip -1 -n -c "$src/layer.tar" >"$src/layer.tar.gz"
    fi
    rm -f "$src/layer.tar"
    lhex=$(sha256sum "$src/layer.tar.gz" | cut -d' ' -f1)
    lsize=$(stat -c %s "$src/layer.tar.gz")
    mv "$src/layer.tar.gz" "$layout/blobs/sha256/$lhex"
    jq -cn --arg d "sha256:$diffid" \
        '{architecture:"amd64",os:"linux",config:{},rootfs:{type:"layers",diff_ids:[$d]}}' >"$src/config.json"
    chex=$(sha256sum "$src/config.json" | cut -d' ' -f1)
    csize=$(stat -c %s "$src/config.json")
    mv "$src/config.json" "$layout/blobs/sha256/$chex"
    jq -cn --arg mt "$MANIFEST_TYPE" --arg c "sha256:$chex" --argjson cs "$csize" --arg l "sha256:$lhex" --argjson ls "$lsize" \
        '{schemaVersion:2,mediaType:$mt,
          config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
          layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$l,size:$ls}]}' >"$src/manifest.json"
    mhex=$(sha256sum "$src/manifest.json" | cut -d' ' -f1)
    msize=$(stat -c %s "$src/manifest.json")
    mv "$src/manifest.json" "$layout/blobs/sha256/$mhex"
    jq -cn --arg mt "$MANIFEST_TYPE" --arg m "sha256:$mhex" --argjson ms "$msize" --arg t "$TAG" \
        '{schemaVersion:2,manifests:[{mediaType:$mt,digest:$m,size:$ms,annotations:{"org.opencontainers.image.ref.name":$t}}]}' \
        >"$layout/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
    LAYER_DIGEST="sha256:$lhex"
    MANIFEST_DIGEST="sha256:$mhex"
    OCI_LAYOUT=$layout
}

# ---- per-server helpers ----------------------------------------------------------------------------------------
# BASE (http://127.0.0.1:P), AUTH (array of curl args), SKOPEO_CREDS (array), TOKEN_FN (function name or empty)
AUTH=()
refresh_auth() { # scope actions -> sets AUTH for the current side
    if [[ -n ${TOKEN_FN:-} ]]; then
        local jwt
        jwt=$("$TOKEN_FN" "$1")
        AUTH=(-H "Authorization: Bearer $jwt")
    else
        AUTH=()
    fi
}

abs_location() { # location header -> absolute URL
    local loc=$1
    case $loc in
        http://* | https://*) printf '%s' "$loc" ;;
        /*) printf '%s%s' "$BASE" "$loc" ;;
        *) die "unexpected upload Location: $loc" ;;
    esac
}

# upload_blob file digest -> prints "<seconds>" of the PUT carrying the body; fails unless 201
upload_blob() {
    local file=$1 digest=$2 hdrs loc code sep out
    hdrs=$(curl -sS -m 60 -D - -o /dev/null -X POST "${AUTH[@]}" "$BASE/v2/$REPO_NAME/blobs/uploads/")
    code=$(printf '%s' "$hdrs" | awk 'NR==1 {print $2}')
    [[ $code == 202 ]] || die "upload POST answered $code: $hdrs"
    loc=$(printf '%s' "$hdrs" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
    [[ -n $loc ]] || die "upload POST without Location"
    loc=$(abs_location "$loc")
    [[ $loc == *\?* ]] && sep='&' || sep='?'
    # -T streams the file (--data-binary @file would first read all of it into curl's memory).
    out=$(curl -sS -m "$XFER_TIMEOUT" -o "$WORK/put.out" -w '%{http_code} %{time_total}' -T "$file" -X PUT \
        -H 'Content-Type: application/octet-stream' -H 'Expect:' "${AUTH[@]}" "$loc${sep}digest=$digest")
    code=${out%% *}
    [[ $code == 201 ]] || die "blob PUT answered $code: $(head -c 500 "$WORK/put.out")"
    echo "${out#* }"
}

# download_blob digest size -> prints "<seconds>"; fails unless 200 with the full size
download_blob() {
    local digest=$1 size=$2 out code got
    out=$(curl -sS -L -m "$XFER_TIMEOUT" -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
        "${AUTH[@]}" "$BASE/v2/$REPO_NAME/blobs/$digest")
    read -r code got secs <<<"$out"
    [[ $code == 200 ]] || die "blob GET answered $code"
    [[ $got == "$size" ]] || die "blob GET returned $got bytes, expected $size"
    echo "$secs"
}

# Empties the page cache (root only), so that the next read of a blob comes from the disk. Fails quietly without
# the right to; the cold download figures are then left out.
DROP_CACHES_WARNED=0
drop_caches() {
    sync
    if [[ -w /proc/sys/vm/drop_caches ]] && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
        return 0
    fi
    ((DROP_CACHES_WARNED)) || log "cannot drop the page cache (needs root): no cold download figures"
    DROP_CACHES_WARNED=1
    return 1
}

# Reads a client-side source file once, so that every upload reads its source from the page cache whatever ran
# before (the cold downloads drop the cache).
read_into_cache() { cat "$1" >/dev/null; }

# timed_download digest label -> logs, and prints "<MiB/s> <percent of the CPUs other work used meanwhile> <server CPU
# ms per GiB>"
timed_download() {
    local m0 secs rate other s0 cpu
    log "$SIDE: ${BENCH_SIZE_MIB} MiB blob download $2 (curl)"
    m0=$(cpu_mark)
    s0=$(server_ticks)
    secs=$(download_blob "$1" "$BLOB_SIZE")
    other=$(other_cpu_pct "$m0" "$(cpu_mark)")
    cpu=$(awk -v a="$s0" -v b="$(server_ticks)" -v hz="$(getconf CLK_TCK)" -v bytes="$BLOB_SIZE" \
        'BEGIN { printf "%.0f", (b - a) * 1000 / hz / (bytes / 1073741824) }')
    rate=$(mibs "$BLOB_SIZE" "$secs")
    log "$SIDE:   $rate MiB/s (${secs}s), server CPU ${cpu} ms/GiB"
    echo "$rate $other $cpu"
}

# server_ticks -> the CPU time (user + system, clock ticks) the server process has used so far, all threads
server_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat"; }

# timed_skopeo metric source destination skopeo-options... -> R[$SIDE.<metric>_s] (wall seconds of one skopeo copy)
# and the share of the CPUs other work used meanwhile; fails the run when skopeo does
timed_skopeo() {
    local key=$1 src=$2 dst=$3 m0 st
    shift 3
    m0=$(cpu_mark)
    st=$(date +%s.%N)
    timeout "$XFER_TIMEOUT" skopeo copy -q "$@" "$src" "$dst" >"$WORK/$key-$SIDE.log" 2>&1 \
        || { cat "$WORK/$key-$SIDE.log" >&2; die "$SIDE: $key failed"; }
    R[$SIDE.${key}_s]=$(awk -v a="$st" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    R[$SIDE.${key}_s_other_cpu]=$(other_cpu_pct "$m0" "$(cpu_mark)")
    log "$SIDE:   ${R[$SIDE.${key}_s]} s"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mibs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

# ab_heads concurrency seconds-or-count mode -> prints requests/s; fails unless every HEAD was a 2xx
ab_heads() {
    local c=$1 url="$BASE/v2/$REPO_NAME/manifests/$TAG" outf=$WORK/ab-$SIDE-c$1-$3.txt args
    args=(-t "$2" -n 100000000)
    timeout $(( ${2} + 300 )) ab -k -i -q -c "$c" "${args[@]}" -H "Accept: $MANIFEST_TYPE" "${AUTH[@]}" "$url" \
        >"$outf" 2>&1 || { cat "$outf" >&2; die "ab failed (c=$c)"; }
    local complete failed non2xx rps
    complete=$(awk -F: '/^Complete requests/ {gsub(/ /,"",$2); print $2}' "$outf")
    failed=$(awk -F: '/^Failed requests/ {gsub(/ /,"",$2); print $2}' "$outf")
    non2xx=$(awk -F: '/^Non-2xx responses/ {gsub(/ /,"",$2); print $2}' "$outf")
    rps=$(awk '/^Requests per second/ {print $4}' "$outf")
    if [[ -z $complete || $complete == 0 || ${non2xx:-0} != 0 || ${failed:-0} != 0 ]]; then
        cat "$outf" >&2
        die "$SIDE manifest HEAD at c=$c: complete=${complete:-?} failed=${failed:-?} non-2xx=${non2xx:-0} — HEADs must all be 200"
    fi
    echo "$rps"
}

# A timed ab run, repeated (up to BENCH_AB_RETRIES more times) while other work took more than BENCH_MAX_OTHER_CPU
# percent of the CPUs; the attempt with the least other work is kept. HEAD rates are CPU-bound, so they suffer most.
ab_measure() { # connections
    local c=$1 key=head_c$1_req_s attempt rps other best_rps="" best_other=101 m0
    for ((attempt = 0; attempt <= BENCH_AB_RETRIES; attempt++)); do
        m0=$(cpu_mark)
        rps=$(ab_heads "$c" "$BENCH_AB_SECONDS" timed)
        other=$(other_cpu_pct "$m0" "$(cpu_mark)")
        log "$SIDE:   c=$c: $rps req/s (other work: ${other}% of the CPUs)"
        if ((other < best_other)); then best_rps=$rps; best_other=$other; fi
        ((other <= BENCH_MAX_OTHER_CPU)) && break
    done
    R[$SIDE.$key]=$best_rps
    R[$SIDE.${key}_other_cpu]=$best_other
}

# JIT warm-up for the HEAD path: 5 s rounds at 32 connections until two rounds agree within 10% (at least two
# rounds, at most BENCH_AB_WARMUP seconds). A Go server is steady at once; the JVM's C2 compiler takes longer,
# especially when other work competes for the CPUs.
ab_warmup() {
    local prev=0 rps t=0
    while ((t < BENCH_AB_WARMUP)); do
        rps=$(ab_heads 32 5 warmup)
        t=$((t + 5))
        log "$SIDE:   warm-up round: $rps req/s"
        if awk -v a="$prev" -v b="$rps" 'BEGIN { exit !(a > 0 && (b - a) / a < 0.1 && (a - b) / a < 0.1) }'; then
            return 0
        fi
        prev=$rps
    done
}

declare -A R=()   # results: R[<side>.<metric>]

measure_side() { # side
    SIDE=$1
    local pid=$SERVER_PID secs code
    export REGISTRY_AUTH_FILE=$WORK/skopeo-auth.json  # never pick up the host's registry logins
    echo '{}' >"$REGISTRY_AUTH_FILE"

    log "$SIDE: warm-up (16 MiB upload and download)"
    refresh_auth "repository:$REPO_NAME:pull,push"
    upload_blob "$WORK/src/warm.bin" "$WARM_DIGEST" >/dev/null
    download_blob "$WARM_DIGEST" "$WARM_SIZE" >/dev/null

    local i samples=() m0
    m0=$(cpu_mark)
    for ((i = 1; i <= BENCH_REPEAT; i++)); do
        sync
        log "$SIDE: ${BENCH_SIZE_MIB} MiB blob upload $i/$BENCH_REPEAT (curl, monolithic POST + PUT)"
        refresh_auth "repository:$REPO_NAME:pull,push"
        read_into_cache "$WORK/src/blob.$i.bin"
        secs=$(upload_blob "$WORK/src/blob.$i.bin" "${BLOB_DIGESTS[i]}")
        samples+=("$(mibs "$BLOB_SIZE" "$secs")")
        log "$SIDE:   ${samples[-1]} MiB/s (${secs}s)"
        code=$(curl -s -o /dev/null -I -w '%{http_code}' "${AUTH[@]}" "$BASE/v2/$REPO_NAME/blobs/${BLOB_DIGESTS[i]}")
        [[ $code == 200 ]] || die "$SIDE: HEAD of the uploaded blob answered $code"
    done
    R[$SIDE.upload_mib_s]=$(median "${samples[@]}")
    R[$SIDE.upload_mib_s_other_cpu]=$(other_cpu_pct "$m0" "$(cpu_mark)")
    R[$SIDE.upload_mib_s_samples]=$(IFS=,; echo "${samples[*]}")

    # Downloads in two page-cache states, the same for both sides: "cold" right after dropping the page cache (the
    # blob comes from the disk, as most layers of a registry in use do), then "warm" (the same blob again, served
    # from whatever the cold read left in the cache). The state an upload leaves the cache in is not measured: it
    # would reward a server for how it writes rather than how it reads.
    local cold=() warm=() cold_cpu=() warm_cpu=() mc=0 mw=0 j out rate other cpu
    for ((i = 1; i <= BENCH_REPEAT; i++)); do
        if drop_caches; then
            out=$(timed_download "${BLOB_DIGESTS[i]}" "$i/$BENCH_REPEAT, cold")
            read -r rate other cpu <<<"$out"
            cold+=("$rate")
            cold_cpu+=("$cpu")
            mc=$((mc + other))
        else
            download_blob "${BLOB_DIGESTS[i]}" "$BLOB_SIZE" >/dev/null
        fi
        # A warm transfer is short (well under a second per GiB) and varies with where the scheduler puts curl and
        # the server on two CPUs: three of them per blob, so the median is taken over more samples.
        for ((j = 1; j <= WARM_READS; j++)); do
            out=$(timed_download "${BLOB_DIGESTS[i]}" "$i/$BENCH_REPEAT, warm $j/$WARM_READS")
            read -r rate other cpu <<<"$out"
            warm+=("$rate")
            warm_cpu+=("$cpu")
            mw=$((mw + other))
        done
    done
    if ((${#cold[@]})); then
        R[$SIDE.download_cold_mib_s]=$(median "${cold[@]}")
        R[$SIDE.download_cold_mib_s_other_cpu]=$((mc / ${#cold[@]}))
        R[$SIDE.download_cold_mib_s_samples]=$(IFS=,; echo "${cold[*]}")
        R[$SIDE.download_cold_cpu_ms_per_gib]=$(median "${cold_cpu[@]}")
    fi
    R[$SIDE.download_warm_cpu_ms_per_gib]=$(median "${warm_cpu[@]}")
    R[$SIDE.download_warm_mib_s]=$(median "${warm[@]}")
    R[$SIDE.download_warm_mib_s_other_cpu]=$((mw / ${#warm[@]}))
    R[$SIDE.download_warm_mib_s_samples]=$(IFS=,; echo "${warm[*]}")

    sync
    log "$SIDE: ${BENCH_SIZE_MIB} MiB skopeo push"
    local dest=127.0.0.1:${BASE##*:}/$REPO_NAME:$TAG
    read_into_cache "$OCI_LAYOUT/blobs/sha256/${LAYER_DIGEST#sha256:}"
    timed_skopeo skopeo_push "oci:$OCI_LAYOUT:$TAG" "docker://$dest" "${SKOPEO_DEST_CREDS[@]}" --dest-tls-verify=false

    drop_caches || true  # like the cold downloads: the layer comes from the disk
    log "$SIDE: ${BENCH_SIZE_MIB} MiB skopeo pull"
    local pulled=$WORK/pull-$SIDE
    timed_skopeo skopeo_pull "docker://$dest" "oci:$pulled:$TAG" "${SKOPEO_SRC_CREDS[@]}" --src-tls-verify=false
    [[ -f $pulled/blobs/sha256/${LAYER_DIGEST#sha256:} ]] || die "$SIDE: pulled layout lacks the layer"
    [[ $(jq -r '.manifests[0].digest' "$pulled/index.json") == "$MANIFEST_DIGEST" ]] \
        || die "$SIDE: pulled manifest digest differs from the pushed one"
    rm -rf "$pulled"

    R[$SIDE.peak_rss_mib]=$(peak_rss_mib "$pid")
    log "$SIDE: peak RSS through the transfers: ${R[$SIDE.peak_rss_mib]} MiB"

    log "$SIDE: manifest HEAD (ab -k -i), warm-up until steady, then ${BENCH_AB_SECONDS}s at 32 and at 1 connection"
    refresh_auth "repository:$REPO_NAME:pull"
    code=$(curl -s -o /dev/null -I -w '%{http_code}' -H "Accept: $MANIFEST_TYPE" "${AUTH[@]}" \
        "$BASE/v2/$REPO_NAME/manifests/$TAG")
    [[ $code == 200 ]] || die "$SIDE: manifest HEAD answered $code"
    ab_warmup
    ab_measure 32
    ab_measure 1
    R[$SIDE.peak_rss_all_mib]=$(peak_rss_mib "$pid")
}

# ---- the peer: docker-registry ---------------------------------------------------------------------------------
run_peer() {
    local port data=$WORK/peer-data cfg=$WORK/peer-config.yml
    wait_quiet peer
    port=$(free_port)
    mkdir -p "$data"
    # Throwaway config: filesystem storage in the temp dir, loopback only, no auth. Access log off and log level
    # warn so that the peer is not slowed down by logging every HEAD (its best case, not a handicap).
    cat >"$cfg" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
${BENCH_PEER_STORAGE:-  filesystem:
    rootdirectory: $data}
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
EOF
    log "peer: starting docker-registry ($(docker-registry --version | awk '{print $3}')) on 127.0.0.1:$port"
    docker-registry serve "$cfg" >"$WORK/peer.log" 2>&1 &
    SERVER_PID=$!
    BASE=http://127.0.0.1:$port
    wait_http "$BASE/v2/" "$SERVER_PID" "$WORK/peer.log"
    TOKEN_FN=""
    SKOPEO_DEST_CREDS=(--dest-no-creds)
    SKOPEO_SRC_CREDS=(--src-no-creds)
    measure_side peer
    stop_server
    rm -rf "$data"
    sync
}

# ---- Wharf -----------------------------------------------------------------------------------------------------
WHARF_SERVICE=""
WHARF_REALM=""
WHARF_PAT=""
wharf_token() { # scope -> JWT from Wharf's /token, authenticated with Basic admin:<PAT>
    local body tok
    body=$(curl -sS -m 30 -G -u "admin:$WHARF_PAT" --data-urlencode "service=$WHARF_SERVICE" \
        --data-urlencode "scope=$1" "$WHARF_REALM") || die "wharf: /token request failed"
    tok=$(jq -r '.token // .access_token // empty' <<<"$body")
    [[ -n $tok ]] || die "wharf: /token gave no token: $body"
    echo "$tok"
}

run_wharf() {
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package (or BENCH_SIDES=peer)"
    local port data=$WORK/wharf-data pw
    wait_quiet wharf
    port=$(free_port)
    pw="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    log "wharf: starting $(basename "$WHARF_JAR") with $JAVA_DESC on 127.0.0.1:$port"
    log "wharf: JVM flags: $WHARF_JAVA_OPTS"
    # shellcheck disable=SC2086  # the flags are a word list on purpose
    WHARF_ADMIN_PASSWORD=$pw exec_bg "$WORK/wharf.log" "$JAVA" $WHARF_JAVA_OPTS -jar "$WHARF_JAR" serve \
        --port "$port" --bind 127.0.0.1 --data-dir "$data" $BENCH_WHARF_ARGS
    BASE=http://127.0.0.1:$port
    wait_http "$BASE/v2/" "$SERVER_PID" "$WORK/wharf.log"

    WHARF_PAT=$(wharf_admin_pat "$BASE" "$pw" bench)

    # realm and service from the 401 challenge
    local chal
    chal=$(curl -sS -m 10 -o /dev/null -D - "$BASE/v2/" | tr -d '\r' | awk 'tolower($1)=="www-authenticate:" {$1=""; print}')
    WHARF_REALM=$(sed -n 's/.*realm="\([^"]*\)".*/\1/p' <<<"$chal")
    WHARF_SERVICE=$(sed -n 's/.*service="\([^"]*\)".*/\1/p' <<<"$chal")
    [[ -n $WHARF_REALM ]] || WHARF_REALM=$BASE/token
    [[ -n $WHARF_SERVICE ]] || WHARF_SERVICE=127.0.0.1:$port
    # skopeo must reach the realm over loopback; the public URL defaults to the listen address
    log "wharf: token realm $WHARF_REALM, service $WHARF_SERVICE"

    TOKEN_FN=wharf_token
    SKOPEO_DEST_CREDS=(--dest-creds "admin:$WHARF_PAT")
    SKOPEO_SRC_CREDS=(--src-creds "admin:$WHARF_PAT")
    measure_side wharf
    stop_server
    rm -rf "$data"
    sync
}

exec_bg() { # logfile cmd... ; starts cmd in the background with its own pid (no wrapper shell) as SERVER_PID
    local logf=$1; shift
    "$@" >"$logf" 2>&1 &
    SERVER_PID=$!
}

# ---- report ----------------------------------------------------------------------------------------------------
ratio() { # a b -> a/b with 2 decimals, or "-"
    if [[ -z ${1:-} || -z ${2:-} || $1 == - || $2 == - ]]; then echo -; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}
verdict() { # ratio op target -> PASS/MISS/-
    [[ $1 == - ]] && { echo -; return; }
    awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? (r >= t) : (r <= t); print ok ? "PASS" : "MISS" }'
}

report() {
    local w p rt v missed=0 line oc key label op tgt
    local -a rows=(
        "upload_mib_s|blob upload, MiB/s|>=|$BENCH_UPLOAD_TARGET"
        "download_cold_mib_s|blob download cold, MiB/s|>=|1"
        "download_warm_mib_s|blob download warm, MiB/s|>=|1"
        "download_cold_cpu_ms_per_gib|server CPU per GiB down cold, ms||"
        "download_warm_cpu_ms_per_gib|server CPU per GiB down warm, ms||"
        "skopeo_push_s|skopeo push, s (lower is better)||"
        "skopeo_pull_s|skopeo pull, s (lower is better)||"
        "head_c32_req_s|manifest HEAD c=32, req/s|>=|10"
        "head_c1_req_s|manifest HEAD c=1, req/s|>=|10"
    )
    mkdir -p "$(dirname "$BENCH_RESULTS")"
    {
        echo "# Wharf registry benchmark — bench/run.sh; key=value, one per line"
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "host.cpus=$(nproc)"
        echo "host.cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
        echo "host.loadavg_at_start=$LOADAVG_START"
        echo "host.loadavg_at_end=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "host.mem_mib=$(awk '/^MemTotal/ {printf "%d", $2/1024}' /proc/meminfo)"
        echo "size_mib=$BENCH_SIZE_MIB"
        echo "ab_seconds=$BENCH_AB_SECONDS"
        echo "repeat=$BENCH_REPEAT"
        echo "peer.version=$(docker-registry --version | awk '{print $3}')"
        echo "wharf.commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
        echo "wharf.source_commit=$(git -C "$REPO_ROOT" rev-list -1 --abbrev-commit HEAD -- src pom.xml 2>/dev/null || echo unknown)"
        echo "wharf.jar=$WHARF_JAR ($(date -u -r "$WHARF_JAR" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo missing))"
        echo "wharf.java=$JAVA_DESC"
        echo "wharf.jvm_flags=$WHARF_JAVA_OPTS"
        echo "peer.storage=$(awk 'NF { sub(/:.*/, ""); print $1; exit }' <<<"${BENCH_PEER_STORAGE:-filesystem:}")"
        echo "wharf.args=${BENCH_WHARF_ARGS:-(none: the data directory)}"
        echo "wharf.auth=bearer JWT from /token for a repo:admin PAT; peer.auth=none"
    } >"$BENCH_RESULTS"

    printf '\n%-34s %12s %12s %8s  %-9s %-22s\n' "metric (${BENCH_SIZE_MIB} MiB)" "wharf" "peer" "ratio" "other%" "target"
    printf '%-34s %12s %12s %8s  %-9s %-22s\n' "----------------------------------" "------------" "------------" "--------" "---------" "------"
    for line in "${rows[@]}"; do
        IFS='|' read -r key label op tgt <<<"$line"
        w=${R[wharf.$key]:--}
        p=${R[peer.$key]:--}
        rt=$(ratio "$w" "$p")
        oc="${R[wharf.${key}_other_cpu]:--}/${R[peer.${key}_other_cpu]:--}"
        if [[ -n $op ]]; then
            v=$(verdict "$rt" "$op" "$tgt")
            [[ $v == MISS ]] && missed=1
            printf '%-34s %12s %12s %8s  %-9s %s\n' "$label" "$w" "$p" "$rt" "$oc" "$op ${tgt}x  $v"
        else
            printf '%-34s %12s %12s %8s  %-9s\n' "$label" "$w" "$p" "$rt" "$oc"
        fi
        {
            echo "wharf.$key=$w"
            echo "peer.$key=$p"
            echo "ratio.$key=$rt"
            echo "wharf.${key}_other_cpu_pct=${R[wharf.${key}_other_cpu]:--}"
            echo "peer.${key}_other_cpu_pct=${R[peer.${key}_other_cpu]:--}"
            [[ -n $op ]] && echo "target.$key=$op$tgt $v"
        } >>"$BENCH_RESULTS"
    done
    for key in upload_mib_s_samples download_cold_mib_s_samples download_warm_mib_s_samples cpu_busy_before_pct; do
        echo "wharf.$key=${R[wharf.$key]:--}"
        echo "peer.$key=${R[peer.$key]:--}"
    done >>"$BENCH_RESULTS"
    w=${R[wharf.peak_rss_mib]:--}
    p=${R[peer.peak_rss_mib]:--}
    rt=$(ratio "$w" "$RSS_BUDGET_MIB")
    v=$(verdict "$rt" "<=" 1)
    [[ $v == MISS ]] && missed=1
    printf '%-34s %12s %12s %8s  %-9s %s\n' "peak RSS push+pull, MiB" "$w" "$p" "$rt" "" "<= $RSS_BUDGET_MIB MiB budget  $v"
    printf '%-34s %12s %12s\n' "peak RSS whole run (incl. ab), MiB" "${R[wharf.peak_rss_all_mib]:--}" "${R[peer.peak_rss_all_mib]:--}"
    printf '\nratio = wharf / peer; RSS ratio = wharf / %s MiB budget; other%% = share of all CPUs used by other user-space\n' "$RSS_BUDGET_MIB"
    printf 'processes during the measurement (wharf/peer; kernel threads excluded): above ~10, distrust the row.\nResults: %s\n' "$BENCH_RESULTS"
    {
        echo "wharf.peak_rss_mib=$w"
        echo "peer.peak_rss_mib=$p"
        echo "ratio.peak_rss_mib_vs_budget=$rt"
        echo "target.peak_rss_mib=<=$RSS_BUDGET_MIB $v"
        echo "wharf.peak_rss_all_mib=${R[wharf.peak_rss_all_mib]:--}"
        echo "peer.peak_rss_all_mib=${R[peer.peak_rss_all_mib]:--}"
    } >>"$BENCH_RESULTS"
    MISSED=$missed
}

# ---- main ------------------------------------------------------------------------------------------------------
main() {
    ensure_tools
    LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
    log "load average: $LOADAVG_START (other work on this machine skews every figure)"
    [[ $BENCH_SIZE_MIB =~ ^[0-9]+$ && $BENCH_SIZE_MIB -ge 1 ]] || die "BENCH_SIZE_MIB must be a positive integer"
    local side
    for side in $BENCH_SIDES; do [[ $side == peer || $side == wharf ]] || die "BENCH_SIDES: unknown side $side"; done
    if [[ " $BENCH_SIDES " == *" wharf "* ]]; then
        [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package (or BENCH_SIDES=peer)"
        JAVA_DESC=$("$JAVA" -version 2>&1 | head -n 1 | tr -d '"')
    else
        JAVA_DESC="(not run)"
    fi
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-bench.XXXXXX")
    [[ $BENCH_REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT must be a positive integer"
    local need=$((BENCH_SIZE_MIB * (2 * BENCH_REPEAT + 4) + 512)) avail
    avail=$(df -Pm "$WORK" | awk 'NR==2 {print $4}')
    ((avail > need)) || die "need ~${need} MiB free in $BENCH_TMP, have ${avail} MiB (set BENCH_TMP)"
    log "work dir $WORK"
    make_data
    for side in $BENCH_SIDES; do
        case $side in
            peer) run_peer ;;
            wharf) run_wharf ;;
        esac
    done
    report
    if [[ $BENCH_STRICT == 1 && $MISSED == 1 ]]; then exit 3; fi
}

main "$@"

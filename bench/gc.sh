#!/usr/bin/env bash
# Garbage collection benchmark (issue 11, section 5): Wharf's online collection side by side with Debian's
# docker-registry (CNCF distribution 2.8) `garbage-collect --delete-untagged`, in one run, on this machine, over
# loopback. See bench/README.md, "Garbage collection".
#
#   bash bench/gc.sh                          # after ./mvnw -q -DskipTests package
#   BENCH_LAYER_MAX_KIB=16 bash bench/gc.sh   # smaller layers
#   BENCH_SIDES=peer bash bench/gc.sh         # docker-registry only (no Wharf jar needed)
#
# Content (bench/gc-client.py, all through the registry API, same bytes to both servers): BENCH_REPOS repositories
# of BENCH_PER_REPO manifests, each tagged, each with its own config and 4 layers of its own plus 1 layer shared with
# a manifest of another repository (defaults: 50 x 40 = 2,000 manifests, 11,000 blobs). Then half of each
# repository's manifests are deleted by digest (which removes their tags, on both servers). Then:
#   peer:  stopped (its collector needs that), `docker-registry garbage-collect --delete-untagged`, timed.
#   wharf: POST /api/v1/gc {"full":false}, polled until it finished, timed from the POST, while BENCH_LOAD_THREADS
#          clients push new images and pull surviving ones (byte-checked); then a fresh Wharf with the same content
#          and deletions for POST /api/v1/gc {"full":true}, under the same load.
# Bytes freed are the sizes of the bench's own blob and manifest files that left the disk (files the load pushed are
# not counted, they are not the peer's). Targets: same bytes freed (+-1%), queued run >= 10x faster than the peer's,
# full sweep >= 2x faster, 0 errors during Wharf's runs.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_SIDES="${BENCH_SIDES:-peer wharf}"
export BENCH_REPOS="${BENCH_REPOS:-50}"                  # repositories
export BENCH_PER_REPO="${BENCH_PER_REPO:-40}"            # tagged manifests per repository; half are deleted
export BENCH_LAYER_MIN_KIB="${BENCH_LAYER_MIN_KIB:-4}"   # layer sizes, uniform between these
export BENCH_LAYER_MAX_KIB="${BENCH_LAYER_MAX_KIB:-64}"
export BENCH_SEED="${BENCH_SEED:-11}"                    # random content and choice of deletions
export BENCH_PARALLEL="${BENCH_PARALLEL:-8}"             # concurrent requests while seeding and deleting
export BENCH_LOAD_THREADS="${BENCH_LOAD_THREADS:-4}"     # clients pushing and pulling during Wharf's runs
export BENCH_REPO_PREFIX=admin/gc                        # Wharf's site admin owns the namespace "admin"
BENCH_SEED_TIMEOUT="${BENCH_SEED_TIMEOUT:-900}"          # seconds for one server's push (or delete) phase
BENCH_GC_TIMEOUT="${BENCH_GC_TIMEOUT:-1800}"             # seconds for one collection
BENCH_FULL="${BENCH_FULL:-1}"                            # 0: no full sweep (saves a second Wharf fill)
BENCH_GC_WINDOW="${BENCH_GC_WINDOW:-15}"                 # Wharf's protection window, s (see below)
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-}"             # empty: H2; a jdbc:postgresql URL of an EMPTY database
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"           # needs ~4 x the content (~400 MB by default)
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/gc-latest.txt}"
CLIENT="$BENCH_DIR/gc-client.py"
SERVER_START_TIMEOUT=90
QUEUED_SPEEDUP_TARGET=10
FULL_SPEEDUP_TARGET=2

ensure_tools() {
    local missing=()
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    command -v curl >/dev/null || missing+=(curl)
    command -v jq >/dev/null || missing+=(jq)
    command -v python3 >/dev/null || missing+=(python3)
    if ((${#missing[@]})); then
        log "installing ${missing[*]} (apt)"
        [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    python3 -c 'import random; random.Random().randbytes' 2>/dev/null || die "needs python3 >= 3.9"
    local t
    for t in ss timeout du awk; do command -v "$t" >/dev/null || die "missing $t"; done
}

WORK=""
SERVER_PID=""
LOAD_PID=""
cleanup() {
    local rc=$?
    [[ -n $WORK ]] && touch "$WORK/stop-load" 2>/dev/null
    [[ -n $LOAD_PID ]] && { kill "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; }
    stop_server
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ $BENCH_KEEP == 1 || $rc != 0 ]]; then
            log "kept $WORK (logs: $WORK/*.log); remove it with: rm -rf '$WORK'"
            rm -rf "$WORK/src/blobs" "$WORK"/*-data 2>/dev/null || true
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

now_ms() { date +%s%3N; }


# client SUBCOMMAND ARGS... -> the client's output line; fails when it does
client() { timeout "$BENCH_SEED_TIMEOUT" python3 "$CLIENT" "$@" || die "gc-client.py $1 failed"; }

# kv_to_results prefix "k=v k=v ..." -> put prefix.k v
kv_put() {
    local prefix=$1 kv
    for kv in $2; do put "$prefix.${kv%%=*}" "${kv#*=}"; done
}

# fill side base: push the content, delete half, record the times
fill() {
    local side=$1 base=$2 out
    log "$side: pushing the content ($BENCH_PARALLEL at a time)"
    out=$(client push "$WORK/src" "$base")
    log "$side:   $out"
    kv_put "$side" "$out"
    out=$(client delete "$WORK/src" "$base")
    log "$side:   $out"
    kv_put "$side" "$out"
}

# disk side root label -> records label_files, label_bytes (all files under root), label_bench_bytes (the bench's
# own blobs and manifests) and label_du_bytes (du -sb)
disk() {
    local side=$1 root=$2 label=$3 files bytes pfiles pbytes
    sync
    read -r files bytes pfiles pbytes < <(client measure "$WORK/src" "$root")
    put "$side.${label}_files" "$files"
    put "$side.${label}_bytes" "$bytes"
    put "$side.${label}_bench_files" "$pfiles"
    put "$side.${label}_bench_bytes" "$pbytes"
    put "$side.${label}_du_bytes" "$(du -sb "$root" | cut -f1)"
}

# ---- the peer --------------------------------------------------------------------------------------------------
run_peer() {
    local port data=$WORK/peer-data cfg=$WORK/peer-config.yml
    port=$(free_port)
    mkdir -p "$data"
    cat >"$cfg" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $data
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
    local version
    version=$(docker-registry --version | awk '{print $3}')
    put peer.version "$version"
    log "peer: starting docker-registry ($version) on 127.0.0.1:$port"
    docker-registry serve "$cfg" >"$WORK/peer.log" 2>&1 &
    SERVER_PID=$!
    wait_http "http://127.0.0.1:$port/v2/" "$SERVER_PID" "$WORK/peer.log"
    BENCH_AUTH='' fill peer "http://127.0.0.1:$port"
    log "peer: stopping it for its collector (distribution's garbage-collect needs the registry stopped or read-only)"
    stop_server
    local blobs=$data/docker/registry/v2/blobs t0 t1
    disk peer "$blobs" before
    log "peer: docker-registry garbage-collect --delete-untagged"
    t0=$(now_ms)
    timeout "$BENCH_GC_TIMEOUT" docker-registry garbage-collect --delete-untagged "$cfg" >"$WORK/peer-gc.log" 2>&1 \
        || { tail -n 20 "$WORK/peer-gc.log" >&2; die "peer: garbage-collect failed"; }
    t1=$(now_ms)
    put peer.gc_wall_ms $((t1 - t0))
    put peer.gc_blobs_eligible "$(grep -c 'blob eligible for deletion' "$WORK/peer-gc.log" || true)"
    put peer.gc_manifests_deleted "$(grep -ci 'deleting manifest' "$WORK/peer-gc.log" || true)"
    disk peer "$blobs" after
    put peer.bytes_freed $((R[peer.before_bench_bytes] - R[peer.after_bench_bytes]))
    log "peer: ${R[peer.gc_wall_ms]} ms, freed ${R[peer.bytes_freed]} bytes (offline: the registry was stopped)"
    rm -rf "$data"
}

# ---- Wharf -----------------------------------------------------------------------------------------------------
WHARF_BASE=""
WHARF_PW=""
WHARF_PAT=""
SESSION=""
start_wharf() { # data dir
    local port=$(free_port) data=$1
    WHARF_PW="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    log "wharf: starting $(basename "$WHARF_JAR") with $JAVA_DESC on 127.0.0.1:$port (GC window ${BENCH_GC_WINDOW}s, no schedule)"
    # shellcheck disable=SC2086  # the flags are a word list on purpose
    WHARF_ADMIN_PASSWORD=$WHARF_PW WHARF_GC_PROTECTION_WINDOW=${BENCH_GC_WINDOW}s WHARF_GC_INTERVAL=0s \
        "$JAVA" $WHARF_JAVA_OPTS -jar "$WHARF_JAR" serve --port "$port" --bind 127.0.0.1 --data-dir "$data" \
        ${BENCH_DATABASE_URL:+--database-url "$BENCH_DATABASE_URL"} >>"$WORK/wharf.log" 2>&1 &
    SERVER_PID=$!
    WHARF_BASE=http://127.0.0.1:$port
    wait_http "$WHARF_BASE/v2/" "$SERVER_PID" "$WORK/wharf.log"
    SESSION=$(curl -sS -m 30 -X POST -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg p "$WHARF_PW" '{username:"admin",password:$p}')" "$WHARF_BASE/v2/users/login" | jq -r '.token // empty')
    [[ -n $SESSION ]] || die "wharf: admin login failed"
    WHARF_PAT=$(curl -sS -m 30 -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $SESSION" \
        -d '{"token_label":"bench-gc","scopes":["repo:admin"]}' "$WHARF_BASE/v2/access-tokens" | jq -r '.token // empty')
    [[ -n $WHARF_PAT ]] || die "wharf: PAT creation failed"
}

# wharf_gc label full: the collection under load; records label.* figures
wharf_gc() {
    local label=$1 full=$2 data=$3 blobs=$3/blobs/sha256 resp id t0 t1 run state
    # The protection window is what lets a client upload layers first and the manifest last while a collection
    # runs: with 0 s, the load's own fresh layers are garbage until their manifest lands, and some manifest PUTs
    # then fail (MANIFEST_BLOB_UNKNOWN), as they should. So the window is short but not 0, and the bench's content
    # (pushed and deleted before) has aged past it when the run starts; this wait is not timed.
    local last_push=$SECONDS
    while ((SECONDS - last_push <= BENCH_GC_WINDOW)); do sleep 1; done
    disk wharf "$blobs" "${label}_before"
    rm -f "$WORK/stop-load"
    BENCH_AUTH="admin:$WHARF_PAT" timeout "$BENCH_GC_TIMEOUT" python3 "$CLIENT" load "$WORK/src" "$WHARF_BASE" \
        "$WORK/stop-load" >"$WORK/load-$label.out" 2>"$WORK/load-$label.err" &
    LOAD_PID=$!
    sleep 2 # the load is going
    log "wharf: POST /api/v1/gc {\"full\":$full} under load ($BENCH_LOAD_THREADS clients)"
    t0=$(now_ms)
    resp=$(curl -sS -m 60 -X POST -H "Authorization: Bearer $SESSION" -H 'Content-Type: application/json' \
        -d "{\"dry_run\":false,\"full\":$full}" -w '\n%{http_code}' "$WHARF_BASE/api/v1/gc") || die "POST /api/v1/gc failed"
    [[ ${resp##*$'\n'} == 202 ]] || die "POST /api/v1/gc: ${resp}"
    id=$(jq -r .id <<<"${resp%$'\n'*}")
    local deadline=$((SECONDS + BENCH_GC_TIMEOUT))
    while :; do
        run=$(curl -sS -m 30 -H "Authorization: Bearer $SESSION" "$WHARF_BASE/api/v1/gc/$id") || die "GET gc run failed"
        state=$(jq -r .state <<<"$run")
        case $state in
            succeeded) break ;;
            failed | interrupted) die "wharf: run $id $state: $run" ;;
        esac
        ((SECONDS < deadline)) || die "wharf: run $id not finished after ${BENCH_GC_TIMEOUT}s: $run"
        sleep 0.05
    done
    t1=$(now_ms)
    touch "$WORK/stop-load"
    wait "$LOAD_PID" || die "wharf: the load failed: $(tail -n 5 "$WORK/load-$label.err")"
    LOAD_PID=""
    local requests errors pushes pulls
    read -r requests errors pushes pulls <"$WORK/load-$label.out"
    printf '%s\n' "$run" >"$WORK/run-$label.json"
    put "wharf.${label}_wall_ms" $((t1 - t0))
    local k
    for k in duration_ms bytes_freed manifests_deleted blobs_deleted tags_deleted reviewed files_scanned; do
        put "wharf.${label}_$k" "$(jq -r ".$k" <<<"$run")"
    done
    put "wharf.${label}_during_gc_requests" "$requests"
    put "wharf.${label}_during_gc_errors" "$errors"
    put "wharf.${label}_during_gc_pushes" "$pushes"
    put "wharf.${label}_during_gc_pulls" "$pulls"
    [[ $errors == 0 ]] || log "wharf: $errors load errors, first: $(head -n 3 "$WORK/src/load-errors.txt")"
    [[ $errors == 0 ]] || cp "$WORK/src/load-errors.txt" "$WORK/load-errors-$label.txt"
    disk wharf "$blobs" "${label}_after"
    put "wharf.${label}_disk_bytes_freed" $((R[wharf.${label}_before_bench_bytes] - R[wharf.${label}_after_bench_bytes]))
    log "wharf: $label run $id: wall ${R[wharf.${label}_wall_ms]} ms (duration_ms $(jq .duration_ms <<<"$run")), " \
        "bytes_freed $(jq .bytes_freed <<<"$run"), on disk ${R[wharf.${label}_disk_bytes_freed]}; load $requests requests, $errors errors"
}

run_wharf() {
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package (or BENCH_SIDES=peer)"
    local data=$WORK/wharf-data
    start_wharf "$data"
    BENCH_AUTH="admin:$WHARF_PAT" fill wharf "$WHARF_BASE"
    wharf_gc queued false "$data"
    put wharf.peak_rss_mib "$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")"
    stop_server
    rm -rf "$data"
    [[ $BENCH_FULL == 1 ]] || return 0
    if [[ -n $BENCH_DATABASE_URL ]]; then
        log "wharf: a full sweep needs a second empty database; BENCH_DATABASE_URL is one, so no full sweep"
        return
    fi
    log "wharf: a fresh Wharf with the same content and deletions, for the full sweep"
    data=$WORK/wharf-data-full
    start_wharf "$data"
    BENCH_AUTH="admin:$WHARF_PAT" fill wharf_full "$WHARF_BASE"
    wharf_gc full true "$data"
    stop_server
    rm -rf "$data"
}

# ---- report ----------------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

report() {
    local commit load_start=$1
    commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    local peer_ms=${R[peer.gc_wall_ms]:--} peer_freed=${R[peer.bytes_freed]:--}
    local q_ms=${R[wharf.queued_wall_ms]:--} f_ms=${R[wharf.full_wall_ms]:--}
    local q_freed=${R[wharf.queued_disk_bytes_freed]:--} f_freed=${R[wharf.full_disk_bytes_freed]:--}
    local q_speed f_speed q_bytes f_bytes
    q_speed=$(ratio "$peer_ms" "$q_ms")
    f_speed=$(ratio "$peer_ms" "$f_ms")
    q_bytes=$(ratio "$q_freed" "$peer_freed")
    f_bytes=$(ratio "$f_freed" "$peer_freed")
    verdict_ge() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "-") print "-"; else print (v + 0 >= t) ? "met" : "MISSED" }'; }
    verdict_bytes() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else print (v >= 0.99 && v <= 1.01) ? "met" : "MISSED" }'; }
    mkdir -p "$(dirname "$BENCH_RESULTS")"
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "commit=$commit"
        echo "java=$JAVA_DESC"
        echo "wharf_jvm_flags=$WHARF_JAVA_OPTS"
        echo "database=${BENCH_DATABASE_URL:-h2}"
        echo "cpus=$(nproc) $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
        echo "loadavg_start=$load_start"
        echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "repositories=$BENCH_REPOS manifests_per_repository=$BENCH_PER_REPO layer_kib=$BENCH_LAYER_MIN_KIB-$BENCH_LAYER_MAX_KIB seed=$BENCH_SEED load_threads=$BENCH_LOAD_THREADS"
        local k
        for k in "${RESULTS_ORDER[@]}"; do echo "$k=${R[$k]}"; done
        echo "ratio.queued_speedup=$q_speed"
        echo "ratio.full_speedup=$f_speed"
        echo "ratio.queued_bytes_freed=$q_bytes"
        echo "ratio.full_bytes_freed=$f_bytes"
    } >"$BENCH_RESULTS"
    printf '\nWharf %s, %s, %s, %s CPUs, load %s at start\n' "$commit" "$JAVA_DESC" "${BENCH_DATABASE_URL:+PostgreSQL}${BENCH_DATABASE_URL:-H2}" "$(nproc)" "$load_start"
    printf 'content: %s manifests in %s repositories, %s blobs, %s bytes; garbage after deleting half: %s blobs + %s manifests, %s bytes\n\n' \
        "${R[plan.manifests]}" "$BENCH_REPOS" "${R[plan.blob_count]}" "${R[plan.blob_bytes]}" "${R[plan.expected_garbage_blobs]}" \
        "$((BENCH_REPOS * BENCH_PER_REPO / 2))" "${R[plan.expected_garbage_bytes]}"
    printf '| collection | wall ms | bytes freed (disk) | vs peer bytes | speed-up vs peer | target | during: requests / errors |\n'
    printf '| --- | ---: | ---: | ---: | ---: | --- | --- |\n'
    printf '| peer garbage-collect --delete-untagged (stopped) | %s | %s | 1.00 | 1.00 | | registry down |\n' "$peer_ms" "$peer_freed"
    printf '| wharf queued run | %s | %s | %s (%s) | %s (%s) | >= %sx | %s / %s |\n' "$q_ms" "$q_freed" "$q_bytes" "$(verdict_bytes "$q_bytes")" \
        "$q_speed" "$(verdict_ge "$q_speed" "$QUEUED_SPEEDUP_TARGET")" "$QUEUED_SPEEDUP_TARGET" \
        "${R[wharf.queued_during_gc_requests]:--}" "${R[wharf.queued_during_gc_errors]:--}"
    printf '| wharf full sweep (fresh Wharf, same content) | %s | %s | %s (%s) | %s (%s) | >= %sx | %s / %s |\n' "$f_ms" "$f_freed" "$f_bytes" "$(verdict_bytes "$f_bytes")" \
        "$f_speed" "$(verdict_ge "$f_speed" "$FULL_SPEEDUP_TARGET")" "$FULL_SPEEDUP_TARGET" \
        "${R[wharf.full_during_gc_requests]:--}" "${R[wharf.full_during_gc_errors]:--}"
    printf '\nwharf bytes_freed (API): queued %s, full %s; duration_ms (API): queued %s, full %s; expected garbage %s bytes\n' \
        "${R[wharf.queued_bytes_freed]:--}" "${R[wharf.full_bytes_freed]:--}" "${R[wharf.queued_duration_ms]:--}" \
        "${R[wharf.full_duration_ms]:--}" "${R[plan.expected_garbage_bytes]}"
    printf 'seeding (push / delete, s): peer %s / %s, wharf %s / %s, wharf (full) %s / %s\nResults: %s\n' \
        "${R[peer.total_s]:--}" "${R[peer.delete_s]:--}" "${R[wharf.total_s]:--}" "${R[wharf.delete_s]:--}" \
        "${R[wharf_full.total_s]:--}" "${R[wharf_full.delete_s]:--}" "$BENCH_RESULTS"
}

main() {
    ensure_tools
    local side
    for side in $BENCH_SIDES; do [[ $side == peer || $side == wharf ]] || die "BENCH_SIDES: unknown side $side"; done
    JAVA_DESC=$("$JAVA" -version 2>&1 | head -n1)
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-gc-bench.XXXXXX")
    log "generating the content in $WORK/src"
    local out
    out=$(client gen "$WORK/src")
    log "  $out"
    put plan.manifests $((BENCH_REPOS * BENCH_PER_REPO))
    kv_put plan "$out"
    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    for side in $BENCH_SIDES; do
        case $side in
            peer) run_peer ;;
            wharf) run_wharf ;;
        esac
    done
    report "$load_start"
}

main "$@"

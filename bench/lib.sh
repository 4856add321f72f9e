# Helpers shared by the benchmarks in bench/ (run.sh, gc.sh, credentials.sh, hub-content.sh, scale-out.sh): source it
# after `set -euo pipefail`. It defines functions and defaults only; it starts nothing.

# The JVM flags bench/README.md recommends for Wharf (justified there; ChildServer reads them from here).
# WHARF_JAVA_OPTS overrides them.
RECOMMENDED_JVM_FLAGS="-Xmx128m -Xss512k -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAVA="${JAVA:-java}"
WHARF_JAVA_OPTS="${WHARF_JAVA_OPTS:-$RECOMMENDED_JVM_FLAGS}"
WHARF_JAR="${WHARF_JAR:-$REPO_ROOT/target/wharf.jar}"
SERVER_START_TIMEOUT="${SERVER_START_TIMEOUT:-90}"

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

# free_port -> a TCP port no socket uses, below Linux's ephemeral range (32768 and up): a port that an outgoing
# connection holds (a server's to S3Proxy, say) cannot be listened on, and ephemeral ports come and go meanwhile.
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 12768))
        if [[ -z $(ss -Htan "sport = :$p") ]]; then echo "$p"; return; fi
    done
    die "no free port"
}

wait_http() { # url pid log
    local url=$1 pid=$2 logf=$3 code deadline=$((SECONDS + SERVER_START_TIMEOUT))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || { tail -n 40 "$logf" >&2; die "server exited during start-up (log above)"; }
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
        [[ $code != 000 ]] && return 0
        sleep 0.2
    done
    tail -n 40 "$logf" >&2
    die "server did not answer $url within ${SERVER_START_TIMEOUT}s"
}

# api METHOD PATH [curl args...] -> the body of a request to $BASE on stdout; fails unless 2xx
api() {
    local method=$1 path=$2 out code
    shift 2
    out=$(curl -sS -m 60 -X "$method" -w '\n%{http_code}' "$@" "$BASE$path") || die "$method $path: curl failed"
    code=${out##*$'\n'}
    [[ $code == 2* ]] || die "$method $path: HTTP $code: ${out%$'\n'*}"
    printf '%s' "${out%$'\n'*}"
}

# ab_check file -> fails unless every request completed with a 2xx
ab_check() {
    local complete failed non2xx
    complete=$(awk -F: '/^Complete requests/ {gsub(/ /,"",$2); print $2}' "$1")
    failed=$(awk -F: '/^Failed requests/ {gsub(/ /,"",$2); print $2}' "$1")
    non2xx=$(awk -F: '/^Non-2xx responses/ {gsub(/ /,"",$2); print $2}' "$1")
    if [[ -z $complete || $complete == 0 || ${non2xx:-0} != 0 || ${failed:-0} != 0 ]]; then
        cat "$1" >&2
        die "ab: complete=${complete:-?} failed=${failed:-?} non-2xx=${non2xx:-0} in $1"
    fi
}

# stop_pid pid: SIGTERM, up to 10 s to exit, then SIGKILL; reaps it
stop_pid() {
    [[ -n ${1:-} ]] || return 0
    if kill -0 "$1" 2>/dev/null; then
        kill "$1" 2>/dev/null || true
        local i
        for i in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$1" 2>/dev/null || true
    fi
    wait "$1" 2>/dev/null || true
}

# remove_work rc what: removes $WORK after a clean exit; keeps it, and says what it holds, after a failure or with
# BENCH_KEEP=1
remove_work() {
    [[ -n ${WORK:-} && -d $WORK ]] || return 0
    if [[ ${BENCH_KEEP:-0} == 1 || $1 != 0 ]]; then log "kept $WORK ($2)"; else rm -rf "$WORK"; fi
}

# wharf_admin_pat base admin-password label -> a repo:admin PAT of the site admin (session from /v2/users/login)
wharf_admin_pat() {
    local session pat
    session=$(curl -sS -m 30 -X POST -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg p "$2" '{username:"admin",password:$p}')" "$1/v2/users/login" | jq -r '.token // empty')
    [[ -n $session ]] || die "wharf: admin login failed"
    pat=$(curl -sS -m 30 -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $session" \
        -d "$(jq -cn --arg l "$3" '{token_label:$l,scopes:["repo:admin"]}')" "$1/v2/access-tokens" | jq -r '.token // empty')
    [[ $pat == wharf_pat_* ]] || die "wharf: PAT creation failed"
    echo "$pat"
}

bench_commit() { git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown; }

# results_head java: the lines every results file starts with: when, which build, which JDK and database, the CPUs
results_head() {
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit=$(bench_commit)"
    echo "java=$1"
    echo "database=${BENCH_DATABASE_URL:-h2}"
    echo "cpus=$(nproc) $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')"
}

# results_values: every key put in RESULTS_ORDER, in order, with its value in R
results_values() {
    local k
    for k in "${RESULTS_ORDER[@]}"; do echo "$k=${R[$k]}"; done
}

# Results: put key value records R[key], remembering the order of the keys for results_values.
declare -A R=()
RESULTS_ORDER=()
put() { R[$1]=$2; RESULTS_ORDER+=("$1"); }

# stop_on_exit: on any exit, stops the one server SERVER_PID and removes WORK (kept, with its wharf.log and ab
# outputs, when the run failed or BENCH_KEEP=1)
stop_on_exit() {
    WORK=""
    SERVER_PID=""
    trap 'rc=$?; stop_pid "$SERVER_PID"; remove_work "$rc" "wharf.log, ab outputs"; exit "$rc"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

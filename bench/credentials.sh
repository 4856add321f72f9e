#!/usr/bin/env bash
# Credential benchmark (issue 9, section 6): what a credential costs on the registry's hot path and how fast the
# management APIs list many of them. One Wharf, one run, this machine, over loopback. See bench/README.md.
#
#   bash bench/credentials.sh                  # after ./mvnw -q -DskipTests package
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bash bench/credentials.sh
#
# 1. Manifest HEAD at 32 and 1 connections with a registry token obtained with each kind of credential: a personal
#    token created through the Hub, a robot (Hub org access token) and a personal token created through the GitLab
#    API, in interleaved rounds. Target: robot and GitLab PAT >= the Hub PAT figure of the same run.
# 2. The GitLab list over 10,000 personal tokens (20 users x 500) and the IONOS list over 1,000 registry tokens,
#    several filters and pages each, one client paging and then 4 at once. Target: p99 <= 50 ms per page.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_AB_SECONDS="${BENCH_AB_SECONDS:-10}"          # each timed HEAD run
BENCH_ROUNDS="${BENCH_ROUNDS:-3}"                   # timed HEAD runs per credential kind and concurrency
BENCH_AB_WARMUP="${BENCH_AB_WARMUP:-40}"            # seconds of HEAD warm-up before the first timed run
BENCH_USERS="${BENCH_USERS:-20}"                    # GitLab list: users ...
BENCH_TOKENS_PER_USER="${BENCH_TOKENS_PER_USER:-500}" # ... times tokens each
BENCH_ROBOTS="${BENCH_ROBOTS:-1000}"                # IONOS list: tokens in one registry
BENCH_LIST_REQUESTS="${BENCH_LIST_REQUESTS:-400}"   # timed requests per list variant and concurrency
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-}"        # empty: the embedded H2; a jdbc:postgresql URL of an empty database
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/credentials-latest.txt}"
LIST_P99_TARGET_MS=50
MANIFEST_TYPE="application/vnd.oci.image.manifest.v1+json"
ORG=benchorg
REPO=$ORG/app
TAG=bench

ensure_tools() {
    local missing=()
    command -v ab >/dev/null || missing+=(apache2-utils)
    command -v curl >/dev/null || missing+=(curl)
    command -v jq >/dev/null || missing+=(jq)
    if ((${#missing[@]})); then
        log "installing ${missing[*]} (apt)"
        [[ $(id -u) == 0 ]] || die "need root to apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

stop_on_exit

# api METHOD PATH [curl args...] -> body on stdout; fails unless 2xx
api() {
    local method=$1 path=$2 out code
    shift 2
    out=$(curl -sS -m 30 -X "$method" -w '\n%{http_code}' "$@" "$BASE$path") || die "$method $path: curl failed"
    code=${out##*$'\n'}
    [[ $code == 2* ]] || die "$method $path: HTTP $code: ${out%$'\n'*}"
    printf '%s' "${out%$'\n'*}"
}

# registry_token user secret scope -> JWT from /token
registry_token() {
    local body
    body=$(curl -sS -m 30 -G -u "$1:$2" --data-urlencode "service=$SERVICE" --data-urlencode "scope=$3" "$BASE/token")
    jq -er '.token' <<<"$body" || die "/token for $1 gave: $body"
}

# A tiny image in $REPO:$TAG, pushed with the admin's password (one Argon2 check).
push_image() {
    local jwt cfg layer cfg_d layer_d manifest
    jwt=$(registry_token admin "$ADMIN_PASSWORD" "repository:$REPO:pull,push")
    cfg='{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'
    layer=$(head -c 1024 /dev/urandom | base64 -w0)
    cfg_d="sha256:$(printf '%s' "$cfg" | sha256sum | cut -d' ' -f1)"
    layer_d="sha256:$(printf '%s' "$layer" | sha256sum | cut -d' ' -f1)"
    for pair in "$cfg_d:$cfg" "$layer_d:$layer"; do
        local digest=${pair:0:71} content=${pair:72}
        printf '%s' "$content" | api POST "/v2/$REPO/blobs/uploads/?digest=$digest" -H "Authorization: Bearer $jwt" \
            -H 'Content-Type: application/octet-stream' --data-binary @- >/dev/null
    done
    manifest=$(jq -cn --arg mt "$MANIFEST_TYPE" --arg c "$cfg_d" --argjson cs "${#cfg}" --arg l "$layer_d" \
        --argjson ls "${#layer}" '{schemaVersion:2,mediaType:$mt,
          config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
          layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar",digest:$l,size:$ls}]}')
    printf '%s' "$manifest" | api PUT "/v2/$REPO/manifests/$TAG" -H "Authorization: Bearer $jwt" \
        -H "Content-Type: $MANIFEST_TYPE" --data-binary @- >/dev/null
}

# head_rate label jwt connections seconds -> req/s of manifest HEADs
head_rate() {
    local outf=$WORK/ab-head-$1-c$3-$RANDOM.txt
    timeout $(($4 + 120)) ab -k -i -q -c "$3" -t "$4" -n 100000000 -H "Accept: $MANIFEST_TYPE" \
        -H "Authorization: Bearer $2" "$BASE/v2/$REPO/manifests/$TAG" >"$outf" 2>&1 || { cat "$outf" >&2; die "ab failed"; }
    ab_check "$outf"
    awk '/^Requests per second/ {print $4}' "$outf"
}

# list_latency label url header connections -> "p50 p99 max" in ms over BENCH_LIST_REQUESTS requests, after as
# many untimed ones (the JIT and the database's page cache warm up on the first requests of each kind)
list_latency() {
    local outf=$WORK/ab-list-$1-c$4.txt
    timeout 600 ab -q -c "$4" -n "$BENCH_LIST_REQUESTS" -H "$3" "$2" >/dev/null 2>&1 || die "ab warm-up failed"
    timeout 600 ab -q -c "$4" -n "$BENCH_LIST_REQUESTS" -H "$3" "$2" >"$outf" 2>&1 || { cat "$outf" >&2; die "ab failed"; }
    ab_check "$outf"
    awk '$1=="50%" {p50=$2} $1=="99%" {p99=$2} $1=="100%" {max=$2} END {print p50, p99, max}' "$outf"
}

# measure_list label url header: one client paging (c=1, the per-page latency the target is about), then 4 at once
measure_list() {
    local c r
    for c in 1 4; do
        r=$(list_latency "$1" "$2" "$3" "$c")
        put "${1}_c${c}_p50_ms" "${r%% *}"; put "${1}_c${c}_p99_ms" "$(cut -d' ' -f2 <<<"$r")"
        put "${1}_c${c}_max_ms" "${r##* }"
        log "  $1 c=$c: p50/p99/max ${r// //} ms"
    done
}


main() {
    ensure_tools
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package"
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-cred-bench.XXXXXX")
    local port
    port=$(free_port)
    ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    BASE=http://127.0.0.1:$port
    SERVICE=127.0.0.1:$port
    local java_desc
    java_desc=$("$JAVA" -version 2>&1 | head -n1)
    log "starting wharf ($java_desc) on $BASE"
    # shellcheck disable=SC2086
    WHARF_ADMIN_PASSWORD=$ADMIN_PASSWORD "$JAVA" $WHARF_JAVA_OPTS -jar "$WHARF_JAR" serve --port "$port" \
        --bind 127.0.0.1 --data-dir "$WORK/data" ${BENCH_DATABASE_URL:+--database-url "$BENCH_DATABASE_URL"} \
        >"$WORK/wharf.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 450); do
        curl -s -o /dev/null -m 2 "$BASE/healthz" && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$WORK/wharf.log" >&2; die "wharf exited"; }
        sleep 0.2
    done
    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)

    log "setting up: org, image, three credentials"
    local session
    session=$(api POST /v2/users/login -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg p "$ADMIN_PASSWORD" '{username:"admin",password:$p}')" | jq -r .token)
    local admin=(-H "Authorization: Bearer $session" -H 'Content-Type: application/json')
    api POST /api/v1/orgs "${admin[@]}" -d "{\"name\":\"$ORG\"}" >/dev/null
    push_image
    local hub_pat robot gitlab_pat
    hub_pat=$(api POST /v2/access-tokens "${admin[@]}" -d '{"token_label":"bench-hub","scopes":["repo:read"]}' | jq -r .token)
    robot=$(api POST "/v2/orgs/$ORG/access-tokens" "${admin[@]}" -d "$(jq -cn --arg p "$REPO" \
        '{label:"bench-robot",resources:[{type:"TYPE_REPO",path:$p,scopes:["scope-image-pull"]}]}')" | jq -r .token)
    gitlab_pat=$(api POST /api/v4/user/personal_access_tokens "${admin[@]}" \
        -d '{"name":"bench-gitlab","scopes":["read_registry"]}' | jq -r .token)
    local scope="repository:$REPO:pull" jwt_hub jwt_robot jwt_gitlab
    jwt_hub=$(registry_token admin "$hub_pat" "$scope")
    jwt_robot=$(registry_token "$ORG" "$robot" "$scope")
    jwt_gitlab=$(registry_token admin "$gitlab_pat" "$scope")

    log "HEAD warm-up, ${BENCH_AB_WARMUP}s per credential kind"
    local w=$((BENCH_AB_WARMUP / 3))
    head_rate warm "$jwt_hub" 32 "$w" >/dev/null
    head_rate warm "$jwt_robot" 32 "$w" >/dev/null
    head_rate warm "$jwt_gitlab" 32 "$w" >/dev/null
    # Rounds interleave the kinds, so that drift in the machine's speed during the run falls on all of them alike;
    # each kind's figure is the median of its rounds, and the spread of its rounds is kept.
    local c label jwt round
    for c in 32 1; do
        for ((round = 1; round <= BENCH_ROUNDS; round++)); do
            for label in hub_pat robot gitlab_pat; do
                case $label in
                    hub_pat) jwt=$jwt_hub ;;
                    robot) jwt=$jwt_robot ;;
                    gitlab_pat) jwt=$jwt_gitlab ;;
                esac
                put "head_c${c}_${label}_round${round}_req_s" "$(head_rate "$label" "$jwt" "$c" "$BENCH_AB_SECONDS")"
                log "  HEAD c=$c $label round $round: ${R[head_c${c}_${label}_round${round}_req_s]} req/s"
            done
        done
        for label in hub_pat robot gitlab_pat; do
            local samples=()
            for ((round = 1; round <= BENCH_ROUNDS; round++)); do samples+=("${R[head_c${c}_${label}_round${round}_req_s]}"); done
            put "head_c${c}_${label}_median_req_s" "$(printf '%s\n' "${samples[@]}" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
            put "head_c${c}_${label}_range_req_s" "$(printf '%s\n' "${samples[@]}" | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {print lo "-" hi}')"
        done
    done

    log "creating $BENCH_USERS users x $BENCH_TOKENS_PER_USER GitLab tokens"
    local admin_api
    admin_api=$(api POST /api/v4/user/personal_access_tokens "${admin[@]}" -d '{"name":"bench-admin","scopes":["api","read_registry"]}' | jq -r .token)
    local i uid first
    : >"$WORK/create-urls"
    for ((i = 1; i <= BENCH_USERS; i++)); do
        api POST /api/v1/users "${admin[@]}" -d "{\"username\":\"benchuser$i\",\"password\":\"bench-password-$i\"}" >/dev/null
        local us
        us=$(api POST /v2/users/login -H 'Content-Type: application/json' \
            -d "{\"username\":\"benchuser$i\",\"password\":\"bench-password-$i\"}" | jq -r .token)
        first=$(api POST /api/v4/user/personal_access_tokens -H "Authorization: Bearer $us" \
            -H 'Content-Type: application/json' -d '{"name":"tok-0","scopes":["read_registry"]}')
        uid=$(jq -r .user_id <<<"$first")
        seq 1 $((BENCH_TOKENS_PER_USER - 1)) | sed "s|^|$uid |" >>"$WORK/create-urls"
    done
    local expires
    expires=$(date -u -d '+300 days' +%Y-%m-%d)
    local fails
    fails=$(awk '{print $2, $1}' "$WORK/create-urls" | xargs -P 6 -L 1 bash -c 'curl -sf -o /dev/null -m 30 -X POST \
        -H "PRIVATE-TOKEN: '"$admin_api"'" -H "Content-Type: application/json" \
        -d "{\"name\":\"tok-$0\",\"scopes\":[\"read_registry\"],\"expires_at\":\"'"$expires"'\"}" \
        "'"$BASE"'/api/v4/users/$1/personal_access_tokens" || echo fail' | grep -c fail || true)
    [[ $fails == 0 ]] || die "$fails GitLab token creations failed"
    local total
    total=$(curl -sS -D - -o /dev/null -H "PRIVATE-TOKEN: $admin_api" "$BASE/api/v4/personal_access_tokens?per_page=1" \
        | tr -d '\r' | awk 'tolower($1)=="x-total:" {print $2}')
    log "GitLab lists $total tokens"
    put gitlab_tokens "$total"
    local since
    since=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
    local -A variants=(
        [gitlab_first_page]="/api/v4/personal_access_tokens?per_page=100"
        [gitlab_page_50]="/api/v4/personal_access_tokens?per_page=100&page=50"
        [gitlab_user_state]="/api/v4/personal_access_tokens?user_id=$uid&state=active&per_page=100&page=3"
        [gitlab_search_sort]="/api/v4/personal_access_tokens?search=tok-1&sort=created_asc&per_page=100&page=2"
        [gitlab_dates_revoked]="/api/v4/personal_access_tokens?created_after=$since&expires_before=$(date -u -d '+400 days' +%Y-%m-%d)&revoked=false&per_page=100&page=20"
    )
    local v r
    for v in gitlab_first_page gitlab_page_50 gitlab_user_state gitlab_search_sort gitlab_dates_revoked; do
        measure_list "$v" "$BASE${variants[$v]}" "PRIVATE-TOKEN: $admin_api"
    done

    log "creating $BENCH_ROBOTS IONOS tokens in one registry"
    local reg
    reg=$(api POST /containerregistries/registries -H "Authorization: Bearer $admin_api" -H 'Content-Type: application/json' \
        -d '{"properties":{"name":"benchreg","location":"local"}}' | jq -r .id)
    fails=$(seq 1 "$BENCH_ROBOTS" | xargs -P 6 -I{} bash -c 'curl -sf -o /dev/null -m 30 -X POST \
        -H "Authorization: Bearer '"$admin_api"'" -H "Content-Type: application/json" \
        -d "{\"properties\":{\"name\":\"robot-{}\",\"scopes\":[{\"name\":\"app-{}\",\"type\":\"repository\",\"actions\":[\"pull\"]}]}}" \
        "'"$BASE"'/containerregistries/registries/'"$reg"'/tokens" || echo fail' | grep -c fail || true)
    [[ $fails == 0 ]] || die "$fails IONOS token creations failed"
    total=$(curl -sS -H "Authorization: Bearer $admin_api" "$BASE/containerregistries/registries/$reg/tokens?limit=1" | jq -r .total)
    log "IONOS lists $total tokens"
    put ionos_tokens "$total"
    local -A ivariants=(
        [ionos_first_page]="/containerregistries/registries/$reg/tokens?limit=100"
        [ionos_last_page]="/containerregistries/registries/$reg/tokens?offset=900&limit=100"
    )
    for v in ionos_first_page ionos_last_page; do
        measure_list "$v" "$BASE${ivariants[$v]}" "Authorization: Bearer $admin_api"
    done

    local rss
    rss=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status")
    put peak_rss_mib "$rss"
    report "$java_desc" "$load_start"
}

report() {
    local commit
    commit=$(bench_commit)
    mkdir -p "$(dirname "$BENCH_RESULTS")"
    {
        results_head "$1"
        echo "loadavg_start=$2"
        echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
        results_values
    } >"$BENCH_RESULTS"
    printf '\nWharf %s, %s, %s CPUs, load %s at start\n\n' "$commit" "$1" "$(nproc)" "$2"
    printf '| manifest HEAD, req/s (median of %s rounds; range) | c=32 | c=1 |\n| --- | ---: | ---: |\n' "$BENCH_ROUNDS"
    local label
    for label in hub_pat robot gitlab_pat; do
        printf '| %s | %s (%s) | %s (%s) |\n' "$label" "${R[head_c32_${label}_median_req_s]}" \
            "${R[head_c32_${label}_range_req_s]}" "${R[head_c1_${label}_median_req_s]}" "${R[head_c1_${label}_range_req_s]}"
    done
    printf '\n| list (%s GitLab / %s IONOS tokens), ms | c=1 p50 | c=1 p99 | c=1 max | p99 <= %s ms | c=4 p50 | c=4 p99 |\n| --- | ---: | ---: | ---: | --- | ---: | ---: |\n' \
        "${R[gitlab_tokens]}" "${R[ionos_tokens]}" "$LIST_P99_TARGET_MS"
    local v verdict
    for v in gitlab_first_page gitlab_page_50 gitlab_user_state gitlab_search_sort gitlab_dates_revoked ionos_first_page ionos_last_page; do
        verdict=met
        ((${R[${v}_c1_p99_ms]} <= LIST_P99_TARGET_MS)) || verdict=MISSED
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$v" "${R[${v}_c1_p50_ms]}" "${R[${v}_c1_p99_ms]}" \
            "${R[${v}_c1_max_ms]}" "$verdict" "${R[${v}_c4_p50_ms]}" "${R[${v}_c4_p99_ms]}"
    done
    printf '\npeak RSS %s MiB; results in %s\n' "${R[peak_rss_mib]}" "$BENCH_RESULTS"
}

main "$@"

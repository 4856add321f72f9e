#!/usr/bin/env bash
# Web UI benchmark (issue 13, section 4): the server time of every page of the web UI, and its weight, over a site
# that holds many tokens, repositories and audit events. One Wharf, one client, this machine, over loopback.
#
#   bash bench/web-ui.sh                  # after ./mvnw -q -DskipTests package; H2
#   BENCH_DATABASE_URL='jdbc:postgresql://127.0.0.1:5432/empty?user=postgres' bash bench/web-ui.sh
#
# Setup, all through the APIs: BENCH_USERS users besides the site admin, each with BENCH_TOKENS_PER_USER personal
# tokens (the admin too, so 10 x 1,000 = 10,000 tokens by default; 1,000 is the most one account may hold),
# BENCH_REPOS repositories in the admin's namespace, and description changes of those repositories until the admin's
# audit log holds BENCH_EVENTS events. Then, signed in through the sign-in form as the admin, BENCH_PAGE_REQUESTS
# requests to each page one at a time (ab -c 1, after as many untimed ones): p50, p99 and max, target p99 <= 50 ms.
# The server's own time per request is taken from its access log (duration_ms) as well. The weight of a page is
# its HTML plus every stylesheet and script it loads; target under 100 KiB for the largest.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_USERS="${BENCH_USERS:-9}"                        # users besides the admin
BENCH_TOKENS_PER_USER="${BENCH_TOKENS_PER_USER:-1000}" # personal tokens of each of them and of the admin
BENCH_REPOS="${BENCH_REPOS:-1000}"                     # repositories in the admin's namespace
BENCH_EVENTS="${BENCH_EVENTS:-100000}"                 # events in the admin's audit log, at least
BENCH_IMAGES="${BENCH_IMAGES:-40}"                     # images in admin/r00002, two pages of its repository page
BENCH_TEAMS="${BENCH_TEAMS:-100}"                      # teams of the organization benchorg (its members: every user)
BENCH_ORG_REPOS="${BENCH_ORG_REPOS:-100}"              # benchorg's repositories, on each of which team-001 has a permission
BENCH_PARALLEL="${BENCH_PARALLEL:-8}"                  # concurrent requests while seeding
BENCH_SEED_TIMEOUT="${BENCH_SEED_TIMEOUT:-3600}"       # seconds one seeding step may take
BENCH_PAGE_REQUESTS="${BENCH_PAGE_REQUESTS:-300}"      # timed requests per page (after as many untimed ones)
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-}"           # empty: the embedded H2; a jdbc:postgresql URL of an empty database
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/web-ui-latest.txt}"
P99_TARGET_MS=50
WEIGHT_TARGET_BYTES=$((100 * 1024))

for tool in ab curl jq; do command -v "$tool" >/dev/null || die "needs $tool (apt-get install apache2-utils curl jq)"; done

stop_on_exit


login() { # username password -> a Hub session JWT
    api POST /v2/users/login -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg u "$1" --arg p "$2" '{username:$u,password:$p}')" | jq -r .token
}

# block METHOD URL AUTHORIZATION JSON: one request of a curl config file; curl starts each operation afresh after
# "next", so every block carries its own headers, output and write-out
block() {
    printf 'url = "%s"\nrequest = "%s"\nheader = "Authorization: %s"\nheader = "Content-Type: application/json"\n' \
        "$2" "$1" "$3"
    printf 'data = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nmax-time = 60\nnext\n' "${4//\"/\\\"}"
}

# many file expected-status: the requests of a curl config file, BENCH_PARALLEL at a time in one curl process;
# fails unless every one answered expected-status
many() {
    local config=$1 expected=$2 statuses=$WORK/statuses-$RANDOM bad
    sed -i '$ d' "$config" # the last block's "next", which no operation follows
    timeout "$BENCH_SEED_TIMEOUT" curl -sS --no-progress-meter --parallel --parallel-max "$BENCH_PARALLEL" \
        -K "$config" >"$statuses" || die "curl -K $config failed"
    bad=$(grep -vc "^$expected\$" "$statuses" || true)
    [[ $bad == 0 ]] || die "$bad of $(wc -l <"$statuses") requests in $config did not answer $expected: $(sort "$statuses" | uniq -c | tr '\n' ' ')"
}

# tokens session count: creates count personal tokens for the session's user
tokens() {
    local cfg=$WORK/tokens-$RANDOM.cfg i body
    for ((i = 1; i <= $2; i++)); do
        printf -v body '{"token_label":"bench-%05d","scopes":["repo:read"]}' "$i"
        block POST "$BASE/v2/access-tokens" "Bearer $1" "$body"
    done >"$cfg"
    many "$cfg" 201
}

seed() {
    local t0=$SECONDS i cfg url body
    log "seeding $BENCH_USERS users and $BENCH_TOKENS_PER_USER tokens for each of them and for the admin"
    tokens "$ADMIN_SESSION" $((BENCH_TOKENS_PER_USER - 1)) # the admin's first token opened the run
    for ((i = 1; i <= BENCH_USERS; i++)); do
        api POST /api/v1/users -H "Authorization: Bearer $ADMIN_SESSION" -H 'Content-Type: application/json' \
            -d "$(jq -cn --arg u "benchuser$i" '{username:$u,password:"bench-user-password"}')" >/dev/null
        tokens "$(login "benchuser$i" bench-user-password)" "$BENCH_TOKENS_PER_USER"
    done
    put seed_tokens_s $((SECONDS - t0))
    t0=$SECONDS
    log "seeding $BENCH_REPOS repositories"
    cfg=$WORK/repos.cfg
    for ((i = 1; i <= BENCH_REPOS; i++)); do
        printf -v body '{"namespace":"admin","name":"r%05d","description":"repository %d","is_private":%s}' \
            "$i" "$i" "$( ((i % 2)) && echo true || echo false)"
        block POST "$BASE/v2/namespaces/admin/repositories" "Bearer $ADMIN_SESSION" "$body"
    done >"$cfg"
    many "$cfg" 201
    put seed_repositories_s $((SECONDS - t0))
    t0=$SECONDS
    local needed=$((BENCH_EVENTS - BENCH_TOKENS_PER_USER - BENCH_REPOS - BENCH_USERS))
    log "seeding $needed repository description changes (the admin's audit log then holds >= $BENCH_EVENTS events)"
    cfg=$WORK/events.cfg
    for ((i = 1; i <= needed; i++)); do
        printf -v url '%s/v2/repositories/admin/r%05d' "$BASE" $(((i % BENCH_REPOS) + 1))
        printf -v body '{"description":"change %d"}' "$i"
        block PATCH "$url" "Bearer $ADMIN_SESSION" "$body"
    done >"$cfg"
    many "$cfg" 200
    put seed_events_s $((SECONDS - t0))
    seed_org
    seed_images
}

# seed_images: BENCH_IMAGES images, each its own manifest under its own tag, in admin/r00002, for a repository page
# with a full page of image rows
seed_images() {
    local t0=$SECONDS i f d mt=application/vnd.oci.image.manifest.v1+json cfg_d layer_d
    log "seeding $BENCH_IMAGES images in admin/r00002"
    printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}' >"$WORK/config.json"
    head -c 2048 /dev/urandom >"$WORK/layer.bin"
    for f in config.json layer.bin; do
        d="sha256:$(sha256sum <"$WORK/$f" | cut -d' ' -f1)"
        api POST "/v2/admin/r00002/blobs/uploads/?digest=$d" -u "admin:$ADMIN_PASSWORD" \
            -H 'Content-Type: application/octet-stream' --data-binary "@$WORK/$f" >/dev/null
    done
    cfg_d="sha256:$(sha256sum <"$WORK/config.json" | cut -d' ' -f1)"
    layer_d="sha256:$(sha256sum <"$WORK/layer.bin" | cut -d' ' -f1)"
    for ((i = 1; i <= BENCH_IMAGES; i++)); do
        printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":2048}],"annotations":{"bench.n":"%d"}}' \
            "$mt" "$cfg_d" "$(wc -c <"$WORK/config.json")" "$layer_d" "$i" >"$WORK/manifest.json"
        api PUT "$(printf '/v2/admin/r00002/manifests/t%03d' "$i")" -u "admin:$ADMIN_PASSWORD" \
            -H "Content-Type: $mt" --data-binary "@$WORK/manifest.json" >/dev/null
    done
    put seed_images_s $((SECONDS - t0))
}

# seed_org: the organization benchorg with every user as a member, BENCH_TEAMS teams and BENCH_ORG_REPOS repositories;
# team-001 has every member and a permission on every repository
seed_org() {
    local t0=$SECONDS i cfg body team_id
    log "seeding benchorg: $BENCH_USERS members, $BENCH_TEAMS teams, $BENCH_ORG_REPOS repositories"
    api POST /api/v1/orgs -H "Authorization: Bearer $ADMIN_SESSION" -H 'Content-Type: application/json' \
        -d '{"name":"benchorg"}' >/dev/null
    for ((i = 1; i <= BENCH_USERS; i++)); do
        api PUT "/api/v1/orgs/benchorg/members/benchuser$i" -H "Authorization: Bearer $ADMIN_SESSION" \
            -H 'Content-Type: application/json' -d '{"role":"member"}' >/dev/null
    done
    cfg=$WORK/teams.cfg
    for ((i = 1; i <= BENCH_TEAMS; i++)); do
        printf -v body '{"name":"team-%03d","description":"team %d"}' "$i" "$i"
        block POST "$BASE/v2/orgs/benchorg/groups" "Bearer $ADMIN_SESSION" "$body"
    done >"$cfg"
    many "$cfg" 201
    cfg=$WORK/org-repos.cfg
    for ((i = 1; i <= BENCH_ORG_REPOS; i++)); do
        printf -v body '{"namespace":"benchorg","name":"o%03d","is_private":true}' "$i"
        block POST "$BASE/v2/namespaces/benchorg/repositories" "Bearer $ADMIN_SESSION" "$body"
    done >"$cfg"
    many "$cfg" 201
    for ((i = 1; i <= BENCH_USERS; i++)); do
        api POST /v2/orgs/benchorg/groups/team-001/members -H "Authorization: Bearer $ADMIN_SESSION" \
            -H 'Content-Type: application/json' -d "{\"member\":\"benchuser$i\"}" >/dev/null
    done
    team_id=$(api GET /v2/orgs/benchorg/groups/team-001 -H "Authorization: Bearer $ADMIN_SESSION" | jq -r .id)
    cfg=$WORK/grants.cfg
    for ((i = 1; i <= BENCH_ORG_REPOS; i++)); do
        printf -v body '{"group_id":%s,"permission":"write"}' "$team_id"
        block POST "$(printf '%s/v2/repositories/benchorg/o%03d/groups' "$BASE" "$i")" "Bearer $ADMIN_SESSION" "$body"
    done >"$cfg"
    many "$cfg" 200
    put seed_org_s $((SECONDS - t0))
}

# measure label path [anonymous]: p50/p99/max of BENCH_PAGE_REQUESTS GETs of a page with the session cookie (client side, ab),
# the p99 of the server's own duration_ms for them, and the page's weight with what it loads
measure() {
    local label=$1 path=$2 outf=$WORK/ab-$1.txt code
    local cookie=(-b "$COOKIE") ab_cookie=(-C "$COOKIE_PAIR")
    if [[ ${3:-} == anonymous ]]; then
        cookie=()
        ab_cookie=()
    fi
    code=$(curl -s -o "$WORK/page-$label.html" -w '%{http_code}' -m 60 "${cookie[@]}" "$BASE$path")
    [[ $code == 200 ]] || die "$label: GET $path answered HTTP $code: $(head -c 300 "$WORK/page-$label.html")"
    grep -q '· Wharf</title>' "$WORK/page-$label.html" || die "$label: not a page of Wharf's"
    timeout 900 ab -q -c 1 -n "$BENCH_PAGE_REQUESTS" "${ab_cookie[@]}" "$BASE$path" >/dev/null 2>&1 \
        || die "ab warm-up failed for $label"
    local before
    before=$(wc -l <"$WORK/wharf.log")
    timeout 900 ab -q -c 1 -n "$BENCH_PAGE_REQUESTS" "${ab_cookie[@]}" "$BASE$path" >"$outf" 2>&1 \
        || { cat "$outf" >&2; die "ab failed"; }
    ab_check "$outf"
    local r server
    r=$(awk '$1=="50%" {p50=$2} $1=="99%" {p99=$2} $1=="100%" {max=$2} END {print p50, p99, max}' "$outf")
    # The access log's path is without the query; every line after $before that is this page's route counts.
    server=$(tail -n +"$((before + 1))" "$WORK/wharf.log" | grep 'logger=access' | grep -F "path=\"${path%%\?*}\"" \
        | sed -n 's/.*duration_ms=\([0-9.]*\).*/\1/p' | sort -n \
        | awk '{v[NR]=$1} END {if (NR == 0) {print "?"; exit} i=int(NR*0.99); if (i < 1) i=1; printf "%.1f", v[i]}')
    local weight
    weight=$(page_weight "$WORK/page-$label.html")
    put "${label}_p50_ms" "${r%% *}"
    put "${label}_p99_ms" "$(cut -d' ' -f2 <<<"$r")"
    put "${label}_max_ms" "${r##* }"
    put "${label}_server_p99_ms" "$server"
    put "${label}_weight_bytes" "$weight"
    log "  $label: p50/p99/max ${r// //} ms, server p99 $server ms, $weight bytes with its assets"
}

# page_weight file -> bytes of the page and of every stylesheet and script it references
page_weight() {
    local total asset
    total=$(wc -c <"$1")
    for asset in $(grep -oE '(href|src)="/static/[^"]+"' "$1" | sed -E 's/^(href|src)="//; s/"$//' | sort -u); do
        total=$((total + $(curl -s -m 30 "$BASE$asset" | wc -c)))
    done
    echo "$total"
}

PAGES=(tokens tokens_last repositories repositories_updated_last repositories_search repository repository_images audit audit_deep
    audit_filtered orgs org org_teams org_teams_last team admin_users admin_gc signin)

main() {
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package"
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-web-bench.XXXXXX")
    local port java_desc
    port=$(free_port)
    ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    BASE=http://127.0.0.1:$port
    java_desc=$("$JAVA" -version 2>&1 | head -n1)
    log "starting wharf ($java_desc) on $BASE"
    # shellcheck disable=SC2086
    WHARF_ADMIN_PASSWORD=$ADMIN_PASSWORD "$JAVA" $WHARF_JAVA_OPTS -jar "$WHARF_JAR" serve --port "$port" \
        --bind 127.0.0.1 --data-dir "$WORK/data" ${BENCH_DATABASE_URL:+--database-url "$BENCH_DATABASE_URL"} \
        >"$WORK/wharf.log" 2>&1 &
    SERVER_PID=$!
    wait_http "$BASE/healthz" "$SERVER_PID" "$WORK/wharf.log"
    ADMIN_SESSION=$(login admin "$ADMIN_PASSWORD")
    api POST /v2/access-tokens -H "Authorization: Bearer $ADMIN_SESSION" -H 'Content-Type: application/json' \
        -d '{"token_label":"bench-00000","scopes":["repo:read"]}' >/dev/null
    seed
    # Signed in as a browser is: the sign-in form, its session cookie.
    COOKIE=$WORK/cookies.txt
    curl -sS -m 30 -c "$COOKIE" -o /dev/null --data-urlencode username=admin \
        --data-urlencode "password=$ADMIN_PASSWORD" "$BASE/signin"
    COOKIE_PAIR="wharf_session=$(awk '$6 == "wharf_session" {print $7}' "$COOKIE")"
    [[ $COOKIE_PAIR != "wharf_session=" ]] || die "the sign-in form set no session cookie"
    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    local last_tokens=$(((BENCH_TOKENS_PER_USER + 19) / 20)) last_repos=$(((BENCH_REPOS + 19) / 20))
    local deep_audit=$((BENCH_EVENTS / 25 - 1))
    log "measuring, one client, $BENCH_PAGE_REQUESTS requests per page"
    measure tokens "/tokens"
    measure tokens_last "/tokens?page=$last_tokens"
    measure repositories "/repositories/admin"
    measure repositories_updated_last "/repositories/admin?sort=updated&page=$last_repos"
    measure repositories_search "/repositories/admin?q=r009&sort=pulls"
    measure repository "/repositories/admin/r00001"
    measure repository_images "/repositories/admin/r00002?page=2"
    measure audit "/audit/admin"
    measure audit_deep "/audit/admin?page=$deep_audit"
    measure audit_filtered "/audit/admin?action=repo.create&page=2"
    measure orgs "/orgs"
    measure org "/orgs/benchorg"
    measure org_teams "/orgs/benchorg/teams"
    measure org_teams_last "/orgs/benchorg/teams?page=$(((BENCH_TEAMS + 24) / 25))"
    measure team "/orgs/benchorg/teams/team-001?permissions_page=2"
    measure admin_users "/admin/users"
    measure admin_gc "/admin/gc"
    measure signin "/signin" anonymous
    put peak_rss_mib "$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status")"
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
        echo "tokens=$(((BENCH_USERS + 1) * BENCH_TOKENS_PER_USER)) repositories=$BENCH_REPOS audit_events>=$BENCH_EVENTS"
        results_values
    } >"$BENCH_RESULTS"
    printf '\nWharf %s, %s, %s, %s CPUs, load %s at the start of the timed part\n\n' "$commit" "$1" \
        "${BENCH_DATABASE_URL:+PostgreSQL}${BENCH_DATABASE_URL:-H2}" "$(nproc)" "$2"
    printf '| page | p50 ms | p99 ms | max ms | server p99 ms | bytes with assets | p99 <= %s ms |\n' "$P99_TARGET_MS"
    printf '| --- | ---: | ---: | ---: | ---: | ---: | --- |\n'
    local p verdict heaviest=0
    for p in "${PAGES[@]}"; do
        verdict=met
        ((${R[${p}_p99_ms]} <= P99_TARGET_MS)) || verdict=MISSED
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$p" "${R[${p}_p50_ms]}" "${R[${p}_p99_ms]}" \
            "${R[${p}_max_ms]}" "${R[${p}_server_p99_ms]}" "${R[${p}_weight_bytes]}" "$verdict"
        ((${R[${p}_weight_bytes]} > heaviest)) && heaviest=${R[${p}_weight_bytes]}
    done
    verdict=met
    ((heaviest < WEIGHT_TARGET_BYTES)) || verdict=MISSED
    printf '\nheaviest page with its assets: %s bytes (target under %s: %s); peak RSS %s MiB\n' "$heaviest" \
        "$WEIGHT_TARGET_BYTES" "$verdict" "${R[peak_rss_mib]}"
    printf 'seeding: %s s tokens, %s s repositories, %s s audit events; results in %s\n' "${R[seed_tokens_s]}" \
        "${R[seed_repositories_s]}" "${R[seed_events_s]}" "$BENCH_RESULTS"
}

main "$@"

#!/usr/bin/env bash
# Hub content benchmark (issue 10, section 6): the Hub's content listings over one big repository and a namespace of
# many repositories, and a bulk image deletion. One Wharf, one run, this machine, over loopback. See bench/README.md.
#
#   bash bench/hub-content.sh                  # after ./mvnw -q -DskipTests package; H2
#   BENCH_DATABASE_URL='jdbc:postgresql://127.0.0.1:5432/empty?user=postgres' bash bench/hub-content.sh
#
# Setup, all through the registry API: one repository with BENCH_MANIFESTS distinct image manifests, each under its
# own tag (one small config and one layer, pushed once; every manifest differs by an annotation), and BENCH_REPOS
# repositories in the same namespace (blobs mounted, one manifest each). Then, one client at a time, p99 of:
#   - a page of the images list, ordered (two orderings, one with a status filter), and an image's tags;
#   - a page of the tags list (/v2/namespaces/{ns}/repositories/{repo}/tags?page=N);
#   - a filtered, ordered page of the repository list (?name=..&ordering=-last_updated);
# each target p99 <= 50 ms; and delete-images of BENCH_DELETE manifests in one call, target <= 5 s. An endpoint the
# server does not have (404 for the route) is reported as absent, not measured.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_MANIFESTS="${BENCH_MANIFESTS:-100000}"        # manifests (and tags) in the big repository
BENCH_REPOS="${BENCH_REPOS:-1000}"                  # repositories in the namespace
BENCH_DELETE="${BENCH_DELETE:-1000}"                # manifests deleted in one delete-images call
BENCH_PARALLEL="${BENCH_PARALLEL:-8}"               # concurrent pushes while seeding
BENCH_SEED_TIMEOUT="${BENCH_SEED_TIMEOUT:-3600}"    # seconds the whole seeding may take
BENCH_LIST_REQUESTS="${BENCH_LIST_REQUESTS:-300}"   # timed requests per listing (after as many untimed ones)
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-}"        # empty: the embedded H2; a jdbc:postgresql URL of an empty database
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/var/tmp}}"
BENCH_KEEP="${BENCH_KEEP:-0}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results/hub-content-latest.txt}"
LIST_P99_TARGET_MS=50
DELETE_TARGET_MS=5000
MANIFEST_TYPE="application/vnd.oci.image.manifest.v1+json"
NS=admin
BIG=big

for tool in ab curl jq sha256sum; do command -v "$tool" >/dev/null || die "needs $tool (apt-get install apache2-utils curl jq)"; done

stop_on_exit

# many_requests file expected-status [curl args...]: runs the requests of a curl config file BENCH_PARALLEL at a
# time, in one curl process; fails unless every one answered expected-status
many_requests() {
    local config=$1 expected=$2 statuses
    shift 2
    statuses=$WORK/statuses-$RANDOM
    timeout "$BENCH_SEED_TIMEOUT" curl -sS --no-progress-meter --parallel --parallel-max "$BENCH_PARALLEL" -m 60 -u "$NS:$PAT" "$@" \
        -w '%{http_code}\n' -K "$config" >"$statuses" || die "curl -K $config failed"
    local bad
    bad=$(grep -vc "^$expected\$" "$statuses" || true)
    [[ $bad == 0 ]] || die "$bad of $(wc -l <"$statuses") requests in $config did not answer $expected: $(sort "$statuses" | uniq -c | tr '\n' ' ')"
}

seed() {
    local cfg layer cfg_d layer_d
    cfg='{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'
    layer=$(head -c 512 /dev/urandom | base64 -w0)
    printf '%s' "$cfg" >"$WORK/config.json"
    printf '%s' "$layer" >"$WORK/layer.bin"
    cfg_d="sha256:$(sha256sum <"$WORK/config.json" | cut -d' ' -f1)"
    layer_d="sha256:$(sha256sum <"$WORK/layer.bin" | cut -d' ' -f1)"
    local f d
    for f in config.json layer.bin; do
        d="sha256:$(sha256sum <"$WORK/$f" | cut -d' ' -f1)"
        api POST "/v2/$NS/$BIG/blobs/uploads/?digest=$d" -u "$NS:$PAT" -H 'Content-Type: application/octet-stream' \
            --data-binary "@$WORK/$f" >/dev/null
    done
    log "writing $BENCH_MANIFESTS manifests"
    mkdir -p "$WORK/m"
    awk -v n="$BENCH_MANIFESTS" -v dir="$WORK/m" -v mt="$MANIFEST_TYPE" -v c="$cfg_d" -v cs="${#cfg}" \
        -v l="$layer_d" -v ls="${#layer}" 'BEGIN {
        for (i = 1; i <= n; i++) {
            f = sprintf("%s/%07d.json", dir, i)
            printf "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%d}],\"annotations\":{\"bench.n\":\"%d\"}}", mt, c, cs, l, ls, i > f
            close(f)
        }}'
    (cd "$WORK/m" && find . -name '*.json' -print0 | sort -z | xargs -0 sha256sum) \
        | awk '{sub("^\\./", "", $2); sub("\\.json$", "", $2); print $2, "sha256:" $1}' >"$WORK/digests"
    log "pushing $BENCH_MANIFESTS manifests, each under its own tag, $BENCH_PARALLEL at a time"
    local start_s=$SECONDS chunk=10000 from to
    for ((from = 1; from <= BENCH_MANIFESTS; from += chunk)); do
        to=$((from + chunk - 1 < BENCH_MANIFESTS ? from + chunk - 1 : BENCH_MANIFESTS))
        awk -v from="$from" -v to="$to" -v base="$BASE" -v ns="$NS" -v repo="$BIG" -v dir="$WORK/m" \
            'BEGIN { for (i = from; i <= to; i++) printf "url = \"%s/v2/%s/%s/manifests/t%07d\"\nupload-file = \"%s/%07d.json\"\noutput = \"/dev/null\"\n", base, ns, repo, i, dir, i }' \
            >"$WORK/push.cfg"
        many_requests "$WORK/push.cfg" 201 -H "Content-Type: $MANIFEST_TYPE"
        log "  $to pushed ($((SECONDS - start_s)) s)"
    done
    put seed_manifests_s $((SECONDS - start_s))
    log "creating $BENCH_REPOS repositories in $NS (blobs mounted, one manifest each)"
    start_s=$SECONDS
    awk -v n="$BENCH_REPOS" -v base="$BASE" -v ns="$NS" -v big="$BIG" -v c="$cfg_d" -v l="$layer_d" \
        'BEGIN { for (i = 1; i <= n; i++) { printf "url = \"%s/v2/%s/app%04d/blobs/uploads/?mount=%s&from=%s/%s\"\noutput = \"/dev/null\"\n", base, ns, i, c, ns, big
                                            printf "url = \"%s/v2/%s/app%04d/blobs/uploads/?mount=%s&from=%s/%s\"\noutput = \"/dev/null\"\n", base, ns, i, l, ns, big } }' >"$WORK/mount.cfg"
    many_requests "$WORK/mount.cfg" 201 -X POST -H 'Content-Length: 0'
    awk -v n="$BENCH_REPOS" -v base="$BASE" -v ns="$NS" -v f="$WORK/m/0000001.json" \
        'BEGIN { for (i = 1; i <= n; i++) printf "url = \"%s/v2/%s/app%04d/manifests/v1\"\nupload-file = \"%s\"\noutput = \"/dev/null\"\n", base, ns, i, f }' >"$WORK/repos.cfg"
    many_requests "$WORK/repos.cfg" 201 -H "Content-Type: $MANIFEST_TYPE"
    put seed_repositories_s $((SECONDS - start_s))
}

# measure_list label path: p50/p99/max over BENCH_LIST_REQUESTS requests by one client, after as many untimed ones
# (the JIT and the database's caches warm up on the first requests of each kind); "absent" when the route is not there
measure_list() {
    local label=$1 url=$BASE$2 outf=$WORK/ab-$1.txt code
    code=$(curl -s -o "$WORK/first-$label.json" -w '%{http_code}' -m 60 -H "Authorization: Bearer $SESSION" "$url")
    if [[ $code != 200 ]]; then
        log "  $label: HTTP $code ($(head -c 200 "$WORK/first-$label.json")), not measured"
        put "${label}" "absent (HTTP $code)"
        return
    fi
    put "${label}_count" "$(jq -r '.count // empty' "$WORK/first-$label.json")"
    timeout 900 ab -q -c 1 -n "$BENCH_LIST_REQUESTS" -H "Authorization: Bearer $SESSION" "$url" >/dev/null 2>&1 \
        || die "ab warm-up failed for $label"
    timeout 900 ab -q -c 1 -n "$BENCH_LIST_REQUESTS" -H "Authorization: Bearer $SESSION" "$url" >"$outf" 2>&1 \
        || { cat "$outf" >&2; die "ab failed"; }
    ab_check "$outf"
    local r
    r=$(awk '$1=="50%" {p50=$2} $1=="99%" {p99=$2} $1=="100%" {max=$2} END {print p50, p99, max}' "$outf")
    put "${label}_p50_ms" "${r%% *}"
    put "${label}_p99_ms" "$(cut -d' ' -f2 <<<"$r")"
    put "${label}_max_ms" "${r##* }"
    log "  $label: p50/p99/max ${r// //} ms"
}

# delete_images: a dry run names the warnings (every image is active and tagged), which the real call then
# acknowledges, as a client copies them into ignore_warnings; the real call is timed
delete_images() {
    local body="$WORK/delete.json" dry="$WORK/dry.json" out="$WORK/deleted.json" code t
    head -n "$BENCH_DELETE" "$WORK/digests" | jq -R -s --arg repo "$BIG" \
        '{dry_run: true, manifests: [split("\n")[] | select(length > 0) | split(" ")[1] | {repository: $repo, digest: .}]}' >"$body"
    code=$(curl -sS -m 120 -o "$dry" -w '%{http_code}' -X POST -H "Authorization: Bearer $SESSION" \
        -H 'Content-Type: application/json' --data-binary "@$body" "$BASE/v2/namespaces/$NS/delete-images")
    [[ $code == 400 ]] || die "dry run without acknowledgements: HTTP $code $(head -c 300 "$dry")"
    put delete_warnings "$(jq '.errinfo.details.warnings | length' "$dry")"
    jq --slurpfile dry "$dry" '.dry_run = false | .ignore_warnings = $dry[0].errinfo.details.warnings' "$body" >"$body.ack"
    t=$(curl -sS -m 120 -o "$out" -w '%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $SESSION" \
        -H 'Content-Type: application/json' --data-binary "@$body.ack" "$BASE/v2/namespaces/$NS/delete-images")
    [[ ${t%% *} == 200 ]] || die "delete-images: HTTP $t $(head -c 300 "$out")"
    put delete_body_bytes "$(wc -c <"$body.ack")"
    put delete_manifests "$(jq .metrics.manifest_deletes "$out")"
    put delete_tags "$(jq .metrics.tag_deletes "$out")"
    put delete_errors "$(jq '.metrics.manifest_errors + .metrics.tag_errors' "$out")"
    put delete_ms "$(awk -v s="${t##* }" 'BEGIN {printf "%d", s * 1000}')"
    log "  delete-images of $BENCH_DELETE manifests: ${R[delete_ms]} ms ($(jq -c .metrics "$out"))"
}


main() {
    [[ -f $WHARF_JAR ]] || die "no Wharf jar at $WHARF_JAR: run ./mvnw -q -DskipTests package"
    mkdir -p "$BENCH_TMP"
    WORK=$(mktemp -d "$BENCH_TMP/wharf-content-bench.XXXXXX")
    local port
    port=$(free_port)
    ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    BASE=http://127.0.0.1:$port
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
    local session
    session=$(api POST /v2/users/login -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg p "$ADMIN_PASSWORD" '{username:"admin",password:$p}')" | jq -r .token)
    PAT=$(api POST /v2/access-tokens -H "Authorization: Bearer $session" -H 'Content-Type: application/json' \
        -d '{"token_label":"bench-push","scopes":["repo:admin"]}' | jq -r .token)
    seed
    SESSION=$(api POST /v2/users/login -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg p "$ADMIN_PASSWORD" '{username:"admin",password:$p}')" | jq -r .token)
    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    local some_digest
    some_digest=$(sed -n "$((BENCH_MANIFESTS / 2))p" "$WORK/digests" | cut -d' ' -f2)
    log "measuring, one client, $BENCH_LIST_REQUESTS requests per listing"
    local r="/v2/namespaces/$NS/repositories"
    measure_list images_last_activity "$r/$BIG/images?ordering=-last_activity&page=20&page_size=100"
    measure_list images_digest_active "$r/$BIG/images?ordering=digest&status=active&page=20&page_size=100"
    measure_list images_tagged "$r/$BIG/images?currently_tagged=true&ordering=last_activity&page=1&page_size=100"
    measure_list image_tags "$r/$BIG/images/$some_digest/tags"
    measure_list images_summary "$r/$BIG/images-summary"
    measure_list tags_page "$r/$BIG/tags?page=20&page_size=100"
    measure_list repositories_filtered "$r?name=app0&ordering=-last_updated&page=3&page_size=100"
    log "delete-images"
    delete_images
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
        echo "uptime_start=$2"
        echo "uptime_end=$(uptime)"
        echo "manifests=$BENCH_MANIFESTS repositories=$BENCH_REPOS"
        results_values
    } >"$BENCH_RESULTS"
    printf '\nWharf %s, %s, %s, %s CPUs, load %s at start of the timed part\n\n' "$commit" "$1" \
        "${BENCH_DATABASE_URL:+PostgreSQL}${BENCH_DATABASE_URL:-H2}" "$(nproc)" "$2"
    printf '| page (%s manifests and tags, %s repositories), ms | p50 | p99 | max | p99 <= %s ms |\n| --- | ---: | ---: | ---: | --- |\n' \
        "$BENCH_MANIFESTS" "$BENCH_REPOS" "$LIST_P99_TARGET_MS"
    local v verdict
    for v in images_last_activity images_digest_active images_tagged image_tags images_summary tags_page repositories_filtered; do
        if [[ -z ${R[${v}_p99_ms]:-} ]]; then
            printf '| %s | %s | | | |\n' "$v" "${R[$v]}"
            continue
        fi
        verdict=met
        ((${R[${v}_p99_ms]} <= LIST_P99_TARGET_MS)) || verdict=MISSED
        printf '| %s | %s | %s | %s | %s |\n' "$v" "${R[${v}_p50_ms]}" "${R[${v}_p99_ms]}" "${R[${v}_max_ms]}" "$verdict"
    done
    verdict=met
    ((${R[delete_ms]} <= DELETE_TARGET_MS)) || verdict=MISSED
    printf '\ndelete-images of %s manifests (%s tags) in one call: %s ms (target <= %s ms: %s)\n' \
        "${R[delete_manifests]}" "${R[delete_tags]}" "${R[delete_ms]}" "$DELETE_TARGET_MS" "$verdict"
    printf 'seeding: %s s for the manifests, %s s for the repositories; peak RSS %s MiB; results in %s\n' \
        "${R[seed_manifests_s]}" "${R[seed_repositories_s]}" "${R[peak_rss_mib]}" "$BENCH_RESULTS"
}

main "$@"

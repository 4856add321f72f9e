#!/usr/bin/env python3
"""Registry client for bench/gc.sh: generates the content, pushes it, deletes half of it, and runs a push/pull
load, all through the registry API (POST + PUT blob uploads, manifest PUT by tag, manifest DELETE by digest).
One keep-alive connection per thread. Standard library only.

  gc-client.py gen    DIR                 writes DIR/blobs/<hex> and DIR/plan.json
  gc-client.py push   DIR BASE            uploads every blob of every repository, then the manifests under their tags
  gc-client.py delete DIR BASE            deletes the manifests the plan marks, by digest
  gc-client.py measure DIR ROOT           prints "files bytes plan_files plan_bytes" of the blob files under ROOT
  gc-client.py load   DIR BASE STOPFILE   pushes new small images and pulls surviving ones until STOPFILE exists;
                                          prints "requests errors" and writes DIR/load-errors.txt
Environment: BENCH_AUTH (user:password for Basic, empty for none), BENCH_PARALLEL, BENCH_REPOS, BENCH_PER_REPO,
BENCH_LAYER_MIN_KIB, BENCH_LAYER_MAX_KIB, BENCH_SEED, BENCH_REPO_PREFIX, BENCH_LOAD_THREADS.
"""
import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

MT = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MT = "application/vnd.oci.image.config.v1+json"
LAYER_MT = "application/vnd.oci.image.layer.v1.tar+gzip"


def env_int(name, default):
    return int(os.environ.get(name, default))


class Client:
    """A keep-alive HTTP connection per thread."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.local = threading.local()
        auth = os.environ.get("BENCH_AUTH", "")
        self.auth = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.local.c = c
        return c

    def req(self, method, path, body=None, headers=None):
        h = dict(self.auth)
        h.update(headers or {})
        for attempt in (0, 1):
            c = self.conn()
            try:
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                return r.status, r.getheader("Location"), data
            except (http.client.HTTPException, ConnectionError, OSError):
                c.close()
                self.local.c = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def upload(self, repo, digest, data):
        st, loc, body = self.req("POST", f"/v2/{repo}/blobs/uploads/", b"", {"Content-Length": "0"})
        if st != 202 or not loc:
            raise RuntimeError(f"POST upload {repo}: {st} {body[:200]!r}")
        u = urllib.parse.urlsplit(loc)
        path = u.path + ("?" + u.query + "&" if u.query else "?") + "digest=" + digest
        st, _, body = self.req("PUT", path, data, {"Content-Type": "application/octet-stream"})
        if st != 201:
            raise RuntimeError(f"PUT upload {repo} {digest}: {st} {body[:200]!r}")

    def put_manifest(self, repo, ref, data):
        st, _, body = self.req("PUT", f"/v2/{repo}/manifests/{ref}", data, {"Content-Type": MT})
        if st != 201:
            raise RuntimeError(f"PUT manifest {repo}:{ref}: {st} {body[:200]!r}")


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def gen(d):
    repos, per = env_int("BENCH_REPOS", 50), env_int("BENCH_PER_REPO", 40)
    lo, hi = env_int("BENCH_LAYER_MIN_KIB", 4), env_int("BENCH_LAYER_MAX_KIB", 64)
    prefix = os.environ.get("BENCH_REPO_PREFIX", "admin/gc")
    rnd = random.Random(env_int("BENCH_SEED", 11))
    os.makedirs(f"{d}/blobs", exist_ok=True)
    total = repos * per
    pool_n = max(1, total // 2)  # shared layers: manifest m uses shared[m % pool_n], so pairs in different repos

    def blob(data):
        dg = sha(data)
        with open(f"{d}/blobs/{dg[7:]}", "wb") as f:
            f.write(data)
        return {"digest": dg, "size": len(data)}

    def layer():
        return blob(rnd.randbytes(rnd.randint(lo * 1024, hi * 1024)))

    shared = [layer() for _ in range(pool_n)]
    manifests = []
    for r in range(repos):
        name = f"{prefix}-{r:02d}"
        doomed = set(rnd.sample(range(per), per // 2))
        for j in range(per):
            m = r * per + j
            layers = [layer() for _ in range(4)] + [shared[m % pool_n]]
            cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"bench.m": str(m)}},
                              "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}},
                             separators=(",", ":")).encode()
            c = blob(cfg)
            man = json.dumps({"schemaVersion": 2, "mediaType": MT,
                              "config": {"mediaType": CONFIG_MT, "digest": c["digest"], "size": c["size"]},
                              "layers": [{"mediaType": LAYER_MT, "digest": l["digest"], "size": l["size"]}
                                         for l in layers]}, separators=(",", ":")).encode()
            mf = f"{d}/m-{m:05d}.json"
            with open(mf, "wb") as f:
                f.write(man)
            manifests.append({"repo": name, "tag": f"t{j:03d}", "file": mf, "digest": sha(man), "size": len(man),
                              "blobs": [c] + layers, "delete": j in doomed})
    # garbage the plan expects: blobs only deleted manifests name, plus the deleted manifests themselves
    live = {b["digest"] for m in manifests if not m["delete"] for b in m["blobs"]}
    sizes = {b["digest"]: b["size"] for m in manifests for b in m["blobs"]}
    dead = {b["digest"] for m in manifests if m["delete"] for b in m["blobs"]} - live
    plan = {"manifests": manifests,
            "blob_count": len(sizes), "blob_bytes": sum(sizes.values()),
            "manifest_bytes": sum(m["size"] for m in manifests),
            "expected_garbage_blobs": len(dead),
            "expected_garbage_bytes": sum(sizes[x] for x in dead) + sum(m["size"] for m in manifests if m["delete"]),
            "shared_layers": pool_n, "shared_layers_freed": len({s["digest"] for s in shared} & dead)}
    with open(f"{d}/plan.json", "w") as f:
        json.dump(plan, f)
    print(" ".join(f"{k}={plan[k]}" for k in plan if k != "manifests"))


def load_plan(d):
    with open(f"{d}/plan.json") as f:
        return json.load(f)


def pool_run(fn, items):
    with concurrent.futures.ThreadPoolExecutor(env_int("BENCH_PARALLEL", 8)) as ex:
        for f in concurrent.futures.as_completed([ex.submit(fn, i) for i in items]):
            f.result()


def push(d, base):
    plan, cl = load_plan(d), Client(base)
    pairs = sorted({(m["repo"], b["digest"]) for m in plan["manifests"] for b in m["blobs"]})

    def up(p):
        with open(f"{d}/blobs/{p[1][7:]}", "rb") as f:
            cl.upload(p[0], p[1], f.read())

    t = time.time()
    pool_run(up, pairs)
    tb = time.time() - t

    def man(m):
        with open(m["file"], "rb") as f:
            cl.put_manifest(m["repo"], m["tag"], f.read())

    pool_run(man, plan["manifests"])
    print(f"uploads={len(pairs)} upload_s={tb:.1f} manifests={len(plan['manifests'])} total_s={time.time() - t:.1f}")


def delete(d, base):
    plan, cl = load_plan(d), Client(base)

    def rm(m):
        st, _, body = cl.req("DELETE", f"/v2/{m['repo']}/manifests/{m['digest']}")
        if st != 202:
            raise RuntimeError(f"DELETE {m['repo']}@{m['digest']}: {st} {body[:200]!r}")

    doomed = [m for m in plan["manifests"] if m["delete"]]
    t = time.time()
    pool_run(rm, doomed)
    print(f"deleted={len(doomed)} delete_s={time.time() - t:.1f}")


def load(d, base, stop):
    """Pushes (a new random layer, a new config, a manifest under a new tag) and pulls (a surviving manifest by
    tag and one of its layers, byte-checked) until the stop file appears."""
    plan, cl = load_plan(d), Client(base)
    prefix = os.environ.get("BENCH_REPO_PREFIX", "admin/gc")
    alive = [m for m in plan["manifests"] if not m["delete"]]
    lock = threading.Lock()
    stats = {"requests": 0, "errors": 0, "pushes": 0, "pulls": 0}
    errors = []

    def count(ok, what):
        with lock:
            stats["requests"] += 1
            if not ok:
                stats["errors"] += 1
                errors.append(what)

    def worker(n):
        rnd = random.Random(n)
        i = 0
        while not os.path.exists(stop):
            i += 1
            repo = f"{prefix}-load-{n}"
            try:
                if i % 2:
                    layer = rnd.randbytes(4096)
                    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"n": f"{n}-{i}"}},
                                      "rootfs": {"type": "layers", "diff_ids": []}}).encode()
                    ok = True
                    for data in (layer, cfg):
                        try:
                            cl.upload(repo, sha(data), data)
                            count(True, "")
                            count(True, "")
                        except RuntimeError as e:
                            ok = False
                            count(False, str(e))
                    if ok:
                        man = json.dumps({"schemaVersion": 2, "mediaType": MT,
                                          "config": {"mediaType": CONFIG_MT, "digest": sha(cfg), "size": len(cfg)},
                                          "layers": [{"mediaType": LAYER_MT, "digest": sha(layer),
                                                      "size": len(layer)}]}).encode()
                        try:
                            cl.put_manifest(repo, f"l{i:06d}", man)
                            count(True, "")
                        except RuntimeError as e:
                            count(False, str(e))
                    with lock:
                        stats["pushes"] += 1
                else:
                    m = alive[rnd.randrange(len(alive))]
                    st, _, body = cl.req("GET", f"/v2/{m['repo']}/manifests/{m['tag']}", headers={"Accept": MT})
                    count(st == 200 and sha(body) == m["digest"], f"GET manifest {m['repo']}:{m['tag']}: {st}")
                    b = m["blobs"][1 + rnd.randrange(len(m["blobs"]) - 1)]
                    st, loc, body = cl.req("GET", f"/v2/{m['repo']}/blobs/{b['digest']}")
                    if st in (301, 302, 307) and loc:
                        u = urllib.parse.urlsplit(loc)
                        st, _, body = cl.req("GET", u.path + ("?" + u.query if u.query else ""))
                    count(st == 200 and sha(body) == b["digest"], f"GET blob {m['repo']}@{b['digest']}: {st}")
                    with lock:
                        stats["pulls"] += 1
            except (OSError, http.client.HTTPException) as e:
                count(False, f"connection: {e}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(env_int("BENCH_LOAD_THREADS", 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(f"{d}/load-errors.txt", "w") as f:
        f.write("\n".join(errors[:1000]) + ("\n" if errors else ""))
    print(stats["requests"], stats["errors"], stats["pushes"], stats["pulls"])


def measure(d, root):
    """Prints "files bytes plan_files plan_bytes": every file under root, and those whose digest the plan names
    (a blob or a manifest; distribution keeps blobs at .../<hex>/data, Wharf at .../<hex>)."""
    plan = load_plan(d)
    names = {b["digest"][7:] for m in plan["manifests"] for b in m["blobs"]} | {m["digest"][7:] for m in plan["manifests"]}
    n = total = pn = pb = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            size = os.path.getsize(os.path.join(dirpath, f))
            n += 1
            total += size
            hexname = f if len(f) == 64 else os.path.basename(dirpath)
            if hexname in names:
                pn += 1
                pb += size
    print(n, total, pn, pb)


def main():
    cmd = sys.argv[1]
    if cmd == "measure":
        measure(sys.argv[2], sys.argv[3])
        return
    if cmd == "gen":
        gen(sys.argv[2])
    elif cmd == "push":
        push(sys.argv[2], sys.argv[3])
    elif cmd == "delete":
        delete(sys.argv[2], sys.argv[3])
    elif cmd == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()

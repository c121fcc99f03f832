#!/usr/bin/env python3
"""Mutation run: applies each mutation of mutations.txt to a scratch copy of the repository,
rebuilds the unit tests incrementally, runs them, and reports which mutations survived.

    python3 tests/mutations/run.py [--only NAME,...] [--rotate N] [--workdir DIR] [--report FILE]

A mutation is killed when the unit tests fail (or time out) with it applied; it survives when
they pass. An entry whose text is not found exactly once, or whose mutant does not build, is
an error in the list. Exit status: 0 when every mutation run was killed, 1 otherwise.
The scratch copy and its build directory are kept between runs (default
$TMPDIR/minicash-mutations), so a second run builds only what changed.
"""

import argparse
import datetime
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_mutations(path):
    """Entries: '[name]' then 'file:', 'find:' and 'replace:' lines; '#' starts a comment line."""
    entries, cur = [], None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("[") and line.rstrip().endswith("]"):
                cur = {"name": line.strip()[1:-1], "line": lineno}
                entries.append(cur)
                continue
            key, sep, value = line.partition(":")
            if cur is None or not sep or key not in ("file", "find", "replace", "why"):
                sys.exit("%s:%d: expected '[name]', 'file:', 'find:', 'replace:' or 'why:'" % (path, lineno))
            cur[key] = value.strip()
    names = set()
    for e in entries:
        for k in ("file", "find", "replace"):
            if k not in e:
                sys.exit("%s:%d: [%s] has no '%s:' line" % (path, e["line"], e["name"], k))
        if e["name"] in names:
            sys.exit("%s:%d: duplicate name [%s]" % (path, e["line"], e["name"]))
        names.add(e["name"])
    return entries


def sync_tree(dst):
    """Copies the repository's tracked files (as they are in the work tree) into dst,
    rewriting only files whose content differs, so the build stays incremental."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    tracked = list(filter(None, files.decode().split("\0")))
    # Files the repository no longer has (removed or renamed) go: the build globs sources.
    keep = set(tracked)
    for dirpath, dirnames, filenames in os.walk(dst):
        if os.path.relpath(dirpath, dst) == ".":
            dirnames[:] = [d for d in dirnames if d != "build"]
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), dst)
            if rel not in keep:
                os.remove(os.path.join(dirpath, name))
    for rel in tracked:
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        out = os.path.join(dst, rel)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(out, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(data)
        shutil.copymode(src, out)


def run(cmd, cwd, env=None, timeout=None):
    """Runs cmd in its own process group; on a timeout the whole group (ctest and the test
    processes it started) is killed. Returns (exit code or None on timeout, output)."""
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="print the entries and exit")
    ap.add_argument("--only", default="", help="comma-separated names to run")
    ap.add_argument("--rotate", type=int, default=0, help="run N entries, chosen by today's date (CI)")
    ap.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "minicash-mutations"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=180,
                    help="seconds for one mutant's unit tests (unmutated they take about 20 s)")
    ap.add_argument("--report", help="also write a Markdown table of the results to this file")
    args = ap.parse_args()

    entries = parse_mutations(os.path.join(HERE, "mutations.txt"))
    if args.list:
        for e in entries:
            print("%-34s %s" % (e["name"], e["file"]))
        print("%d mutations" % len(entries))
        return 0
    # Every entry must still apply (its text found exactly once), whichever ones run: a
    # refactor that moves a rule's text fails here at once, not on the day it comes up.
    broken = []
    for e in entries:
        with open(os.path.join(ROOT, e["file"]), encoding="utf-8") as f:
            count = f.read().count(e["find"])
        if count != 1:
            broken.append("[%s] %s: text found %d times (must be once)" % (e["name"], e["file"], count))
    if broken:
        print("\n".join(broken))
        sys.exit("%d mutation entries no longer apply; update tests/mutations/mutations.txt" % len(broken))
    if args.only:
        wanted = args.only.split(",")
        unknown = [w for w in wanted if w not in {e["name"] for e in entries}]
        if unknown:
            sys.exit("unknown mutation(s): " + ", ".join(unknown))
        entries = [e for e in entries if e["name"] in wanted]
    if args.rotate:
        day = datetime.date.today().toordinal()
        start = (day * args.rotate) % len(entries)
        entries = [entries[(start + i) % len(entries)] for i in range(min(args.rotate, len(entries)))]

    vectors = os.environ.get("MINICASH_VECTORS") or os.path.join(os.path.dirname(ROOT), "shared", "vectors")
    env = dict(os.environ, MINICASH_VECTORS=os.path.abspath(vectors), CI="true")
    src = os.path.join(os.path.abspath(args.workdir), "src")
    # The build sits at the same place relative to the sources as the main build
    # (build/release), so ccache with CCACHE_BASEDIR reuses the main build's objects.
    build = os.path.join(src, "build", "release")
    os.makedirs(src, exist_ok=True)
    sync_tree(src)

    configure = ["cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"]
    if shutil.which("ccache"):
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    code, out = run(configure, ROOT, env)
    if code != 0:
        print(out)
        sys.exit("configure failed")
    build_cmd = ["ninja", "-C", build, "-j", str(args.jobs), "unit_tests"]
    test_cmd = ["ctest", "--test-dir", build, "-R", "^unit_", "-j", str(args.jobs), "--stop-on-failure",
                "--timeout", str(args.timeout)]

    print("baseline: building and running the unit tests unmutated ...", flush=True)
    code, out = run(build_cmd, ROOT, env)
    if code != 0:
        print(out[-4000:])
        sys.exit("the unmutated tree does not build")
    code, out = run(test_cmd, ROOT, env, timeout=args.timeout + 60)
    if code != 0:
        print(out[-4000:])
        sys.exit("the unit tests fail without any mutation")

    results = []
    t_all = time.time()
    for n, e in enumerate(entries, 1):
        path = os.path.join(src, e["file"])
        t0 = time.time()
        with open(path, encoding="utf-8") as f:
            original = f.read()
        count = original.count(e["find"])
        if count != 1:
            status = "not-found" if count == 0 else "ambiguous (%d matches)" % count
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.replace(e["find"], e["replace"]))
            try:
                code, out = run(build_cmd, ROOT, env)
                if code != 0:
                    status = "build-failed"
                    print(out[-2000:])
                else:
                    code, out = run(test_cmd, ROOT, env, timeout=args.timeout + 60)
                    status = "killed (timeout)" if code is None else ("killed" if code != 0 else "SURVIVED")
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)
        secs = time.time() - t0
        results.append((e, status, secs))
        print("[%d/%d] %-34s %-18s %5.0f s" % (n, len(entries), e["name"], status, secs), flush=True)

    killed = sum(1 for _, s, _ in results if s.startswith("killed"))
    bad = [(e, s) for e, s, _ in results if not s.startswith("killed")]
    total = time.time() - t_all
    print("\n%d mutations: %d killed, %d survived, %d not applicable; %.0f s" %
          (len(results), killed, sum(1 for _, s in bad if s == "SURVIVED"),
           sum(1 for _, s in bad if s != "SURVIVED"), total))
    for e, s in bad:
        print("  %s: %s (%s)" % (s, e["name"], e["file"]))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("| mutation | file | result | seconds |\n| --- | --- | --- | --- |\n")
            for e, s, secs in results:
                f.write("| %s | %s | %s | %.0f |\n" % (e["name"], e["file"], s, secs))
            f.write("\n%d mutations, %d killed, %.0f s; %s, %d cores, %s\n" %
                    (len(results), killed, total, datetime.date.today().isoformat(), os.cpu_count() or 0,
                     platform.machine()))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())

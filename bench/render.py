#!/usr/bin/python3
"""Renders scripts/bench.sh's JSON figures (RESULTS_DIR/*.json) as the generated part of
docs/BENCHMARKS.md: it replaces only what lies between the bench.sh markers, and puts the
markers under the title and intro the first time.

    render.py RESULTS_DIR BENCHMARKS_MD
"""
import json
import os
import sys

BEGIN, END = "<!-- bench.sh:begin -->", "<!-- bench.sh:end -->"


def load(results, name):
    path = os.path.join(results, f"{name}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(figure, reference):
    return figure / reference if figure is not None and reference else None


def row(name, figure, reference, value, target, met):
    verdict = "n/a" if met is None else ("yes" if met else "**no**")
    return f"| {name} | {figure} | {reference} | {fmt(value, 2)} | {target} | {verdict} |"


WORKER_CASES = (("workers-one", "1 process x 1 worker"), ("workers-two", "2 processes x 1 worker"),
                ("workers-threads", "1 process x 2 workers"))


def target_rows(r):
    rows = []
    seed = r["seed"]
    if seed:
        routes = seed["routes"]
        errors = routes["submit"]["errors"] + routes["read"]["errors"] + seed["turnaround"]["errors"]
        checked = seed["turnaround"]["ok"]
        rows.append(row("seed: errors, wrong outputs", f"{errors} errors, {checked} of "
                        f"{seed['submissions_accepted']} submissions right", "", None, "0",
                        errors == 0 and checked == seed["submissions_accepted"]))
        for route, limit in (("submit", 250), ("read", 100)):
            p99 = routes[route]["p99_ms"]
            rows.append(row(f"seed: {route} p99", f"{fmt(p99)} ms", "", None, f"< {limit} ms",
                            p99 < limit and routes[route]["ok"] > 0))
        rss = seed["rss"]
        growth = ratio(rss["max_kb_during_load"], rss["start_kb"])
        rows.append(row("seed: server RSS, max during the load / at its start",
                        f"{rss['max_kb_during_load']:,} kB (with the checks after it: {rss['max_kb']:,} kB)",
                        f"{rss['start_kb']:,} kB", growth, "<= 1.20",
                        None if growth is None else growth <= 1.2))
    storage = r["storage"]
    if storage and storage["submissions_stored"]:
        per = storage["disk_bytes"] / storage["submissions_stored"]
        zstd = storage["zstd3_bytes_per_submission"]
        value = ratio(per, zstd)
        rows.append(row("storage: bytes on disk per submission (3 dbs + wal/shm)", f"{per:,.0f} B",
                        f"zstd -3: {zstd:,} B", value, "<= 1.25", value <= 1.25))
    read = r["read"]
    if read:
        value = ratio(read["ide"]["requests_per_s"], read["nginx"]["requests_per_s"])
        good = read["ide"]["non_2xx"] == 0
        rows.append(row("read: finished result, wrk -t2 -c64", f"{fmt(read['ide']['requests_per_s'])} req/s"
                        + ("" if good else f" ({read['ide']['non_2xx']} non-2xx)"),
                        f"nginx static: {fmt(read['nginx']['requests_per_s'])} req/s", value, ">= 0.60",
                        value >= 0.6 and good))
    for language, label in (("python", "Python hello world"), ("c", "C compile + run")):
        lanes, bare = r[f"lanes-{language}"], r[f"bare-{language}"]
        if lanes and bare:
            value = ratio(lanes["runs_per_s"], bare["runs_per_s"])
            rows.append(row(f"execution: {label}, 2 lanes", f"{fmt(lanes['runs_per_s'], 2)} runs/s",
                            f"bare: {fmt(bare['runs_per_s'], 2)} runs/s", value, ">= 0.80",
                            value >= 0.8 and lanes["errors"] == 0))
    one, two, threads = r["workers-one"], r["workers-two"], r["workers-threads"]
    if one and two:
        value = ratio(two["runs_per_s"], one["runs_per_s"])
        rows.append(row("scale-out: Python hello world, 2 worker processes on one PostgreSQL queue",
                        f"{fmt(two['runs_per_s'], 2)} runs/s", f"1 process: {fmt(one['runs_per_s'], 2)} "
                        f"runs/s" + (f"; 1 process x 2 workers: {fmt(threads['runs_per_s'], 2)} runs/s"
                                     if threads else ""),
                        value, "reported", None if two["errors"] == 0 else False))
    sandbox = r["sandbox"]
    if sandbox:
        median = {(x["method"], x["program"]): x["median_ms"] for x in sandbox["rows"]}
        ours = median.get(("ide sandbox, isolated", "/bin/true"))
        bare = median.get(("clone(7 namespaces) + exec", "/bin/true"))
        value = ratio(ours, bare)
        rows.append(row("sandbox: /bin/true, median", f"{fmt(ours, 2)} ms",
                        f"clone(7 namespaces) + exec: {fmt(bare, 2)} ms", value, "< 1.20",
                        None if value is None else value < 1.2))
    return rows


def latency_table(entries):
    lines = ["| what | count | errors | p50 ms | p99 ms | max ms | rate |", "|---|---|---|---|---|---|---|"]
    for name, s, rate in entries:
        kinds = ", ".join(f"{n} x {k}" for k, n in s["errors_by_kind"].items())
        lines.append(f"| {name} | {s['count']} | {s['errors']}{' (' + kinds + ')' if kinds else ''} | "
                     f"{fmt(s['p50_ms'])} | {fmt(s['p99_ms'])} | {fmt(s['max_ms'])} | {rate} |")
    return lines


def generated(r):
    m = r["meta"]
    seed = r["seed"]
    lines = [BEGIN, "", f"## Latest run of `scripts/bench.sh`{' (--quick)' if m['quick'] else ''}", "",
             "Generated by `scripts/bench.sh` (bench/render.py); edit outside the markers.", "",
             f"- date {m['date']}, commit `{m['commit']}`, `nproc` {m['nproc']}, CPU {m['cpu']}, {m['kernel']}",
             f"- load average at start `{m['load_start']}`, at end `{m['load_end']}`; the whole run took "
             f"{m['seconds']} s",
             f"- command: `{m['command']}` (seed: `{m['seed_command']}`; read: wrk {m['wrk_seconds']} s "
             f"each; lanes and bare {m['lanes_seconds']} s each; `{m['sandbox_command']}`)", "",
             "| target | figure | reference | ratio | target | met? |", "|---|---|---|---|---|---|"]
    lines += target_rows(r)
    if seed:
        lines += ["", f"Seed workload: {seed['duration_s']:g} s at {seed['submit_rate']:g} submits/s and "
                  f"{seed['read_rate']:g} reads/s from {seed['processes']} client processes "
                  f"({seed['connections_opened']} connections opened), {seed['code_bytes']} B programs with "
                  f"{seed['stdin_bytes']} B stdin, reads over {seed['read_pool']} pre-seeded results; "
                  f"schedule {seed['schedule']}. Turnaround is the server's `finished_at - created_at` of "
                  f"every submission of the run, checked after the clock in {seed['drain_s']:.1f} s.", ""]
        lines += latency_table([("submit", seed["routes"]["submit"], f"{seed['routes']['submit']['rate_per_s']:.2f}/s"),
                                ("read", seed["routes"]["read"], f"{seed['routes']['read']['rate_per_s']:.2f}/s"),
                                ("turnaround (server)", seed["turnaround"], "")])
    runs = [(f"{k.split('-')[0]} {k.split('-')[1]}", r[k], f"{r[k]['runs_per_s']:.2f} runs/s")
            for k in ("lanes-python", "bare-python", "lanes-c", "bare-c") if r[k]]
    runs += [(label, r[k], f"{r[k]['runs_per_s']:.2f} runs/s") for k, label in WORKER_CASES if r[k]]
    if runs:
        lines += ["", "Execution, latency of one whole run (lanes: submit to checked result; 2 lanes, "
                  "the worker cases 4 lanes on PostgreSQL stores, `bench/workers.sh`):", ""]
        lines += latency_table(runs)
    read = r["read"]
    if read:
        etag = (f"an `ETag` came (`{read['etag']}`); `If-None-Match` answered {read['if_none_match_status']}"
                if read["etag"] else "no `ETag` came")
        lines += ["", f"Read: a {read['body_bytes']:,} B result body; wrk p99 {read['ide']['p99']} (ide) vs "
                  f"{read['nginx']['p99']} (nginx); {etag}."]
    storage = r["storage"]
    if storage:
        lines += ["", f"Storage: {storage['submissions_stored']} submissions in {storage['disk_bytes']:,} B while "
                  f"serving, {storage['disk_bytes_after_stop']:,} B after the server stopped (checkpointed); raw "
                  f"bytes per submission {storage['raw_bytes_per_submission']:,}."]
    lines += ["", END]
    return "\n".join(lines)


def main():
    results, doc_path = sys.argv[1], sys.argv[2]
    names = ["meta", "seed", "storage", "read", "sandbox"] + [
        f"{mode}-{language}" for mode in ("lanes", "bare") for language in ("python", "c")] + [k for k, _ in WORKER_CASES]
    r = {name: load(results, name) for name in names}
    text = open(doc_path).read()
    section = generated(r)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        cut = text.find("\n## ")
        cut = len(text) if cut < 0 else cut + 1
        text = text[:cut] + section + "\n\n" + text[cut:]
    open(doc_path, "w").write(text)
    print(section)


main()

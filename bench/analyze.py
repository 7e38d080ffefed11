#!/usr/bin/env python3
"""Reads pgbench's per-transaction logs (-l) of one run and prints one result line.

The longest stall is the longest transaction latency; with -R it counts from the scheduled
start, so time spent queued behind a lock shows up as latency. Failed transactions and
aborted clients come from pgbench's output."""
import glob, re, subprocess, sys

scenario, side, wall, prefix, url = sys.argv[1:6]
# When the migration ran (epoch seconds), to tell its stalls from those after it (autovacuum of
# the rows it rewrote, a checkpoint) in the same load window.
began, ended = (float(sys.argv[6]), float(sys.argv[7])) if len(sys.argv) > 7 else (None, None)
latencies = []
during = []
for path in glob.glob(prefix + ".pgbench*"):
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[2].isdigit():
                latency = int(parts[2]) / 1000.0  # ms
                latencies.append(latency)
                finished = int(parts[4]) + int(parts[5]) / 1e6
                if began is not None and finished - latency / 1000.0 <= ended and finished >= began:
                    during.append(latency)
latencies.sort()
summary = open(prefix + ".summary").read()
aborted = len(re.findall(r"aborted", summary))
failed = re.search(r"number of failed transactions: (\d+)", summary)
errors = (int(failed.group(1)) if failed else 0) + len(re.findall(r"ERROR", summary))
migration = open(prefix + ".migration").read().strip().splitlines()
intact = subprocess.run(
    ["psql", "-tA", url, "-c",
     "SELECT count(*) FILTER (WHERE id IS NULL) = 0 AND count(*) > 0 FROM bench.accounts"],
    capture_output=True, text=True).stdout.strip()
derived = ""
if scenario == "derived-column":
    # The application updates amount and inserts rows without tripled all along: any row whose
    # tripled is not amount * 3 (or NULL) at the end of the window is stale.
    stale = subprocess.run(
        ["psql", "-tA", url, "-c",
         "SELECT count(*) FROM bench.accounts WHERE tripled IS DISTINCT FROM amount::bigint * 3"],
        capture_output=True, text=True)
    derived = f" stale_rows={stale.stdout.strip() if stale.returncode == 0 else 'n/a'}"
if scenario == "indexed-int-to-bigint":
    # The index on amount must come out of the migration present, valid and on the bigint column.
    index = subprocess.run(
        ["psql", "-tA", url, "-c",
         "SELECT coalesce(string_agg(format('%s valid=%s type=%s', c.relname, i.indisvalid,"
         " format_type(a.atttypid, a.atttypmod)), ','), 'missing') FROM pg_index i"
         " JOIN pg_class c ON c.oid = i.indexrelid"
         " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
         " WHERE i.indrelid = 'bench.accounts'::regclass AND c.relname = 'accounts_amount_idx'"],
        capture_output=True, text=True)
    derived = f" index={index.stdout.strip() if index.returncode == 0 else 'n/a'}"
p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0
print(f"{scenario:14} {side:5} tx={len(latencies):6} longest_stall_ms={latencies[-1] if latencies else 0:9.1f} "
      f"{'' if began is None else f'stall_during_migration_ms={max(during, default=0):7.1f} '}"
      f"p99_ms={p99:8.1f} over_1s={sum(1 for l in latencies if l > 1000):5} "
      f"errors={errors} aborted_clients={aborted} table_ok={intact}{derived} wall_s={float(wall):7.2f} "
      f"| {migration[-1] if migration else ''}")

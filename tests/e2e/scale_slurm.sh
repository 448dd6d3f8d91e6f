# SPDX-License-Identifier: Apache-2.0
# End-to-end test of issue 12 on a REAL local single-node Slurm: the
# recipe of docs/scale-out.md ("Slurm recipe", extracted from the doc and
# sized by its variables only): partition -> a job array of shard runs -> a
# dependent merge + verify, submitted with sbatch to slurmctld/slurmd
# started here (as root; `make` installs slurm-wlm and
# munge, DEB_PKGS).  Sourced by run.sh (uses run_test, $FOLIO, $WORK,
# $ROOT, sc_fixture from scale.sh).  Without root or the daemons the test
# says so (on the console too: run_test shows its SKIP line) and is skipped
# -- and fails when CI is set (CI runs as root; .ci/run sets CI).
# Every daemon it starts runs in the foreground under a PID it keeps; the
# test stops exactly those PIDs at its end (and checks they are gone), an
# EXIT trap does the same when it fails before.

ss_pids=()
ss_dir=""
ss_stop() {
    local p
    for p in "${ss_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${ss_pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
}

# ss_job_states ID CONF: the state of the job (one line per array task)
ss_job_states() {
    SLURM_CONF="$2" scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'
}

t_scale_slurm() {
    local why=""
    [ "$(id -u)" = 0 ] || why="not root"
    for c in munged slurmctld slurmd sbatch scontrol sinfo; do
        command -v "$c" >/dev/null || why="${why:+$why, }no $c (make installs slurm-wlm munge)"
    done
    if [ -n "$why" ]; then
        echo "SKIP scale_slurm: cannot run a local Slurm: $why"
        # in CI (any CI value but "false", as run_test reads it) a skip is a failure
        if [ -n "${CI:-}" ] && [ "$CI" != false ]; then echo "CI=$CI: failing"; return 1; fi
        return 0
    fi
    local d="$WORK/ss"
    # the daemons' files outside /tmp (munged refuses a world-writable parent)
    ss_dir=$(mktemp -d /run/folio-slurm.XXXXXX 2>/dev/null || mktemp -d /var/tmp/folio-slurm.XXXXXX)
    local t="$ss_dir"
    chmod 755 "$t"
    trap 'ss_stop; rm -rf "$ss_dir"' EXIT
    mkdir -p "$d" "$t/state" "$t/spool" "$t/munge"
    chmod 700 "$t/munge"
    dd if=/dev/urandom of="$t/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$t/munge/munge.key"
    munged -F -f --socket="$t/munge/sock" --key-file="$t/munge/munge.key" \
        --pid-file="$t/munge/munged.pid" --log-file="$t/munge/munged.log" \
        --seed-file="$t/munge/seed" >"$t/munged.out" 2>&1 &
    ss_pids+=($!)
    for _ in $(seq 50); do [ -S "$t/munge/sock" ] && break; sleep 0.1; done
    [ -S "$t/munge/sock" ] || { cat "$t/munge/munged.log"; fail_at "$LINENO"; }
    # ports: two free ones above 20000
    local p1 p2
    read -r p1 p2 < <(python3 -c '
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
    local node
    node=$(slurmd -C | head -1)
    cat > "$t/slurm.conf" <<CONF
ClusterName=folio
SlurmctldHost=$(hostname -s)
SlurmctldPort=$p1
SlurmdPort=$p2
AuthType=auth/munge
AuthInfo=socket=$t/munge/sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldPidFile=$t/slurmctld.pid
SlurmdPidFile=$t/slurmd.pid
SlurmctldLogFile=$t/slurmctld.log
SlurmdLogFile=$t/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
$node State=UNKNOWN
PartitionName=folio Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$t/slurm.conf"
    slurmctld -D -i -f "$t/slurm.conf" >"$t/slurmctld.out" 2>&1 &
    ss_pids+=($!)
    slurmd -D -f "$t/slurm.conf" >"$t/slurmd.out" 2>&1 &
    ss_pids+=($!)
    for _ in $(seq 100); do
        sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed)' && break
        sleep 0.2
    done
    sinfo -h -o %T | grep -qE '^(idle|mixed)' || { tail -20 "$t/slurmctld.log" "$t/slurmd.log"; fail_at "$LINENO"; }

    sc_fixture "$d/feeds" 180
    set +e
    "$FOLIO" run "$d/feeds/job.yaml" --out "$d/full" --quiet; rc=$?
    set -e
    [ "$rc" = 3 ] || fail_at "$LINENO"
    # the recipe of docs/scale-out.md itself (extracted as scale_recipe does),
    # sized for this machine by its variables only: N = 3 shards of 1 core;
    # `folio` on PATH (sbatch passes the environment to the jobs). Its merge
    # job runs folio merge, turns exit 3 into success, then folio verify.
    local N=3 w="$d/w" jm st
    mkdir -p "$d/bin"
    ln -sf "$FOLIO" "$d/bin/folio"
    awk '/^## Slurm recipe/ {r = 1} r && /^```sh$/ {p = 1; next} p && /^```$/ {exit} p' \
        "$ROOT/docs/scale-out.md" > "$d/recipe.sh"
    local v
    for v in N JOB W CPUS MEM LIMIT MMEM PMEM; do
        grep -q "^$v=" "$d/recipe.sh" || { echo "the recipe sets no $v"; fail_at "$LINENO"; }
    done
    grep -q 'folio verify' "$d/recipe.sh" || fail_at "$LINENO"
    sed -i -e "s|^N=.*|N=$N|" -e "s|^JOB=.*|JOB=$d/feeds/job.yaml|" -e "s|^W=.*|W=$w|" \
        -e 's|^CPUS=.*|CPUS=1|' -e 's|^MEM=.*|MEM=1G|' -e 's|^LIMIT=.*|LIMIT=512M|' \
        -e 's|^MMEM=.*|MMEM=1G|' -e 's|^PMEM=.*|PMEM=1G|' "$d/recipe.sh"
    PATH="$d/bin:$PATH" bash "$d/recipe.sh" > "$d/recipe.out" || { cat "$d/recipe.out"; fail_at "$LINENO"; }
    cat "$d/recipe.out"
    jm=$(sed -n 's/^partition [0-9]*, shards [0-9]*, merge \([0-9]*\)$/\1/p' "$d/recipe.out")
    [ -n "$jm" ] || fail_at "$LINENO"
    for _ in $(seq 600); do
        st=$(ss_job_states "$jm" "$t/slurm.conf")
        case "$st" in COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL) break;; esac
        sleep 0.5
    done
    echo "merge job: $st"
    cat "$w/partition.log" "$w"/shard-*.log "$w/merge.log" 2>/dev/null || true
    [ "$st" = COMPLETED ] || { tail -20 "$t/slurmctld.log" "$t/slurmd.log"; fail_at "$LINENO"; }
    local ja
    ja=$(sed -n 's/^partition [0-9]*, shards \([0-9]*\), merge [0-9]*$/\1/p' "$d/recipe.out")
    [ "$(ss_job_states "$ja" "$t/slurm.conf" | sort -u)" = COMPLETED ] || fail_at "$LINENO"
    # every array task ran shard I of N into outII, as the recipe says
    for i in $(seq $N); do
        python3 - "$w/out0$i/manifest.json" "$i" "$N" <<'PY' || fail_at "$LINENO"
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
def find(x, k):
    if isinstance(x, dict):
        if k in x:
            return x[k]
        for v in x.values():
            r = find(v, k)
            if r is not None:
                return r
    return None
got = (find(m, "shard_index"), find(m, "shard_count"))
assert got == (int(sys.argv[2]), int(sys.argv[3])), got
PY
    done
    # the merge job's folio verify accepted the merged directory
    grep -q "verified .* files of $N shards" "$w/merge.log" || fail_at "$LINENO"
    python3 "$ROOT/tests/e2e/check_scale.py" "$d/full" "$w/merged" --text
    "$FOLIO" verify "$w/merged" > "$d/v.out" || { cat "$d/v.out"; fail_at "$LINENO"; }
    grep -q "verified .* files of $N shards" "$d/v.out" || fail_at "$LINENO"
    # the daemons this test started, stopped by their PIDs, are gone
    ss_stop
    local p
    for p in "${ss_pids[@]}"; do
        ! kill -0 "$p" 2>/dev/null || { echo "daemon $p still running"; fail_at "$LINENO"; }
    done
    ss_pids=()
}
run_test scale_slurm t_scale_slurm

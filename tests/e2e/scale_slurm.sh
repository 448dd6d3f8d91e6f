# SPDX-License-Identifier: Apache-2.0
# End-to-end test of issue 12 on a REAL local single-node Slurm: partition
# -> a job array of shard runs -> a dependent merge, submitted with sbatch
# to slurmctld/slurmd started here (as root; `make` installs slurm-wlm and
# munge, DEB_PKGS).  Sourced by run.sh (uses run_test, $FOLIO, $WORK,
# $ROOT, sc_fixture from scale.sh).  Without root or the daemons the test
# says so (on the console too: run_test shows its SKIP line) and is skipped
# -- and fails when CI is set (CI runs as root; .ci/run sets CI).
# Every daemon it starts runs in the foreground under a PID it keeps, and
# an EXIT trap stops exactly those PIDs.

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
    # the recipe of docs/scale-out.md: exit 3 (rejects) counts as success
    local N=3 jp ja jm
    jp=$(sbatch --parsable -J partition --mem=300M -o "$d/partition.log" \
        --wrap "'$FOLIO' partition '$d/feeds/job.yaml' --shards $N --out '$d/part'")
    cat > "$d/shard.sh" <<SH
#!/bin/bash
i=\$SLURM_ARRAY_TASK_ID
'$FOLIO' run '$d/part'/s\$(printf %02d \$i)/job.yaml --shard \$i/$N --out '$d/out'\$i --threads 1 --quiet
rc=\$?; [ \$rc = 3 ] && rc=0; exit \$rc
SH
    ja=$(sbatch --parsable -J shards --array=1-$N --mem=400M -c 1 \
        --dependency=afterok:"$jp" -o "$d/shard-%a.log" "$d/shard.sh")
    jm=$(sbatch --parsable -J merge --mem=400M --dependency=afterok:"$ja" -o "$d/merge.log" \
        --wrap "'$FOLIO' merge $(for i in $(seq $N); do printf "'%s' " "$d/out$i"; done) --out '$d/merged'; rc=\$?; [ \$rc = 3 ] && rc=0; exit \$rc")
    echo "jobs: partition $jp, shards $ja, merge $jm"
    local st=""
    for _ in $(seq 600); do
        st=$(ss_job_states "$jm" "$t/slurm.conf")
        case "$st" in COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL) break;; esac
        sleep 0.5
    done
    echo "merge job: $st"
    cat "$d/partition.log" "$d"/shard-*.log "$d/merge.log" 2>/dev/null || true
    [ "$st" = COMPLETED ] || { tail -20 "$t/slurmctld.log" "$t/slurmd.log"; fail_at "$LINENO"; }
    [ "$(ss_job_states "$ja" "$t/slurm.conf" | sort -u)" = COMPLETED ] || fail_at "$LINENO"
    python3 "$ROOT/tests/e2e/check_scale.py" "$d/full" "$d/merged" --text
    "$FOLIO" verify "$d/merged" > "$d/v.out" || { cat "$d/v.out"; fail_at "$LINENO"; }
    grep -q "verified .* files of $N shards" "$d/v.out" || fail_at "$LINENO"
}
run_test scale_slurm t_scale_slurm

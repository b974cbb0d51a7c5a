"""Where the cores went while a benchmark phase ran, so a missed target comes with its profile
from the same run: the CPU time (user + system) of each service, of the PostgreSQL backends that
serve it (told apart by the role in their process title, `postgres: aduan_route aduan [local] ...`),
of PostgreSQL's own processes, of the benchmark and its load generator; per unit of work (an
accepted submission, a drained event) and as cores kept busy; beside the whole machine's busy time
from /proc/stat, which says whether anything went unaccounted.

A rate R on N cores allows at most N / R seconds of CPU a unit, whatever runs in parallel: a phase
whose units cost more than that, with its cores busy, cannot reach R without each unit costing less.
`budget_ms` is that bound, printed beside the profile of each phase that has a target rate.
"""
import os
import resource
import time

TICKS = os.sysconf("SC_CLK_TCK")
ENDED_POSTGRES = "postgres: processes ended meanwhile (autovacuum workers, the bench's queries)"
OWN_POSTGRES = "postgres: its own processes (WAL writer, checkpointer, autovacuum, the bench's queries)"
BENCH = "the bench (python: its polling, the requests it builds) and its children (wrk, aduan-open-loop, psql)"
# The benchmarks' SMTP server (counting_mail.py), which receives the e-mails notify sends: not aduan's.
MAIL = "the bench's SMTP server (aduan-bench-mail)"
OUTSIDE_ADUAN = (BENCH, MAIL)


def proc_fields(pid):
    """/proc/PID/stat after the command's name (field 3 onwards), or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid):
    """User + system CPU of one process so far, all its threads (0 when it is gone)."""
    fields = proc_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def reaped_seconds(pid):
    """User + system CPU of the children `pid` has waited for (0 when it is gone)."""
    fields = proc_fields(pid)
    return (int(fields[13]) + int(fields[14])) / TICKS if fields else 0.0


def title(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def postgres_group(process_title):
    """The group of a PostgreSQL process by its title: the backends of a service's role
    (aduan_route serves aduan-route), or PostgreSQL's own processes and the owner's sessions."""
    words = process_title.split()
    if len(words) >= 2 and words[0] == "postgres:" and words[1].startswith("aduan_"):
        return "postgres for aduan-" + words[1][len("aduan_"):]
    return OWN_POSTGRES


def postmaster_of(folder):
    """The postmaster of the cluster tests/harness/pg_cluster.sh made in `folder`."""
    with open(os.path.join(os.path.realpath(folder), "data", "postmaster.pid")) as f:
        return int(f.readline())


def postgres_children(postmaster):
    children = []
    for entry in os.listdir("/proc"):
        fields = proc_fields(entry) if entry.isdigit() else None
        if fields and int(fields[1]) == postmaster:
            children.append(int(entry))
    return children


def postgres_pids(folder):
    """The postmaster of the cluster in `folder` and every process it started (backends, WAL
    writer, checkpointer, autovacuum...)."""
    postmaster = postmaster_of(folder)
    return [postmaster, *postgres_children(postmaster)]


def machine_busy_seconds():
    """CPU seconds all cores have been busy since boot (not idle, not waiting on I/O), from
    /proc/stat's first line."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / TICKS


def bench_seconds():
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class Sample:
    """CPU seconds so far of every process of interest, {group: {pid: seconds}}, with the
    postmaster's reaped children, the bench's, the machine's and the wall clock."""

    def __init__(self, services, folder):
        self.groups = {name: {p: cpu_seconds(p) for p in pids} for name, pids in services.items()}
        pids = postgres_pids(folder)
        self.postmaster = pids[0]
        for pid in pids:
            self.groups.setdefault(postgres_group(title(pid)), {})[pid] = cpu_seconds(pid)
        self.reaped = reaped_seconds(self.postmaster)
        self.bench = bench_seconds()
        self.machine = machine_busy_seconds()
        self.wall = time.monotonic()


def used(before, after):
    """{group: CPU seconds between the samples}. A process started meanwhile counts from 0; the
    PostgreSQL processes that ended meanwhile count in one row, from the postmaster's reaped time
    less what they had used before the first sample."""
    out = {}
    for group, now in after.groups.items():
        was = before.groups.get(group, {})
        out[group] = sum(s - was.get(p, 0.0) for p, s in now.items())
    alive = {p for pids in after.groups.values() for p in pids}
    gone_before = sum(s for pids in before.groups.values() for p, s in pids.items()
                      if p not in alive and group_is_postgres(before, p))
    out[ENDED_POSTGRES] = max(after.reaped - before.reaped - gone_before, 0.0)
    out[BENCH] = after.bench - before.bench
    return out


def group_is_postgres(sample, pid):
    return any(pid in pids for group, pids in sample.groups.items() if group.startswith("postgres"))


def service_pids(system):
    """{binary: [pid]} of every running service of a harness System, replicas together."""
    out = {}
    for svc in [system.gateway, *system.intakes, *system.stats_replicas, *system.lifecycle_services(),
                *system.notifiers]:
        if svc.proc and svc.proc.poll() is None:
            out.setdefault(svc.binary, []).append(svc.proc.pid)
    mail = getattr(system.mail, "proc", None)
    if mail and mail.poll() is None:
        out[MAIL] = [mail.pid]
    return out


def budget_ms(rate, cores=None):
    """The most CPU a unit may cost, in ms, for `rate` units a second on `cores` cores."""
    return 1000.0 * (cores or os.cpu_count()) / rate


def table(title_line, before, after, units, unit, target_rate=None):
    """The profile of one phase as markdown lines: each group's ms of CPU a unit and cores busy,
    PostgreSQL's total, the sum, and the machine's busy time over the same seconds."""
    seconds = max(after.wall - before.wall, 1e-9)
    per = max(units, 1)
    spent = {g: s for g, s in used(before, after).items() if s > 0}
    lines = [f"{title_line}: {units} {unit}s in {seconds:.1f} s on {os.cpu_count()} cores"
             + (f"; {target_rate:.0f}/s would leave at most {budget_ms(target_rate):.3f} ms of CPU per {unit}"
                if target_rate else ""),
             f"| process | ms of CPU per {unit} | cores busy |", "|---|---|---|"]
    for group in sorted(spent, key=spent.get, reverse=True):
        lines.append(f"| {group} | {1000 * spent[group] / per:.3f} | {spent[group] / seconds:.2f} |")
    postgres = sum(s for g, s in spent.items() if g.startswith("postgres"))
    total = sum(spent.values())
    busy = after.machine - before.machine
    system = total - sum(spent.get(g, 0.0) for g in OUTSIDE_ADUAN)
    lines.append(f"| postgres, all of its processes | {1000 * postgres / per:.3f} | {postgres / seconds:.2f} |")
    lines.append(f"| aduan and postgres (all but the bench and its SMTP server) | {1000 * system / per:.3f} | {system / seconds:.2f} |")
    lines.append(f"| all of the above | {1000 * total / per:.3f} | {total / seconds:.2f} |")
    lines.append(f"| the machine (/proc/stat: every process) | {1000 * busy / per:.3f} | {busy / seconds:.2f} |")
    return lines

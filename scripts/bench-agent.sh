#!/usr/bin/env bash
# Load test of the node agent (the OpenTelemetry Collector DaemonSet) on loopback, with the real
# collector built from the agent's components (tools/otelcol/build.sh) and the agent config the
# program renders for each stack.
#
#   scripts/bench-agent.sh [--profiles "dev staging prod"] [--rates "500 1000 2000 5000"]
#                          [--duration 30] [--render-dir DIR] [--no-burst] [--out FILE]
#
# What runs (all on 127.0.0.1, every run bounded in time):
#   - the agent: the rendered ConfigMap's config with ONE change to the pipeline: k8s_attributes is
#     removed (it needs a Kubernetes API server; on a node it adds a pod-cache lookup per batch).
#     Endpoints are moved to loopback: MY_POD_IP=127.0.0.1 for the receivers and health check, the
#     OTLP exporter to the local sink, self-metrics to 127.0.0.1:18888 (the span metrics stay on
#     MY_POD_IP:8889). The DaemonSet's --feature-gates are passed as in the pod. memory_limiter,
#     probabilistic_sampler (the profile's percentage), batch, the exporter's queue/retry and the
#     spanmetrics connector are as rendered; GOMEMLIMIT is the DaemonSet's. When cgroups are writable the agent runs in its
#     own cgroup with the DaemonSet's memory limit, so memory_limiter's limit_percentage is
#     computed from the same limit as in the pod and the kernel enforces it (OOM kill);
#     the burst runs also get the DaemonSet's CPU limit (CFS quota).
#   - a sink: otelcol-sink (OTLP receiver -> nop exporter) standing in for Jaeger;
#   - telemetrygen sending OTLP/gRPC spans at fixed rates (1 parent + 4 children per trace).
# Per run it reports the agent's CPU (cores, from /proc utime+stime over the load window), RSS
# (avg/max sampled each second), the span counters of agent and sink, and the calls the span
# metrics counted (all spans, sampled or not) with the number of series the agent serves.
# Burst tests (dev, the highest sampling): (1) unthrottled load for 20 s under the container's
# CPU and memory limits, backend up; (2) 5000 spans/s for 60 s with the backend down, so the
# exporter's queue fills and memory_limiter must hold memory under the container limit.
#
# Needs Go + the module proxy (first build), Node + `npm ci` (render), curl. Prints a markdown
# report on stdout (and to --out FILE); progress on stderr.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILES="dev staging prod"
RATES="500 1000 2000 5000"
DURATION=30
RENDER_DIR=""
BURST=1
OUT=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --profiles) PROFILES="$2"; shift 2 ;;
        --rates) RATES="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --render-dir) RENDER_DIR="$2"; shift 2 ;;
        --no-burst) BURST=0; shift ;;
        --out) OUT="$2"; shift 2 ;;
        -h|--help) sed -n 2,30p "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
(( DURATION >= 5 && DURATION <= 300 )) || { echo "--duration must be 5..300 s" >&2; exit 2; }

log() { printf '[bench-agent %s] %s\n' "$(date +%T)" "$*" >&2; }

bin="$("$repo/tools/otelcol/build.sh")"
work="$(mktemp -d /tmp/bench-agent.XXXXXX)"
PIDS=()
CG_DIRS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for d in "${CG_DIRS[@]}"; do rmdir "$d" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

AGENT_METRICS=127.0.0.1:18888
SINK_OTLP=127.0.0.1:24317
SINK_METRICS=127.0.0.1:28888
AGENT_SPANMETRICS=127.0.0.1:8889
AGENT_PORTS="4317 4318 14250 14268 9411 13133 8889 18888 24317 28888"
for port in $AGENT_PORTS; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port 127.0.0.1:$port is in use; the benchmark needs it" >&2
        exit 2
    fi
done
TICK="$(getconf CLK_TCK)"

# ---- the rendered stacks ---------------------------------------------------------------------
declare -A CM SAMPLING MEM_LIMIT CPU_LIMIT MEM_REQ CPU_REQ GOMEMLIMIT GATES
for p in $PROFILES; do
    dir="$RENDER_DIR/$p"
    if [[ -z "$RENDER_DIR" || ! -d "$dir/manifests" ]]; then
        dir="$work/render/$p"
        log "rendering $p"
        # render needs the pinned charts; default to the checkout's sibling shared/charts, as CI does.
        [[ -z "${OBS_CHART_DIR:-}" && -d "$repo/../shared/charts" ]] && export OBS_CHART_DIR="$repo/../shared/charts"
        (cd "$repo" && npm run --silent render -- "$p" --out "$dir" >"$work/render-$p.log" 2>&1) || {
            cat "$work/render-$p.log" >&2; exit 1; }
    fi
    cm="$(ls "$dir"/manifests/*/configmap-otel-agent*.yaml | head -n 1)"
    ds="$(ls "$dir"/manifests/*/daemonset-otel-agent*.yaml | head -n 1)"
    facts="$(cd "$repo" && node -e '
        const fs = require("fs"), YAML = require("yaml");
        const cm = YAML.parse(fs.readFileSync(process.argv[1], "utf8"));
        const cfg = YAML.parse(Object.values(cm.data)[0]);
        const ds = YAML.parse(fs.readFileSync(process.argv[2], "utf8"));
        const c = ds.spec.template.spec.containers[0];
        const bytes = (q) => { const m = /^([0-9.]+)(Ki|Mi|Gi|K|M|G)?$/.exec(String(q)); const f = { Ki: 1024, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }; return Math.round(Number(m[1]) * (f[m[2]] ?? 1)); };
        const milli = (q) => String(q).endsWith("m") ? Number(String(q).slice(0, -1)) : Math.round(Number(q) * 1000);
        const gml = (c.env ?? []).find((e) => e.name === "GOMEMLIMIT");
        console.log([cfg.processors.probabilistic_sampler.sampling_percentage,
            bytes(c.resources.limits.memory), milli(c.resources.limits.cpu),
            bytes(c.resources.requests.memory), milli(c.resources.requests.cpu), gml ? gml.value : "",
            ...(c.args ?? []).filter((a) => a.startsWith("--feature-gates="))].join(" "));
    ' "$cm" "$ds")"
    read -r SAMPLING[$p] MEM_LIMIT[$p] CPU_LIMIT[$p] MEM_REQ[$p] CPU_REQ[$p] GOMEMLIMIT[$p] GATES[$p] <<<"$facts"
    CM[$p]="$cm"
    log "$p: sampling ${SAMPLING[$p]}%, requests ${CPU_REQ[$p]}m/$((MEM_REQ[$p] >> 20))Mi, limits ${CPU_LIMIT[$p]}m/$((MEM_LIMIT[$p] >> 20))Mi, GOMEMLIMIT=${GOMEMLIMIT[$p]}"
done

# ---- cgroups (v1 or v2), nested under this shell's own groups ------------------------------------
CG_KIND=none
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
    CG_KIND=v2
elif [[ -d /sys/fs/cgroup/memory && -w /sys/fs/cgroup/memory ]]; then
    CG_KIND=v1
fi
CG_PROCS=() CG_PEAK="" CG_EVENTS=""
# cg_make NAME MEM_BYTES CPU_MILLI(0 = no CPU limit): sets CG_PROCS/CG_PEAK/CG_EVENTS, or fails.
cg_make() {
    local name="$1" mem="$2" cpu="$3"
    CG_PROCS=() CG_PEAK="" CG_EVENTS=""
    case "$CG_KIND" in
        v1)
            local m c
            m="/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup | sed 's#/$##')/$name"
            mkdir "$m" && CG_DIRS+=("$m") || return 1
            echo "$mem" >"$m/memory.limit_in_bytes" || return 1
            CG_PROCS+=("$m/cgroup.procs") CG_PEAK="$m/memory.max_usage_in_bytes" CG_EVENTS="$m/memory.oom_control"
            if (( cpu > 0 )); then
                c="/sys/fs/cgroup/cpu$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' /proc/self/cgroup | sed 's#/$##')/$name"
                mkdir "$c" && CG_DIRS+=("$c") || return 1
                echo 100000 >"$c/cpu.cfs_period_us" && echo $((cpu * 100)) >"$c/cpu.cfs_quota_us" || return 1
                CG_PROCS+=("$c/cgroup.procs")
            fi
            ;;
        v2)
            local base g
            base="/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup | sed 's#/$##')"
            grep -qw memory "$base/cgroup.subtree_control" 2>/dev/null || echo "+memory +cpu" >"$base/cgroup.subtree_control" 2>/dev/null || return 1
            g="$base/$name"
            mkdir "$g" && CG_DIRS+=("$g") || return 1
            echo "$mem" >"$g/memory.max" && echo 0 >"$g/memory.swap.max" 2>/dev/null
            (( cpu > 0 )) && { echo "$((cpu * 100)) 100000" >"$g/cpu.max" || return 1; }
            CG_PROCS+=("$g/cgroup.procs") CG_PEAK="$g/memory.peak" CG_EVENTS="$g/memory.events"
            ;;
        *) return 1 ;;
    esac
}
cg_drop() {
    local keep=()
    for d in "${CG_DIRS[@]}"; do rmdir "$d" 2>/dev/null || keep+=("$d"); done
    CG_DIRS=("${keep[@]}")
}
oom_kills() { [[ -n "$CG_EVENTS" && -f "$CG_EVENTS" ]] && awk '$1 == "oom_kill" {print $2; f=1} END {if (!f) print 0}' "$CG_EVENTS" || echo "n/a"; }

# ---- processes ----------------------------------------------------------------------------------
cat >"$work/sink.yaml" <<EOF
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: $SINK_OTLP
exporters:
  nop: {}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [nop] }
  telemetry:
    logs: { level: warn }
    metrics:
      level: normal
      readers:
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${SINK_METRICS##*:} } } }
EOF
SINK_PID=""
start_sink() {
    "$bin/otelcol-sink" --config="file:$work/sink.yaml" >>"$work/sink.log" 2>&1 &
    SINK_PID=$!
    PIDS+=("$SINK_PID")
    wait_http "http://$SINK_METRICS/metrics" || { cat "$work/sink.log" >&2; exit 1; }
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
wait_http() {
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}
# metric NAME FILE: the sum of a counter over all its label sets
metric() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 {s += $NF} END {printf "%.0f", s}' "$2"; }
scrape() { curl -fsS "http://$1/metrics" >"$2" 2>/dev/null || : >"$2"; }

# agent_config PROFILE FILE: the rendered config, k8s_attributes removed, endpoints on loopback
agent_config() {
    node "$repo/tools/otelcol/extract-config.js" "${CM[$1]}" --out "$2" \
        --drop-processor k8s_attributes \
        --set "exporters.otlp_grpc.endpoint=\"$SINK_OTLP\"" \
        --set "service.telemetry.metrics.readers=[{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${AGENT_METRICS##*:}}}}}]" >/dev/null
}

AGENT_PID="" LIMITER=""
# start_agent PROFILE CPU_MILLI(0 = unlimited)
start_agent() {
    local p="$1" cpu="$2"
    agent_config "$p" "$work/agent-$p.yaml"
    local procs=""
    if cg_make "bench-agent-$$-$RANDOM" "${MEM_LIMIT[$p]}" "$cpu"; then
        procs="${CG_PROCS[*]}"
    else
        cg_drop
        CG_PEAK="" CG_EVENTS=""
    fi
    : >"$work/agent.log"
    MY_POD_IP=127.0.0.1 K8S_NODE_NAME=node-1 GOMEMLIMIT="${GOMEMLIMIT[$p]}" \
        bash -c 'for f in $1; do echo $$ >"$f"; done; shift; exec "$@"' _ "$procs" \
        "$bin/otelcol-agent" ${GATES[$p]} --config="file:$work/agent-$p.yaml" >>"$work/agent.log" 2>&1 &
    AGENT_PID=$!
    PIDS+=("$AGENT_PID")
    wait_http "http://127.0.0.1:13133/" || { log "agent did not become healthy"; cat "$work/agent.log" >&2; exit 1; }
    # What memory_limiter derived from the memory it sees (the cgroup limit, else the host's).
    LIMITER="$(grep -o '"total_memory_mib": [0-9]*\|"limit_mib": [0-9]*\|"spike_limit_mib": [0-9]*' "$work/agent.log" | awk '{printf "%s%s", (NR > 1 ? "/" : ""), $2}')"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# load_run LABEL PROFILE RATE(spans/s, 0 = unthrottled) SECONDS WORKERS [PROCS]: one measured run
# against the running agent, RATE split over PROCS telemetrygen processes of WORKERS workers each
# (one process exports ~5k spans/s at most: its SDK exporter is a single goroutine); appends a
# result line to $work/results.
load_run() {
    local label="$1" p="$2" rate="$3" secs="$4" workers="$5" procs="${6:-1}"
    local t0 t1 c0 c1 samples=0 sum=0 max=0 r alive=yes
    scrape "$AGENT_METRICS" "$work/a0"; scrape "$SINK_METRICS" "$work/s0"
    local per_worker="$rate"
    (( rate > 0 )) && per_worker="$(awk -v r="$rate" -v w="$((workers * procs))" 'BEGIN {printf "%.3f", r / w}')"
    local tgs=() i
    for ((i = 0; i < procs; i++)); do
        "$bin/telemetrygen" traces --otlp-endpoint 127.0.0.1:4317 --otlp-insecure \
            --workers "$workers" --rate "$per_worker" --duration "${secs}s" --child-spans 4 \
            --batch-size 512 --allow-export-failures \
            --telemetry-attributes 'http.request.method="GET"' --telemetry-attributes 'http.route="/api/v1/orders/{id}"' \
            --telemetry-attributes 'http.response.status_code="200"' --telemetry-attributes 'user_agent.original="bench/1.0 (loopback)"' \
            --otlp-attributes 'service.name="bench-agent"' >"$work/tg-$i.log" 2>&1 &
        tgs+=($!)
        PIDS+=($!)
    done
    local tg="${tgs[0]}"
    t0="$(date +%s.%N)"; c0="$(cpu_ticks "$AGENT_PID")"
    while kill -0 "$tg" 2>/dev/null; do
        r="$(rss_kib "$AGENT_PID")"
        if [[ -z "$r" || "$r" == 0 ]] && ! kill -0 "$AGENT_PID" 2>/dev/null; then alive=no; break; fi
        samples=$((samples + 1)); sum=$((sum + r)); (( r > max )) && max=$r
        sleep 1
    done
    t1="$(date +%s.%N)"; c1="$(cpu_ticks "$AGENT_PID")"
    for i in "${tgs[@]}"; do wait "$i" 2>/dev/null || true; done
    kill -0 "$AGENT_PID" 2>/dev/null || alive=no
    # Let the batch processor (timeout 5s), the exporter and the span metrics (flushed every
    # 15 s) catch up with what the load left.
    [[ $alive == yes ]] && sleep 16
    local peak="n/a"
    [[ -n "$CG_PEAK" && -f "$CG_PEAK" ]] && peak="$(( $(cat "$CG_PEAK") >> 20 ))"
    scrape "$AGENT_METRICS" "$work/a1"; scrape "$SINK_METRICS" "$work/s1"
    local acc ref sent fail sink queue
    acc=$(( $(metric otelcol_receiver_accepted_spans_total "$work/a1") - $(metric otelcol_receiver_accepted_spans_total "$work/a0") ))
    ref=$(( $(metric otelcol_receiver_refused_spans_total "$work/a1") - $(metric otelcol_receiver_refused_spans_total "$work/a0") ))
    sent=$(( $(metric otelcol_exporter_sent_spans_total "$work/a1") - $(metric otelcol_exporter_sent_spans_total "$work/a0") ))
    fail=$(( $(metric otelcol_exporter_send_failed_spans_total "$work/a1") - $(metric otelcol_exporter_send_failed_spans_total "$work/a0") ))
    sink=$(( $(metric otelcol_receiver_accepted_spans_total "$work/s1") - $(metric otelcol_receiver_accepted_spans_total "$work/s0") ))
    queue="$(metric otelcol_exporter_queue_size "$work/a1")"
    # The span metrics are cumulative from the agent's start, and each run starts a new agent.
    local calls series
    scrape "$AGENT_SPANMETRICS" "$work/m1"
    calls="$(metric traces_span_metrics_calls_total "$work/m1")"
    series="$(grep -c '^traces_span_metrics' "$work/m1" || true)"
    local cores
    cores="$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$TICK" 'BEGIN {printf "%.3f", (b - a) / hz / (t1 - t0)}')"
    local avg=$(( samples > 0 ? sum / samples / 1024 : 0 ))
    printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$label" "$p" "${SAMPLING[$p]}" "$rate" "$secs" \
        "$acc" "$ref" "$sent" "$fail" "$sink" "$queue" "$cores" "$avg" "$((max / 1024))" "$peak" "$alive/$(oom_kills)" "$LIMITER" "$calls" "$series" >>"$work/results"
    log "$label $p rate=$rate: accepted=$acc refused=$ref sent=$sent sink=$sink calls=$calls series=$series cpu=${cores} rss avg/max=${avg}/$((max / 1024))MiB peak=$peak alive=$alive"
}

stop_agent() {
    stop_pid "$AGENT_PID"
    cg_drop
}

: >"$work/results"
start_sink
log "sink up on $SINK_OTLP; CPU per-run load: ${DURATION}s; cgroups: $CG_KIND"

for p in $PROFILES; do
    for rate in $RATES; do
        start_agent "$p" 0
        sleep 2
        # telemetrygen paces each worker with a token bucket of burst 1: sub-millisecond waits
        # overshoot on a busy machine, so keep each worker at <= 200 spans/s.
        load_run steady "$p" "$rate" "$DURATION" $(( (rate + 199) / 200 )) $(( (rate + 3999) / 4000 ))
        stop_agent
    done
done

if (( BURST )); then
    bp="$(for p in $PROFILES; do echo "${SAMPLING[$p]} $p"; done | sort -rn | head -n 1 | cut -d' ' -f2)"
    log "burst tests with $bp (sampling ${SAMPLING[$bp]}%) under the container limits"
    start_agent "$bp" "${CPU_LIMIT[$bp]}"
    sleep 2
    load_run "burst, backend up, unthrottled, CPU ${CPU_LIMIT[$bp]}m" "$bp" 0 20 2 4
    stop_agent
    stop_pid "$SINK_PID"
    start_agent "$bp" "${CPU_LIMIT[$bp]}"
    sleep 2
    load_run "backend down, CPU ${CPU_LIMIT[$bp]}m" "$bp" 5000 60 13 2
    grep -o '"msg":"[^"]*"\|Memory usage[^"]*\|memory_limiter[^"]*' "$work/agent.log" | sort | uniq -c | sort -rn | head -n 5 >"$work/agent-msgs" || true
    stop_agent
fi

# ---- report ---------------------------------------------------------------------------------------
{
    echo "### Agent benchmark ($(date -u +%F), otelcol $("$bin/otelcol-agent" --version | awk '{print $NF}'), $(nproc) cores, loopback)"
    echo
    echo "Agent config: the rendered ConfigMap minus k8s_attributes; memory_limiter/sampler/batch/exporter/spanmetrics as rendered."
    echo "Agent cgroup: ${CG_KIND} (memory limit = DaemonSet limit; CPU limit only in burst runs). Spans: 1 parent + 4 children per trace, 4 attributes each."
    echo
    for p in $PROFILES; do
        echo "- $p: sampling ${SAMPLING[$p]}%, requests ${CPU_REQ[$p]}m / $((MEM_REQ[$p] >> 20))Mi, limits ${CPU_LIMIT[$p]}m / $((MEM_LIMIT[$p] >> 20))Mi, GOMEMLIMIT ${GOMEMLIMIT[$p]}, memory_limiter hard/soft = 80%/60% of the limit = $((MEM_LIMIT[$p] * 80 / 100 >> 20))/$((MEM_LIMIT[$p] * 60 / 100 >> 20))Mi"
    done
    echo
    echo "memory_limiter column: total/limit/spike MiB as the agent logged them at start (total = the memory it detected)."
    echo
    echo "| run | profile | sampling | target spans/s | in spans/s | refused | out spans/s | export failed | sink spans | queue at end | span-metric calls / accepted | span-metric series | agent CPU (cores) | RSS avg MiB | RSS max MiB | cgroup peak MiB | alive/OOM kills | memory_limiter |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    while IFS='|' read -r label p s rate secs acc ref sent fail sink queue cores avg max peak alive limiter calls series; do
        tr="$rate"; [[ "$rate" == 0 ]] && tr="max"
        echo "| $label | $p | $s% | $tr | $((acc / secs)) | $ref | $((sent / secs)) | $fail | $sink | $queue | $calls / $acc | $series | $cores | $avg | $max | $peak | $alive | $limiter |"
    done <"$work/results"
    if [[ -s "$work/agent-msgs" ]]; then
        echo
        echo "Agent log, backend-down run (count, message):"
        echo '```'
        cat "$work/agent-msgs"
        echo '```'
    fi
} | tee ${OUT:+"$OUT"}

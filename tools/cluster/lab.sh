#!/usr/bin/env bash
# The lab cluster: a real Kubernetes 1.34 control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) with kwok playing the nodes, all inside a network
# namespace of the lab's own that has nothing but loopback.
#
#   lab.sh start DIR                 start a lab whose state (PKI, logs, PIDs, kubeconfig) is DIR
#   lab.sh exec DIR -- CMD...        run CMD inside the lab's network namespace, KUBECONFIG set
#   lab.sh spawn DIR NAME -- CMD...  start a long-running CMD there (an operator), stopped with the lab
#   lab.sh stop DIR                  stop every process the lab started, by PID, and remove the namespace
#
# KUBECTL names the kubectl binary (npm run lab sets it: the one the kubectl layer package ships).
# scripts/lab/ drives a whole run (start, apply a render, operators, checks, drains, stop):
# npm run test:cluster.
#
# Why a network namespace: kwok gives pods and the webhooks' Services addresses that exist
# nowhere, and ECK resolves its Elasticsearch Services through the machine's resolver. Inside the
# namespace a packet to a Service address finds no route and one to a pod address stays in the
# namespace (refused, or answered by a process the lab runs for that pod), failing at once;
# outside it, it would leave the machine. The API server listens on the namespace's own 127.0.0.1, so two labs never collide.
#
# Containers do not run: kwok marks scheduled pods Running and Ready. Images, probes and
# application configuration are not exercised here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

in_ns() { nsenter --net="$LAB/netns" -- "$@"; }

# spawn NAME CMD...: starts CMD in the namespace, logging to logs/NAME.log, and records its PID.
# A simple command in the background is forked once and exec'd, and nsenter execs CMD in turn
# (it forks only to enter a PID namespace), so $! is CMD's own PID: what stop kills.
spawn() {
    local name="$1"
    shift
    nsenter --net="$LAB/netns" -- "$@" </dev/null >"$LAB/logs/$name.log" 2>&1 &
    printf '%s %s\n' "$!" "$name" >>"$LAB/pids"
}

# alive NAME: fails, with the end of its log, when the process recorded as NAME has exited.
alive() {
    local pid
    pid="$(awk -v n="$1" '$2 == n { print $1 }' "$LAB/pids" | tail -n 1)"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        log "$1 exited; the end of $LAB/logs/$1.log:"
        tail -n 30 "$LAB/logs/$1.log" >&2 || true
        return 1
    fi
}

# wait_for WHAT SECONDS PROCESS CMD...: polls CMD once a second until it succeeds; fails when
# SECONDS pass or PROCESS dies first.
wait_for() {
    local what="$1" limit="$2" process="$3" start=$SECONDS
    shift 3
    until "$@" >/dev/null 2>&1; do
        alive "$process" || die "$what: $process died"
        ((SECONDS - start < limit)) || die "$what: not within ${limit} s (logs in $LAB/logs)"
        sleep 1
    done
}

kubectl_() { in_ns env KUBECONFIG="$LAB/kubeconfig" "$KUBECTL" "$@"; }

pki() {
    local p="$LAB/pki"
    mkdir -p "$p"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lab-ca" \
        -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$p/apiserver.key" \
        -out "$p/apiserver.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' >"$p/san.ext"
    openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
        -days 2 -extfile "$p/san.ext" -out "$p/apiserver.crt" 2>/dev/null
    openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
    openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
    # One static token in system:masters for the lab's own clients; service accounts get real
    # tokens from the key pair above, so RBAC applies to every workload as on a cluster.
    token="$(openssl rand -hex 24)"
    printf '%s,lab-admin,lab-admin,system:masters\n' "$token" >"$p/tokens.csv"
    chmod 600 "$p"/*.key "$p/tokens.csv"
    cat >"$LAB/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://127.0.0.1:6443", certificate-authority: "$p/ca.crt"}
users:
- name: lab-admin
  user: {token: "$token"}
contexts:
- name: lab
  context: {cluster: lab, user: lab-admin}
current-context: lab
EOF
    chmod 600 "$LAB/kubeconfig"
}

start() {
    [[ -e "$LAB/pids" ]] && die "$LAB already holds a lab (lab.sh stop $LAB first)"
    local bin
    bin="$(bash "$here/build.sh" | tail -n 1)"
    mkdir -p "$LAB/logs" "$LAB/etcd"
    ln -sfn "$bin" "$LAB/bin"
    : >"$LAB/pids"
    pki
    touch "$LAB/netns"
    unshare --net="$LAB/netns" true || die "cannot create a network namespace (needs root: unshare --net)"
    in_ns ip link set lo up
    # Every pod address kwok hands out (--cidr below) is local to the namespace, so a process the
    # lab runs for a pod (a webhook server, scripts/lab/serve.ts) can listen on that pod's own
    # address; an address no process listens on refuses at once, as before. Nothing outside the
    # namespace is reachable from it either way.
    in_ns ip route add local 10.244.0.0/16 dev lo

    spawn etcd "$bin/etcd" --name lab --data-dir "$LAB/etcd" --unsafe-no-fsync \
        --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
        --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
        --initial-cluster lab=http://127.0.0.1:2380 --listen-metrics-urls ""
    local p="$LAB/pki"
    # --enable-aggregator-routing: webhooks (and aggregated APIs) are called at a ready endpoint of
    # their Service, the pod's address and target port, instead of the ClusterIP, which nothing
    # serves here (kube-apiserver 1.34.4 cmd/kube-apiserver/app/server.go buildServiceResolver,
    # whose resolver CreateConfig hands to the admission webhooks).
    # The admission plugins are kube-apiserver 1.34's defaults (PodSecurity, ResourceQuota,
    # Priority, DefaultStorageClass, the webhooks, ...) plus NodeRestriction, as kubeadm and the
    # managed offerings run it. The ResourceQuota configuration limits node- and cluster-critical
    # pods to namespaces with a quota for that class, as GKE does.
    cp "$here/admission.yaml" "$LAB/admission.yaml"
    spawn kube-apiserver "$bin/kube-apiserver" \
        --etcd-servers http://127.0.0.1:2379 --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
        --secure-port 6443 --service-cluster-ip-range 10.96.0.0/16 \
        --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
        --client-ca-file "$p/ca.crt" --token-auth-file "$p/tokens.csv" \
        --service-account-issuer https://kubernetes.default.svc.cluster.local \
        --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
        --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
        --admission-control-config-file "$LAB/admission.yaml" \
        --allow-privileged=true --profiling=false --enable-aggregator-routing=true
    wait_for "kube-apiserver ready" 180 kube-apiserver kubectl_ get --raw /readyz

    spawn kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$LAB/kubeconfig" \
        --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
        --service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
        --cluster-signing-cert-file "$p/ca.crt" --cluster-signing-key-file "$p/ca.key" \
        --controllers '*' --profiling=false
    spawn kube-scheduler "$bin/kube-scheduler" --kubeconfig "$LAB/kubeconfig" \
        --bind-address 127.0.0.1 --leader-elect=false --profiling=false
    local stages kwok_dir configs=()
    kwok_dir="$(cat "$(dirname "$bin")/kwok-module-dir")"
    for stages in node/fast node/heartbeat-with-lease pod/fast; do
        for f in "$kwok_dir/kustomize/stage/$stages"/*.yaml; do
            # stages.yaml has the lab's own pod-delete stage in place of kwok's fast one.
            [[ "$(basename "$f")" == kustomization.yaml || "$(basename "$f")" == pod-delete.yaml ]] || configs+=(--config "$f")
        done
    done
    configs+=(--config "$here/stages.yaml")
    spawn kwok "$bin/kwok" --kubeconfig "$LAB/kubeconfig" "${configs[@]}" \
        --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --cidr 10.244.0.0/16 \
        --node-lease-duration-seconds 40 --server-address ""

    # The default service account exists once the controllers run; nodes go Ready once kwok does.
    wait_for "service accounts" 120 kube-controller-manager kubectl_ get serviceaccount default -n default
    kubectl_ apply --server-side -f "$here/nodes.yaml" >/dev/null
    wait_for "every node Ready" 120 kwok kubectl_ wait --for condition=Ready node --all --timeout 20s
    log "up: $(kubectl_ get nodes --no-headers | wc -l) nodes; KUBECONFIG=$LAB/kubeconfig inside the namespace (lab.sh exec $LAB -- ...)"
}

# running PID: alive and not a zombie (the machine's init may reap an orphan late).
running() { [[ -e "/proc/$1" ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

stop() {
    [[ -f "$LAB/pids" ]] || return 0
    local pid name n=0 deadline
    # Newest first, each gone before the next: operators and kwok, the controllers, the API server
    # (which shuts down cleanly only while etcd is there), etcd last.
    while read -r pid name; do
        n=$((n + 1))
        running "$pid" || continue
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
        if running "$pid"; then
            log "$name ($pid) ignored TERM for 10 s: killed"
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 10))
            while running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
            running "$pid" && die "$name ($pid) did not stop"
        fi
    done < <(tac "$LAB/pids")
    # The namespace, with every socket in it, goes with its last process and its bind mount.
    umount "$LAB/netns" 2>/dev/null || true
    rm -f "$LAB/netns" "$LAB/pids"
    log "stopped $n processes"
}

[[ -n "${KUBECTL:-}" && -x "${KUBECTL:-}" ]] || die "set KUBECTL to a kubectl binary (npm run lab -- ... does)"
case "${1:-}" in
start)
    [[ $# -eq 2 ]] || usage
    LAB="$(mkdir -p "$2" && cd "$2" && pwd)"
    # A start that fails halfway stops what it started.
    trap 'status=$?; ((status == 0)) || stop; exit $status' EXIT
    trap 'exit 143' TERM INT
    start
    ;;
stop)
    [[ $# -eq 2 ]] || usage
    LAB="$(cd "$2" && pwd)"
    stop
    ;;
spawn)
    [[ $# -ge 5 && "$4" == "--" ]] || usage
    LAB="$(cd "$2" && pwd)"
    [[ -f "$LAB/pids" ]] || die "no lab in $LAB"
    name="$3"
    shift 4
    spawn "$name" env KUBECONFIG="$LAB/kubeconfig" "$@"
    sleep 2
    alive "$name"
    ;;
exec)
    [[ $# -ge 4 && "$3" == "--" ]] || usage
    LAB="$(cd "$2" && pwd)"
    [[ -f "$LAB/pids" ]] || die "no lab in $LAB"
    shift 3
    exec nsenter --net="$LAB/netns" -- env KUBECONFIG="$LAB/kubeconfig" "$@"
    ;;
*) usage ;;
esac

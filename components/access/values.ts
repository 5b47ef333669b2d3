/**
 * How people and pods reach the platform, as pure builders: which UI is served where, the
 * Ingress for each, the login gate in front of the UIs that have none, and the NetworkPolicies
 * around the data stores.
 */
import * as crypto from "crypto";
import { IMAGES } from "../shared/images";
import { AccessSettings } from "../settings/profiles";
import { httpGet, liveness, readiness, tcpSocket } from "../shared/probes";
import { drainSafePdb, spreadAcrossNodes } from "../shared/workloads";

export interface UiRoute {
    /** Host label and object-name suffix: `<app>.<domain>`, Ingress `ui-<app>`. */
    readonly app: string;
    readonly namespace: string;
    readonly service: string;
    readonly port: number;
    /** The backend serves HTTPS (Kibana's ECK certificate; Prometheus and Alertmanager with TLS on). */
    readonly https: boolean;
    /**
     * Secret in the UI's namespace whose `ca.crt` signs the backend's certificate. A gate in front
     * of an HTTPS backend needs it: it verifies that CA and the Service's `<svc>.<ns>.svc` name.
     */
    readonly caSecret?: string;
    /** The UI has no login of its own, so a gate stands in front of it. */
    readonly gated: boolean;
}

export const GATE_PORT = { basic: 8080, "oauth2-proxy": 4180 } as const;

/** The Service the Ingress sends a UI's traffic to: its gate when it has one. */
export function ingressBackend(r: UiRoute, access: AccessSettings): { name: string; port: number } {
    return r.gated ? { name: `ui-gate-${r.app}`, port: GATE_PORT[access.uiAuth] } : { name: r.service, port: r.port };
}

export function uiIngress(r: UiRoute, domain: string, ingressClassName: string, issuer: string, access: AccessSettings): Record<string, any> {
    const host = `${r.app}.${domain}`;
    const backend = ingressBackend(r, access);
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            name: `ui-${r.app}`,
            namespace: r.namespace,
            annotations: {
                // cert-manager's ingress-shim issues `ui-<app>-tls` from this issuer.
                "cert-manager.io/cluster-issuer": issuer,
                // ingress-nginx's key; other controllers need their own way to speak TLS to Kibana.
                ...(r.https && !r.gated ? { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" } : {}),
            },
        },
        spec: {
            ingressClassName,
            tls: [{ hosts: [host], secretName: `ui-${r.app}-tls` }],
            rules: [{
                host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: backend.name, port: { number: backend.port } } } }] },
            }],
        },
    };
}

export interface GateConfigInput {
    readonly realm: string;
    /** `host:port` of the UI behind the gate. */
    readonly upstream: string;
    readonly listen?: number;
    readonly htpasswdFile?: string;
    /** Writable directory for the pid file and nginx's temporary files. */
    readonly tmp?: string;
    /** Speak HTTPS to the upstream, verifying its certificate against `caFile` and `serverName`. */
    readonly upstreamTls?: { readonly caFile: string; readonly serverName: string };
}

/** Where a gate mounts the `ca.crt` of its UI's `caSecret`. */
export const GATE_CA_DIR = "/etc/gate-ca";

/**
 * nginx as a basic-auth gate that any ingress controller can sit in front of. The credentials
 * are checked here and never forwarded to the UI.
 */
export function gateNginxConfig(input: GateConfigInput): string {
    const tmp = input.tmp ?? "/tmp";
    const tls = input.upstreamTls;
    // nginx verifies nothing unless told: proxy_ssl_verify is off by default, and without
    // proxy_ssl_server_name it sends no SNI (ngx_http_proxy_module).
    const upstreamTls = tls
        ? [
            `      proxy_ssl_trusted_certificate ${tls.caFile};`,
            "      proxy_ssl_verify on;",
            "      proxy_ssl_verify_depth 2;",
            `      proxy_ssl_name ${tls.serverName};`,
            "      proxy_ssl_server_name on;",
            "      proxy_ssl_protocols TLSv1.2 TLSv1.3;",
            "      proxy_ssl_session_reuse on;",
        ]
        : [];
    return [
        "worker_processes 1;",
        `pid ${tmp}/nginx.pid;`,
        "error_log stderr warn;",
        "events { worker_connections 512; }",
        "http {",
        "  access_log /dev/stdout;",
        "  server_tokens off;",
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${tmp}/${t};`),
        "  server {",
        `    listen ${input.listen ?? GATE_PORT.basic};`,
        "    location = /healthz { access_log off; auth_basic off; return 200 \"ok\\n\"; }",
        "    location / {",
        `      auth_basic "${input.realm}";`,
        `      auth_basic_user_file ${input.htpasswdFile ?? "/etc/gate/htpasswd"};`,
        `      proxy_pass ${tls ? "https" : "http"}://${input.upstream};`,
        ...upstreamTls,
        "      proxy_set_header Authorization \"\";",
        "      proxy_set_header Host $host;",
        "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "      proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;",
        "      proxy_read_timeout 300s;",
        "    }",
        "  }",
        "}",
        "",
    ].join("\n");
}

const GATE_SECURITY = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

const GATE_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/** The name a gate dials and, for an HTTPS backend, verifies. */
const serviceHost = (r: UiRoute) => `${r.service}.${r.namespace}.svc`;

/** `host:port` of a UI's Service inside the cluster. */
const upstreamOf = (r: UiRoute) => `${serviceHost(r)}:${r.port}`;

/** The URL a gate forwards to. */
const upstreamUrl = (r: UiRoute) => `${r.https ? "https" : "http"}://${upstreamOf(r)}`;

/** The gate's nginx.conf for a UI, as its ConfigMap holds it. */
export function gateNginxConfigFor(r: UiRoute): string {
    return gateNginxConfig({
        realm: r.app,
        upstream: upstreamOf(r),
        ...(r.https ? { upstreamTls: { caFile: `${GATE_CA_DIR}/ca.crt`, serverName: serviceHost(r) } } : {}),
    });
}

/** A gated UI behind HTTPS must name the CA to verify; a gate never skips verification. */
export function gateTlsProblem(r: UiRoute): string | undefined {
    return r.gated && r.https && !r.caSecret
        ? `the ${r.app} UI serves HTTPS but names no caSecret, so its gate cannot verify it`
        : undefined;
}

/** Names of the objects a gate reads: its ConfigMap and its Secret. */
export const gateNames = (app: string) => ({ name: `ui-gate-${app}`, secret: `ui-gate-${app}` });

/**
 * The gate's Deployment and Service. `basic` reads nginx.conf from a ConfigMap and the
 * htpasswd file from a Secret; `oauth2-proxy` reads its client and cookie secrets from a Secret.
 */
export function gateManifests(r: UiRoute, access: AccessSettings, domain: string, zoneAware: boolean): Record<string, any>[] {
    const { name, secret } = gateNames(r.app);
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "observability-platform" };
    const selector = { "app.kubernetes.io/name": name };
    const port = GATE_PORT[access.uiAuth];
    // Only the CA certificate of the Secret, never its key.
    const caVolumes = r.https && r.caSecret ? [{ name: "upstream-ca", secret: { secretName: r.caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } }] : [];
    const caMounts = caVolumes.map((v) => ({ name: v.name, mountPath: GATE_CA_DIR, readOnly: true }));
    const container = access.uiAuth === "basic"
        ? {
            name: "gate",
            image: IMAGES.nginx,
            ports: [{ name: "http", containerPort: port }],
            volumeMounts: [
                { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true },
                { name: "htpasswd", mountPath: "/etc/gate", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                ...caMounts,
            ],
            // `location = /healthz` in the gate's own nginx.conf (above) answers without the
            // upstream; liveness is nginx's listener.
            readinessProbe: readiness(httpGet("/healthz", port)),
            livenessProbe: liveness(tcpSocket(port)),
        }
        : {
            name: "oauth2-proxy",
            image: IMAGES.oauth2Proxy,
            args: [
                `--http-address=0.0.0.0:${port}`,
                "--provider=oidc",
                `--oidc-issuer-url=${access.oidc?.issuerUrl}`,
                `--client-id=${access.oidc?.clientId}`,
                ...(access.oidc?.allowedEmailDomains ?? ["*"]).map((d) => `--email-domain=${d}`),
                `--upstream=${upstreamUrl(r)}/`,
                `--redirect-url=https://${r.app}.${domain}/oauth2/callback`,
                "--cookie-secure=true",
                `--cookie-name=_oauth2_${r.app}`,
                "--reverse-proxy=true",
                "--skip-provider-button=true",
            ],
            env: [
                { name: "OAUTH2_PROXY_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: secret, key: "client-secret" } } },
                { name: "OAUTH2_PROXY_COOKIE_SECRET", valueFrom: { secretKeyRef: { name: secret, key: "cookie-secret" } } },
                // oauth2-proxy v7.12.0 has no CA option for upstreams: they use Go's default
                // transport (pkg/upstream/http.go), whose roots are the image's CA file plus every
                // PEM in SSL_CERT_DIR (crypto/x509 root_unix.go loadSystemRoots), so the OIDC
                // provider's public roots stay trusted. Read once at start; the platform root CA
                // is not rotated (components/tls).
                ...(caMounts.length ? [{ name: "SSL_CERT_DIR", value: GATE_CA_DIR }] : []),
            ],
            volumeMounts: caMounts,
            ports: [{ name: "http", containerPort: port }],
            // oauth2-proxy v7.12.0 (pkg/apis/options/options.go): `/ready` is the readiness
            // check (pkg/middleware/readynesscheck.go, the session store; cookie sessions here),
            // `/ping` the basic health check, neither calls the OIDC provider or the upstream.
            readinessProbe: readiness(httpGet("/ready", port)),
            livenessProbe: liveness(httpGet("/ping", port)),
        };
    const volumes = access.uiAuth === "basic"
        ? [
            { name: "config", configMap: { name } },
            { name: "htpasswd", secret: { secretName: secret } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ...caVolumes,
        ]
        : caVolumes;
    return [
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace: r.namespace, labels },
            spec: {
                replicas: 2,
                selector: { matchLabels: selector },
                template: {
                    metadata: {
                        labels,
                        // nginx reads its configuration once: a changed ConfigMap rolls the pods.
                        ...(access.uiAuth === "basic"
                            ? { annotations: { "checksum/config": crypto.createHash("sha256").update(gateNginxConfigFor(r)).digest("hex") } }
                            : {}),
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        // Two replicas on two nodes where there are two, and a PDB below: one
                        // drain never takes the UI away.
                        topologySpreadConstraints: spreadAcrossNodes(selector, zoneAware),
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{ ...container, resources: GATE_RESOURCES, securityContext: GATE_SECURITY }],
                        volumes,
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name, namespace: r.namespace, labels },
            spec: { selector, ports: [{ name: "http", port, targetPort: "http" }] },
        },
        drainSafePdb(name, r.namespace, selector),
    ];
}

/**
 * Who may reach a set of pods. A peer with no namespace is the pods' own namespace; `anywhere`
 * admits every source, addresses that are no pod included (the API server calling a webhook,
 * an ingress controller on the host network or a cloud load balancer, traffic to a hostPort).
 */
export interface Peer {
    readonly namespace?: string;
    readonly pods?: Record<string, string>;
    /** TCP ports on the pods; none: every port. */
    readonly ports?: readonly number[];
    /** UDP ports on the pods (the agent's Jaeger compact receiver). */
    readonly udpPorts?: readonly number[];
    readonly anywhere?: boolean;
}

/**
 * Pods in one namespace and the peers that may reach them: a data store and its consumers, a
 * UI and the ingress, a receiver and its senders, a webhook and the API server.
 */
export interface DataStore {
    /** NetworkPolicy name. */
    readonly name: string;
    readonly namespace: string;
    /** The pods it admits to; `{}` is every pod of the namespace. */
    readonly pods: Record<string, string>;
    readonly peers: readonly Peer[];
}

const PART_OF = { "app.kubernetes.io/part-of": "observability-platform" };
const namespaceNamed = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

function peerPorts(p: Peer): Record<string, any> {
    const ports = [...(p.ports ?? []).map((port) => ({ protocol: "TCP", port })), ...(p.udpPorts ?? []).map((port) => ({ protocol: "UDP", port }))];
    return ports.length ? { ports } : {};
}

/**
 * An ingress-only NetworkPolicy per path, admitting only the peers that use it. NetworkPolicies
 * add up: a pod is admitted from a source when any policy selecting it admits that source.
 */
export function dataStorePolicies(stores: readonly DataStore[]): Record<string, any>[] {
    return stores.map((store) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: store.name, namespace: store.namespace, labels: PART_OF },
        spec: {
            podSelector: Object.keys(store.pods).length ? { matchLabels: store.pods } : {},
            // Ingress only: egress is the namespaces' own policy (`egressPolicies`).
            policyTypes: ["Ingress"],
            ingress: store.peers.map((p) => ({
                ...(p.anywhere
                    ? {}
                    : {
                        from: [{
                            ...(p.namespace ? namespaceNamed(p.namespace) : {}),
                            podSelector: p.pods ? { matchLabels: p.pods } : {},
                        }],
                    }),
                ...peerPorts(p),
            })),
        },
    }));
}

/** The name of the policy that denies what no other policy admits. */
export const DEFAULT_DENY = "default-deny";

/**
 * A policy selecting every pod with no rule: every pod of the namespace is isolated for ingress
 * (and for egress with `egress`), so only what another policy admits gets through. Pods on the
 * host network (node-exporter) are not subject to NetworkPolicies at all.
 */
export function defaultDenyPolicy(namespace: string, egress: boolean): Record<string, any> {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: DEFAULT_DENY, namespace, labels: PART_OF },
        spec: { podSelector: {}, policyTypes: egress ? ["Ingress", "Egress"] : ["Ingress"] },
    };
}

export interface EgressAllowance {
    /** The platform's namespaces: every pod may call any of them (the ingress side is the fence). */
    readonly platformNamespaces: readonly string[];
    /** The API server's addresses: its endpoints are no pods, and a Service's ClusterIP is translated before policy applies. */
    readonly apiServerCidrs: readonly string[];
    /** Receivers, object stores, ACME, OIDC, the nodes: whatever the stack says it calls outside the platform. */
    readonly egressCidrs: readonly string[];
    /** Namespaces (besides the platform's) this one scrapes or calls, such as kube-system for the monitoring namespace. */
    readonly alsoNamespaces?: readonly string[];
}

/**
 * With egress restricted: DNS (kube-dns in kube-system, UDP and TCP 53), the API server, the
 * platform's namespaces, and the stack's own CIDRs. A NetworkPolicy matches addresses, never DNS
 * names, so a receiver such as hooks.slack.com is reachable only through an `egressCidrs` range.
 */
export function egressPolicy(namespace: string, a: EgressAllowance): Record<string, any> {
    const cidrs = (list: readonly string[]) => list.map((cidr) => ({ ipBlock: { cidr } }));
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-egress", namespace, labels: PART_OF },
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
                { to: cidrs(a.apiServerCidrs) },
                { to: [...a.platformNamespaces, ...(a.alsoNamespaces ?? [])].map(namespaceNamed) },
                ...(a.egressCidrs.length ? [{ to: cidrs(a.egressCidrs) }] : []),
            ],
        },
    };
}

/**
 * TLS on the monitoring path: Prometheus and Alertmanager serve HTTPS with certificates from the
 * platform CA, and everything that calls them (Prometheus itself, Grafana, the UI gates)
 * verifies that CA and a DNS name in the certificate.
 */
import { READY_CONDITION } from "../shared/await";
import { MONITORING_RELEASE } from "./release";

/** Services a client may dial; the operator's governing Services are named in v0.93 pkg/prometheus/server/statefulset.go and pkg/alertmanager/statefulset.go. */
export const MONITORING_SERVICES = {
    prometheus: { service: `${MONITORING_RELEASE}-prometheus`, governing: "prometheus-operated", port: 9090 },
    alertmanager: { service: `${MONITORING_RELEASE}-alertmanager`, governing: "alertmanager-operated", port: 9093 },
} as const;

export type TlsServer = keyof typeof MONITORING_SERVICES;

/** Secrets in the monitoring namespace, written by cert-manager. */
export const MONITORING_TLS_SECRETS = {
    prometheus: `${MONITORING_RELEASE}-prometheus-tls`,
    alertmanager: `${MONITORING_RELEASE}-alertmanager-tls`,
    /**
     * Clients read only its `ca.crt` (cert-manager's CA issuer writes the issuing CA there), so no
     * client mounts a serving key, and never the CA's own key, which stays in cert-manager's namespace.
     */
    trust: "platform-trust-monitoring",
} as const;

/** The key of the CA certificate in every cert-manager Secret. */
export const CA_KEY = "ca.crt";

/** The name clients verify: the Service's `<svc>.<ns>.svc`, also what they dial. */
export function serverName(server: TlsServer, namespace: string): string {
    return `${MONITORING_SERVICES[server].service}.${namespace}.svc`;
}

/** Every name a client may use for a Service: short, namespaced, `.svc` and the full cluster name. */
export function serviceDnsNames(service: string, namespace: string): string[] {
    return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/**
 * https URL of Prometheus or Alertmanager inside the cluster, or http when TLS is off. Nothing
 * dials a pod by its governing-Service name over HTTP: Prometheus finds Alertmanager pods by
 * their Endpoints and dials their IPs, verifying `serverName` instead.
 */
export function monitoringUrl(server: TlsServer, namespace: string, tls: boolean): string {
    return `${tls ? "https" : "http"}://${serverName(server, namespace)}:${MONITORING_SERVICES[server].port}`;
}

function certificate(name: string, namespace: string, issuer: string, dnsNames: string[], usages: string[]): Record<string, any> {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name, namespace, annotations: { ...READY_CONDITION } },
        spec: {
            secretName: name,
            dnsNames,
            usages,
            issuerRef: { name: issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
            // cert-manager renews at two thirds of the default 90 days. A new key each time; the
            // servers pick it up without a restart (see webTlsConfig).
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
    };
}

/** The serving certificates of Prometheus and Alertmanager, and the clients' trust certificate. */
export function monitoringCertificates(namespace: string, issuer: string): Record<string, any>[] {
    const serving = (server: TlsServer) => certificate(MONITORING_TLS_SECRETS[server], namespace, issuer, [
        ...serviceDnsNames(MONITORING_SERVICES[server].service, namespace),
        ...serviceDnsNames(MONITORING_SERVICES[server].governing, namespace),
    ], ["digital signature", "server auth"]);
    return [
        serving("prometheus"),
        serving("alertmanager"),
        certificate(MONITORING_TLS_SECRETS.trust, namespace, issuer, [`${MONITORING_TLS_SECRETS.trust}.${namespace}.svc`], ["digital signature", "client auth"]),
    ];
}

/**
 * `web.tlsConfig` of a Prometheus or Alertmanager (prometheus-operator v0.93 WebTLSConfig). The
 * operator mounts the whole Secret, never with subPath (pkg/webconfig/tls_credentials.go), so the
 * kubelet updates renewed files in place, and exporter-toolkit (web/tls_config.go,
 * GetConfigForClient) reads the web config and the key pair again on every new connection: a
 * renewed certificate is served without a restart or a reload. The operator also switches the
 * probes to HTTPS (pkg/prometheus/promcfg.go buildProbeHandler) and hands the same web config to
 * the config-reloader (`--web-config-file`), whose `reloader-web` port then serves TLS too and
 * which reloads through https://localhost without verifying (cmd/prometheus-config-reloader).
 */
export function webTlsConfig(server: TlsServer): Record<string, unknown> {
    const secret = MONITORING_TLS_SECRETS[server];
    return {
        tlsConfig: {
            cert: { secret: { name: secret, key: "tls.crt" } },
            keySecret: { name: secret, key: "tls.key" },
            minVersion: "TLS12",
        },
    };
}

/**
 * A scrape or alerting `tlsConfig` (SafeTLSConfig) for one of the two servers: the CA from the
 * trust Secret, which the operator copies into the generated configuration and rewrites when it
 * changes, and the Service's name, as the targets are pod IPs.
 */
export function clientTlsConfig(server: TlsServer, namespace: string): Record<string, unknown> {
    return { ca: { secret: { name: MONITORING_TLS_SECRETS.trust, key: CA_KEY } }, serverName: serverName(server, namespace) };
}

/**
 * kps 88.5.3 hardcodes `appProtocol: http` on both Services' `reloader-web` port and sets none on
 * `http-web` (templates/{prometheus,alertmanager}/service.yaml); with TLS on, both ports speak
 * HTTPS, and meshes and gateways that pick the protocol from `appProtocol` must see that.
 */
export function httpsAppProtocolTransform(args: { type: string; props: Record<string, any>; opts: Record<string, any> }) {
    const tlsServices: string[] = Object.values(MONITORING_SERVICES).map((s) => s.service);
    if (args.type.split(":").pop() !== "Service" || !tlsServices.includes(args.props?.metadata?.name)) {
        return undefined;
    }
    const ports = (args.props.spec?.ports ?? []).map((p: Record<string, unknown>) => ({ ...p, appProtocol: "https" }));
    return { props: { ...args.props, spec: { ...args.props.spec, ports } }, opts: args.opts };
}

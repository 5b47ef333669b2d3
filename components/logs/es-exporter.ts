/**
 * prometheus-community's elasticsearch_exporter, so cluster health and disk watermarks reach
 * Prometheus (ECK exposes no metrics of its own). It reads with a monitor-only user.
 */
import { ECK } from "./elasticsearch";
import { IMAGES } from "../shared/images";
import { httpGet, liveness, readiness, tcpSocket } from "../shared/probes";

export const ES_EXPORTER = "elasticsearch-exporter";
/** Where the exporter serves its metrics (its default `--web.listen-address`, :9114). */
export const ES_EXPORTER_PORT = 9114;
const LABELS = { "app.kubernetes.io/name": ES_EXPORTER, "app.kubernetes.io/part-of": "observability-platform" };

export function esExporterManifests(namespace: string, credentialsSecret: string): Record<string, any>[] {
    return [
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: ES_EXPORTER, namespace, labels: LABELS },
            spec: {
                replicas: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": ES_EXPORTER } },
                template: {
                    metadata: { labels: LABELS },
                    spec: {
                        // It reads Elasticsearch's HTTP API only.
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: "exporter",
                            image: IMAGES.elasticsearchExporter,
                            args: [
                                `--es.uri=https://${ECK.httpService}.${namespace}.svc:9200`,
                                "--es.ca=/tls/ca.crt",
                                "--es.all",
                                // Backups (backup.ts): the snapshots collector's
                                // elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds per
                                // repository, and the SLM collector's per-policy failure counters
                                // (elasticsearch_exporter v1.9.0 collector/snapshots.go, collector/slm.go;
                                // both off by default, registerCollector(..., defaultDisabled)).
                                // Without a repository both report nothing and cost one request each.
                                "--collector.snapshots",
                                "--collector.slm",
                                "--es.timeout=20s",
                            ],
                            env: [
                                { name: "ES_USERNAME", valueFrom: { secretKeyRef: { name: credentialsSecret, key: "username" } } },
                                { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: credentialsSecret, key: "password" } } },
                            ],
                            ports: [{ name: "http-metrics", containerPort: ES_EXPORTER_PORT }],
                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            // elasticsearch_exporter v1.9.0 main.go: /healthz always answers 200 and
                            // reads nothing from Elasticsearch; liveness is the listener itself.
                            readinessProbe: readiness(httpGet("/healthz", ES_EXPORTER_PORT)),
                            livenessProbe: liveness(tcpSocket(ES_EXPORTER_PORT)),
                            volumeMounts: [{ name: "tls", mountPath: "/tls", readOnly: true }],
                        }],
                        volumes: [{ name: "tls", secret: { secretName: ECK.httpPublicCertsSecret } }],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: ES_EXPORTER, namespace, labels: LABELS },
            spec: { selector: { "app.kubernetes.io/name": ES_EXPORTER }, ports: [{ name: "http-metrics", port: ES_EXPORTER_PORT, targetPort: "http-metrics" }] },
        },
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: ES_EXPORTER, namespace, labels: LABELS },
            spec: { selector: { matchLabels: { "app.kubernetes.io/name": ES_EXPORTER } }, endpoints: [{ port: "http-metrics", interval: "30s" }] },
        },
    ];
}

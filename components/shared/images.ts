/**
 * Container images the program's own manifests run, pinned; Renovate's regex manager bumps
 * them (renovate.json). Images inside Helm charts are pinned by the chart version instead.
 */
export const IMAGES = {
    fluentBit: "cr.fluentbit.io/fluent/fluent-bit:4.2.2",
    elasticsearchExporter: "quay.io/prometheuscommunity/elasticsearch-exporter:v1.9.0",
    otelCollector: "otel/opentelemetry-collector-contrib:0.148.0",
    curl: "curlimages/curl:8.17.0",
    busybox: "busybox:1.37.0",
    /** Debian-based (glibc crypt), so bcrypt htpasswd entries work. */
    nginx: "nginxinc/nginx-unprivileged:1.28.0",
    oauth2Proxy: "quay.io/oauth2-proxy/oauth2-proxy:v7.12.0",
} as const;

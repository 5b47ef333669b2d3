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
    /**
     * Graylog chart 1.0.0 would run the floating `7.0` tags; these pin the newest 7.0 patch
     * (graylog2-server tag 7.0.12, data-node/pom.xml at the same version). Server and Data Node
     * move together. Digests could not be fetched here (no registry access); add `@sha256:`
     * digests where the registry can be read.
     */
    graylog: "graylog/graylog:7.0.12",
    graylogDatanode: "graylog/graylog-datanode:7.0.12",
    /** Beside each MongoDB member (components/graylog): replica-set state for the alerts. */
    mongodbExporter: "percona/mongodb_exporter:0.53.0",
    /**
     * mongodump for the Graylog dump (components/graylog/backup.ts): the official image at the
     * MongoDB version the replica set runs (graylog/values.ts MONGODB_VERSION; a test holds them
     * together), whose Dockerfile installs mongodb-org-tools and with it mongodb-database-tools
     * (docker-library/mongo 7.0/Dockerfile, "Update 7.0 to 7.0.25", d828bd4b9). The tag is
     * unverified: no registry is reachable here.
     */
    mongodbTools: "mongo:7.0.25",
    /**
     * The dump's upload to s3, gcs or azure: the newest rclone release tag in its repository
     * (v1.75.0, July 2026; the image drops the `v`). Unverified against the registry (none is
     * reachable here).
     */
    rclone: "rclone/rclone:1.75.0",
} as const;

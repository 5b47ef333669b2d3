/**
 * The typed shape of a stack's settings and the defaults each profile supplies. A stack picks
 * a profile and overrides single keys; everything here is plain data so the README table and
 * the tests read the same numbers the program deploys.
 */

import { BUILTIN_REDACTION_NAMES, RedactionPattern } from "./redaction";

export const PROFILES = ["dev", "staging", "prod"] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * The settings whose change an operator cannot carry out on a deployed store: the storage
 * comparison (deployed.ts) refuses a change of each until it is listed in
 * `storageChangesDoneByHand`, after the README's procedure for it.
 */
export const STORAGE_CHANGE_KEYS = [
    "storageClassName",
    "metrics.prometheus.storageSize",
    "metrics.alertmanager.storageSize",
    "graylog.storageSize",
    "graylog.dataNodeReplicas",
    "graylog.mongodbStorageSize",
] as const;
export type StorageChangeKey = (typeof STORAGE_CHANGE_KEYS)[number];

export interface ResourceSettings {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface MetricsSettings {
    readonly enabled: boolean;
    readonly prometheus: {
        readonly replicas: number;
        /** How long samples are kept, in days. */
        readonly retentionDays: number;
        /** A cap on the TSDB size (Prometheus units: `45GB`); kept below the volume size. */
        readonly retentionSize: string;
        readonly storageSize: string;
        readonly resources: ResourceSettings;
    };
    readonly alertmanager: { readonly replicas: number; readonly storageSize: string; readonly resources: ResourceSettings };
    readonly grafana: {
        /** 1 only: Grafana keeps its database (SQLite) on its volume; no shared database is set up. */
        readonly replicas: number;
        /** Grafana's volume (users, tokens, UI-made dashboards, Grafana-managed alerts). */
        readonly storageSize: string;
        readonly resources: ResourceSettings;
    };
    readonly operator: {
        readonly resources: ResourceSettings;
        /**
         * Replicas of the operator's admission webhook (its own Deployment), which admits every
         * PrometheusRule and AlertmanagerConfig with `failurePolicy: Fail`: with one, a drain of
         * its node refuses those writes until the pod is back.
         */
        readonly webhookReplicas: number;
    };
    readonly kubeStateMetrics: { readonly resources: ResourceSettings };
    readonly nodeExporter: { readonly resources: ResourceSettings };
}

export const RECEIVER_TYPES = ["email", "slack", "pagerduty", "webhook"] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

export interface ReceiverSettings {
    readonly name: string;
    readonly type: ReceiverType;
    /** email: the recipient address. */
    readonly to?: string;
    /** slack: the channel, `#alerts`. */
    readonly channel?: string;
}

export interface AlertingSettings {
    readonly receivers: readonly ReceiverSettings[];
    /** Receiver for everything not critical; unset sends those alerts nowhere. */
    readonly defaultReceiver?: string;
    /** Receiver for `severity="critical"`, typically the pager; defaults to `defaultReceiver`. */
    readonly criticalReceiver?: string;
    readonly smtp?: { readonly smarthost: string; readonly from: string; readonly username?: string; readonly requireTls: boolean };
    readonly groupWait: string;
    readonly groupInterval: string;
    readonly repeatInterval: string;
}

export interface LoggingSettings {
    readonly enabled: boolean;
    readonly retentionDays: number;
    readonly elasticsearch: {
        readonly version: string;
        readonly nodes: number;
        readonly heap: string;
        readonly storageSize: string;
        readonly resources: ResourceSettings;
        /**
         * ECK's `zoneAwareness` on the nodeSet: zone-aware shard allocation, and a *required*
         * node affinity on `topology.kubernetes.io/zone`, so every node that may run
         * Elasticsearch must carry that label or its pods stay Pending. Off: zones are only a
         * preference (prod).
         */
        readonly zoneAwareness: boolean;
        /**
         * The ECK nodeSet's name. A new name makes ECK build a new nodeSet (new StatefulSet and
         * volumes, with the current storageClassName and storageSize), move the data over and
         * remove the old one: how a storage class changes or a volume shrinks.
         */
        readonly nodeSetName: string;
    };
    readonly kibana: { readonly replicas: number; readonly resources: ResourceSettings };
    readonly operator: { readonly resources: ResourceSettings };
    readonly fluentBit: {
        /** Cap on the on-node filesystem buffer, per container-log output; node-log outputs get a quarter of it. */
        readonly bufferLimit: string;
        readonly resources: ResourceSettings;
    };
    /**
     * Node and system logs: the kubelet's, the container runtime's (containerd, CRI-O) and the
     * kernel's from each node's journal, or its /var/log/syslog and /var/log/messages where it
     * has no journal, into their own data stream (components/logs/fluent-bit-config.ts).
     * Default: true in dev, staging and prod.
     */
    readonly nodeLogs: boolean;
    /**
     * Masking of configured patterns in every record before it leaves the node, for
     * Elasticsearch and Graylog alike (components/logs/redaction.ts). Default in dev, staging and
     * prod: off, with every built-in pattern chosen for when it is turned on.
     */
    readonly redaction: {
        readonly enabled: boolean;
        /** Names of the built-in patterns in use (components/settings/redaction.ts). Default: all of them. */
        readonly builtins: readonly string[];
        /** Further patterns of the stack's own. Default: none. */
        readonly patterns: readonly RedactionPattern[];
    };
}

export interface TracingSettings {
    readonly enabled: boolean;
    /** Share of traces kept by the node agents, 0–100. */
    readonly samplingPercentage: number;
    readonly retentionDays: number;
    /** `memory` keeps traces in the collector (lost on restart); `elasticsearch` uses the EFK cluster. */
    readonly storage: "memory" | "elasticsearch";
    /** Jaeger v2 instances (collector and query in one); memory storage allows only one. */
    readonly replicas: number;
    readonly resources: ResourceSettings;
    readonly agent: { readonly resources: ResourceSettings };
}

export interface GraylogSettings {
    readonly enabled: boolean;
    readonly replicas: number;
    readonly dataNodeReplicas: number;
    readonly mongodbMembers: number;
    readonly storageSize: string;
    readonly mongodbStorageSize: string;
    readonly resources: ResourceSettings;
    readonly dataNodeResources: ResourceSettings;
    /** Inputs for sources outside the cluster, beside the GELF TCP input Fluent Bit uses. */
    readonly inputs: {
        /** Syslog over TCP on port 1514. */
        readonly syslogTcp: boolean;
        /** Beats (Filebeat, Winlogbeat) on port 5044. */
        readonly beats: boolean;
        /** Client CIDRs allowed to reach them (LoadBalancer source ranges and NetworkPolicy). */
        readonly sourceRanges: readonly string[];
    };
}

export const BACKUP_REPOSITORY_TYPES = ["s3", "gcs", "azure"] as const;
export type BackupRepositoryType = (typeof BACKUP_REPOSITORY_TYPES)[number];

/** Snapshot intervals that divide a day, so the SLM cron is exact and "twice the interval" is a fixed age. */
export const BACKUP_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/** Where snapshots (and, with Graylog, MongoDB dumps) go: one bucket of an object store Elasticsearch 8 ships a plugin for. */
export interface BackupRepositorySettings {
    readonly type: BackupRepositoryType;
    /** The S3 or GCS bucket, or the Azure container. */
    readonly bucket: string;
    /** A prefix inside the bucket; unset: `observability-platform/<stack>`. */
    readonly basePath?: string;
    /** s3, gcs: a non-default service endpoint (MinIO, Ceph, a private endpoint). */
    readonly endpoint?: string;
    /** s3: the signing region, for S3-compatible stores that need one. */
    readonly region?: string;
    /** s3: path-style URLs (`https://endpoint/bucket`), which most S3-compatible stores need. */
    readonly pathStyleAccess?: boolean;
    /** gcs: the project of the bucket, when the credentials do not name it. */
    readonly projectId?: string;
    /** azure: the endpoint suffix of a sovereign cloud (`core.chinacloudapi.cn`). */
    readonly endpointSuffix?: string;
}

export interface BackupSettings {
    /** Snapshots through SLM (and the MongoDB dump) on; off needs `declinedBecause` in prod. */
    readonly enabled: boolean;
    /** Why a prod stack has no backups: required with `enabled: false` in prod, refused otherwise. */
    readonly declinedBecause?: string;
    readonly repository?: BackupRepositorySettings;
    /** Hours between snapshots (one of BACKUP_INTERVAL_HOURS); alerts fire at twice this age. */
    readonly intervalHours: number;
    /** SLM retention: snapshots older than expireAfterDays go, but never below minCount; never more than maxCount. */
    readonly retention: { readonly expireAfterDays: number; readonly minCount: number; readonly maxCount: number };
}

export interface TlsSettings {
    readonly enabled: boolean;
    /**
     * Replicas of cert-manager's webhook, which admits every cert-manager resource with
     * `failurePolicy: Fail` (fixed in the chart).
     */
    readonly webhookReplicas: number;
    /** ACME account email; with a domain, UIs get Let's Encrypt certificates. */
    readonly acmeEmail?: string;
}

export const UI_AUTH_MODES = ["basic", "oauth2-proxy"] as const;
export type UiAuthMode = (typeof UI_AUTH_MODES)[number];

export interface AccessSettings {
    /**
     * How the UIs without a login of their own (Prometheus, Alertmanager, Jaeger) are guarded:
     * `basic` puts an nginx gate with a generated password in front of each, `oauth2-proxy` an
     * oauth2-proxy against `oidc`.
     */
    readonly uiAuth: UiAuthMode;
    readonly oidc?: {
        readonly issuerUrl: string;
        readonly clientId: string;
        /** Email domains allowed in; `*` allows every account the provider authenticates. */
        readonly allowedEmailDomains: readonly string[];
    };
    /** NetworkPolicies that let only their consumers reach the data stores. */
    readonly networkPolicies: boolean;
    /**
     * Wait for each UI Ingress to get a load-balancer address (the provider's Ingress await).
     * Off by default: controllers that never publish one (many bare-metal and host-network
     * setups) would hold every update for 10 minutes and then fail it.
     */
    readonly awaitIngressStatus: boolean;
}

/** `networkPolicy`: what the platform's pods may call out to (ingress is always default-deny with `access.networkPolicies`). */
export interface NetworkPolicySettings {
    /**
     * Deny egress too, except DNS, the API server, the platform's own pods and `egressCidrs`.
     * Off by default: receivers, object stores, ACME and OIDC providers live outside the cluster
     * at addresses a NetworkPolicy cannot name (it matches no DNS names).
     */
    readonly restrictEgress: boolean;
    /** The API server's addresses (required with restrictEgress): its endpoints are not pods, so only an ipBlock admits them. */
    readonly apiServerCidrs: readonly string[];
    /** Further destinations with restrictEgress: receivers, the snapshot store, ACME, the OIDC issuer, the nodes (kubelet and node-exporter scrapes). */
    readonly egressCidrs: readonly string[];
}

export interface ProfileDefaults {
    readonly protectData: boolean;
    /** Declared by the user after checking the class: `kubectl get storageclass` shows ALLOWVOLUMEEXPANSION. */
    readonly storageClassAllowsExpansion: boolean;
    readonly storageChangesDoneByHand: readonly StorageChangeKey[];
    readonly ingressClassName: string;
    readonly metrics: MetricsSettings;
    readonly alerting: AlertingSettings;
    readonly logging: LoggingSettings;
    readonly tracing: TracingSettings;
    readonly graylog: GraylogSettings;
    readonly backup: BackupSettings;
    readonly tls: TlsSettings;
    readonly access: AccessSettings;
    readonly networkPolicy: NetworkPolicySettings;
}

function res(cpu: string, memory: string, cpuLimit: string, memoryLimit: string): ResourceSettings {
    return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * Node agents are multiplied by every node in the fleet, so together they request at most
 * 150m CPU and 256Mi memory per node (DESIGN.md, budgets). Same in every profile.
 */
const AGENTS = {
    nodeExporter: res("20m", "32Mi", "200m", "64Mi"),
    fluentBit: res("50m", "96Mi", "500m", "256Mi"),
    otelAgent: res("50m", "96Mi", "500m", "256Mi"),
};

const ALERTING: AlertingSettings = {
    receivers: [],
    groupWait: "30s",
    groupInterval: "5m",
    repeatInterval: "4h",
};

/** dev fits a laptop cluster: the whole platform requests at most 3 CPU and 6 GiB. */
const dev: ProfileDefaults = {
    protectData: false,
    storageClassAllowsExpansion: false,
    storageChangesDoneByHand: [],
    ingressClassName: "nginx",
    metrics: {
        enabled: true,
        prometheus: { replicas: 1, retentionDays: 3, retentionSize: "8GB", storageSize: "10Gi", resources: res("200m", "512Mi", "1", "1Gi") },
        alertmanager: { replicas: 1, storageSize: "1Gi", resources: res("20m", "64Mi", "100m", "128Mi") },
        grafana: { replicas: 1, storageSize: "1Gi", resources: res("50m", "128Mi", "500m", "256Mi") },
        operator: { resources: res("50m", "64Mi", "200m", "128Mi"), webhookReplicas: 1 },
        kubeStateMetrics: { resources: res("20m", "64Mi", "100m", "128Mi") },
        nodeExporter: { resources: AGENTS.nodeExporter },
    },
    alerting: ALERTING,
    logging: {
        enabled: true,
        retentionDays: 3,
        elasticsearch: { version: "8.19.19", nodes: 1, heap: "1Gi", storageSize: "10Gi", resources: res("500m", "2Gi", "1", "2Gi"), zoneAwareness: false, nodeSetName: "default" },
        kibana: { replicas: 1, resources: res("200m", "768Mi", "1", "1Gi") },
        operator: { resources: res("50m", "128Mi", "500m", "256Mi") },
        fluentBit: { bufferLimit: "1Gi", resources: AGENTS.fluentBit },
        // On everywhere: a node incident (OOM kill, eviction, a failed image pull) is read in
        // these, and the journal filter keeps them to three sources. Redaction is opt-in: it
        // costs CPU on every node for every record, and what to mask is the stack owner's call.
        nodeLogs: true,
        redaction: { enabled: false, builtins: BUILTIN_REDACTION_NAMES, patterns: [] },
    },
    tracing: {
        enabled: true,
        samplingPercentage: 100,
        retentionDays: 1,
        storage: "memory",
        replicas: 1,
        resources: res("50m", "128Mi", "500m", "512Mi"),
        agent: { resources: AGENTS.otelAgent },
    },
    graylog: {
        enabled: false,
        replicas: 1,
        dataNodeReplicas: 1,
        mongodbMembers: 1,
        storageSize: "10Gi",
        mongodbStorageSize: "5Gi",
        resources: res("200m", "1Gi", "1", "1536Mi"),
        dataNodeResources: res("500m", "2Gi", "1", "2Gi"),
        inputs: { syslogTcp: false, beats: false, sourceRanges: [] },
    },
    // Off: a laptop cluster has no object store; a stack that has one turns it on.
    backup: { enabled: false, intervalHours: 24, retention: { expireAfterDays: 7, minCount: 3, maxCount: 30 } },
    tls: { enabled: true, webhookReplicas: 1 },
    access: { uiAuth: "basic", networkPolicies: true, awaitIngressStatus: false },
    networkPolicy: { restrictEgress: false, apiServerCidrs: [], egressCidrs: [] },
};

const staging: ProfileDefaults = {
    ...dev,
    metrics: {
        ...dev.metrics,
        prometheus: { replicas: 1, retentionDays: 15, retentionSize: "45GB", storageSize: "50Gi", resources: res("500m", "2Gi", "2", "4Gi") },
        alertmanager: { ...dev.metrics.alertmanager, replicas: 2 },
        grafana: { replicas: 1, storageSize: "5Gi", resources: res("100m", "256Mi", "1", "512Mi") },
        // A webhook that fails closed runs twice wherever a drain must not block writes.
        operator: { ...dev.metrics.operator, webhookReplicas: 2 },
    },
    logging: {
        ...dev.logging,
        retentionDays: 14,
        elasticsearch: { ...dev.logging.elasticsearch, nodes: 3, heap: "2Gi", storageSize: "50Gi", resources: res("1", "4Gi", "2", "4Gi") },
    },
    tracing: { ...dev.tracing, samplingPercentage: 50, retentionDays: 7, storage: "elasticsearch", resources: res("100m", "256Mi", "1", "512Mi") },
    graylog: { ...dev.graylog, enabled: true, mongodbMembers: 3, storageSize: "50Gi" },
    tls: { ...dev.tls, webhookReplicas: 2 },
};

/** prod is sized for HA: at least two of everything that serves, three of everything that votes. */
const prod: ProfileDefaults = {
    ...staging,
    protectData: true,
    metrics: {
        ...staging.metrics,
        prometheus: { replicas: 2, retentionDays: 30, retentionSize: "180GB", storageSize: "200Gi", resources: res("1", "4Gi", "4", "8Gi") },
        alertmanager: { replicas: 3, storageSize: "2Gi", resources: res("50m", "128Mi", "200m", "256Mi") },
        // One Grafana: several replicas need a shared database (grafana.ini [database]), or
        // logins and UI-made changes land on one pod only (settings refuse more than one).
        grafana: { replicas: 1, storageSize: "5Gi", resources: res("100m", "256Mi", "1", "512Mi") },
        operator: { resources: res("100m", "128Mi", "500m", "256Mi"), webhookReplicas: 2 },
        kubeStateMetrics: { resources: res("50m", "128Mi", "200m", "256Mi") },
    },
    logging: {
        ...staging.logging,
        retentionDays: 30,
        elasticsearch: { ...staging.logging.elasticsearch, heap: "4Gi", storageSize: "200Gi", resources: res("2", "8Gi", "4", "8Gi") },
        kibana: { replicas: 2, resources: res("200m", "1Gi", "1", "1536Mi") },
    },
    tracing: { ...staging.tracing, samplingPercentage: 10, retentionDays: 14, replicas: 2 },
    // On, and refused without a repository unless declined with a reason (settings/index.ts).
    // Every 6 hours: a lost index costs at most 6 hours of logs; 30 days of snapshots, at least 5.
    backup: { enabled: true, intervalHours: 6, retention: { expireAfterDays: 30, minCount: 5, maxCount: 200 } },
    graylog: {
        ...staging.graylog,
        replicas: 3,
        dataNodeReplicas: 3,
        storageSize: "200Gi",
        mongodbStorageSize: "20Gi",
        resources: res("500m", "2Gi", "2", "3Gi"),
        dataNodeResources: res("1", "4Gi", "2", "4Gi"),
    },
};

export const PROFILE_DEFAULTS: Readonly<Record<Profile, ProfileDefaults>> = { dev, staging, prod };

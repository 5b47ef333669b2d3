/**
 * Elasticsearch snapshots the way Elastic recommends: one object-store repository and one SLM
 * policy, installed by the logging setup Job, with the store's credentials in the keystore
 * through ECK's `spec.secureSettings`. Pure builders; every body the Job sends is typed with the
 * official client's request types (@elastic/elasticsearch 8.19, lib/api/types.d.ts), so a
 * misspelt field fails `tsc` (tests/components/logs/api-types.test.ts proves it can).
 */
import type { SlmPutLifecycleRequest, SnapshotAzureRepository, SnapshotGcsRepository, SnapshotS3Repository } from "@elastic/elasticsearch/lib/api/types";
import { BackupRepositorySettings, BackupRepositoryType, BackupSettings } from "../settings/profiles";

/** The repository the policy writes to, and the name a restore reads from. */
export const SNAPSHOT_REPOSITORY = "platform-backups";
export const SLM_POLICY = "platform-snapshots";
/** The repository plugin's client whose settings and keystore entries the program writes. */
export const BACKUP_CLIENT = "platform";

/** The body of `PUT _snapshot/<repository>` (the client sends `repository` as the body). */
export type RepositoryBody = SnapshotS3Repository | SnapshotGcsRepository | SnapshotAzureRepository;

/** The body of `PUT _slm/policy/<id>`: the request without its path and query parameters, every field the platform sets required. */
export type SlmPolicyBody = Required<Pick<SlmPutLifecycleRequest, "schedule" | "name" | "repository" | "config" | "retention">>;

/** Where in the bucket this stack's snapshots go: the configured base path, or one per stack. */
export function backupBasePath(repository: BackupRepositorySettings, stack: string): string {
    return repository.basePath ?? `observability-platform/${stack}`;
}

/**
 * The repository registration. Snapshots go under `<basePath>/elasticsearch`, so the MongoDB dump
 * can share the bucket and prefix without touching the repository's own files.
 */
export function snapshotRepository(repository: BackupRepositorySettings, stack: string): RepositoryBody {
    const basePath = `${backupBasePath(repository, stack)}/elasticsearch`;
    switch (repository.type) {
        case "s3":
            return { type: "s3", settings: { bucket: repository.bucket, base_path: basePath, client: BACKUP_CLIENT } };
        case "gcs":
            return { type: "gcs", settings: { bucket: repository.bucket, base_path: basePath, client: BACKUP_CLIENT } };
        case "azure":
            return { type: "azure", settings: { container: repository.bucket, base_path: basePath, client: BACKUP_CLIENT } };
    }
}

/** SLM's cron (seconds first, Quartz-style): at minute 30 every `hours` hours, so the alert's "twice the interval" is an exact age. */
export function slmSchedule(hours: number): string {
    return hours === 24 ? "0 30 1 * * ?" : hours === 1 ? "0 30 * * * ?" : `0 30 */${hours} * * ?`;
}

/**
 * The SLM policy: the log data streams and Jaeger's indices, the cluster's global state (index
 * templates, ILM policies, persistent settings) and Kibana's feature state (its saved objects:
 * data views, dashboards, alerting rules), with retention. The platform's users are file-realm
 * users from Secrets (elasticsearch.ts), so the `security` feature state holds nothing a restore
 * needs. `ignore_unavailable`: without Jaeger on Elasticsearch its pattern matches nothing.
 */
export function slmPolicy(backup: BackupSettings, indices: readonly string[]): SlmPolicyBody {
    return {
        schedule: slmSchedule(backup.intervalHours),
        // SLM appends a unique suffix to every name it generates.
        name: "<platform-{now/d}>",
        repository: SNAPSHOT_REPOSITORY,
        config: { indices: [...indices], ignore_unavailable: true, include_global_state: true, feature_states: ["kibana"], partial: false },
        retention: { expire_after: `${backup.retention.expireAfterDays}d`, min_count: backup.retention.minCount, max_count: backup.retention.maxCount },
    };
}

/**
 * The client's settings that belong in elasticsearch.yml (not secret), on every node. A change
 * rolls the nodes: ECK hashes the nodeSet config into the pods' config-hash annotation (ECK
 * 3.5.0 nodespec/podspec.go buildAnnotations).
 */
export function repositoryClientConfig(repository: BackupRepositorySettings): Record<string, string | boolean> {
    const client = `${repository.type}.client.${BACKUP_CLIENT}`;
    const entries: Array<[string, string | boolean | undefined]> = repository.type === "s3"
        ? [["endpoint", repository.endpoint], ["region", repository.region], ["path_style_access", repository.pathStyleAccess]]
        : repository.type === "gcs"
            ? [["endpoint", repository.endpoint], ["project_id", repository.projectId]]
            : [["endpoint_suffix", repository.endpointSuffix]];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([k, v]) => [`${client}.${k}`, v as string | boolean]));
}

/** `backupSecrets` key -> the repository plugin's secure (keystore-only) client setting. */
const KEYSTORE_SETTINGS: Readonly<Record<BackupRepositoryType, Readonly<Record<string, string>>>> = {
    s3: { accessKey: "access_key", secretKey: "secret_key", sessionToken: "session_token" },
    gcs: { credentialsJson: "credentials_file" },
    azure: { account: "account", key: "key", sasToken: "sas_token" },
};

/**
 * The keystore entries, as the data of the Secret that `spec.secureSettings` names: ECK copies
 * every key of it into each node's keystore by an init container at pod start (ECK 3.5.0
 * common/keystore), and hashes the data into the pods' config-hash, so a changed credential
 * rolls the nodes; it never calls `_nodes/reload_secure_settings`.
 */
export function keystoreEntries(type: BackupRepositoryType, secrets: Readonly<Record<string, string | undefined>>): Record<string, string> {
    return Object.fromEntries(Object.entries(KEYSTORE_SETTINGS[type])
        .filter(([key]) => secrets[key] !== undefined)
        .map(([key, setting]) => [`${type}.client.${BACKUP_CLIENT}.${setting}`, secrets[key] as string]));
}

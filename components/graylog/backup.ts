/**
 * Graylog's configuration (streams, pipelines, inputs, users, index sets: its MongoDB database)
 * dumped on a schedule into the object store that holds the Elasticsearch snapshots (README
 * "Backup and restore"). A CronJob in the Graylog namespace: an init container runs `mongodump
 * --archive --gzip` as a user with MongoDB's built-in `backup` role into an emptyDir, then rclone
 * uploads the archive under `<basePath>/mongodb/` and deletes the dumps past the retention. rclone
 * over each cloud's own CLI: one pinned image and one script speak s3, gcs and azure, configured
 * from environment variables alone (rclone v1.75.0 fs/config.go ConfigToEnv:
 * `RCLONE_CONFIG_<REMOTE>_<OPTION>`), so no config file is written. Pure builders.
 */
import { BackupRepositorySettings, BackupSettings } from "../settings/profiles";
import { restrictedPod, RESTRICTED_CONTAINER } from "../shared/pod-security";
import { IMAGES } from "../shared/images";
import { EPHEMERAL_STORAGE } from "../shared/workloads";
import { MONGODB_BACKUP_USER, MONGODB_NAME } from "./values";

export const MONGODB_DUMP_CRONJOB = "graylog-mongodb-dump";
/** The object store's credentials, as the rclone environment variables that carry them. */
export const DUMP_CREDENTIALS_SECRET = "graylog-backup-credentials";
/** The rclone remote the environment defines. */
const REMOTE = "store";
/** Dump names sort by time: `graylog-20261202T064500Z.archive.gz`. */
export const DUMP_PREFIX = "graylog-";
export const DUMP_SUFFIX = ".archive.gz";

/** What the Graylog pillar needs to dump to the stack's object store (platform.ts passes it). */
export interface GraylogDumpSettings {
    readonly repository: BackupRepositorySettings;
    /** The stack's prefix in the bucket (components/logs/backup.ts backupBasePath): dumps go under `<basePath>/mongodb`. */
    readonly basePath: string;
    readonly intervalHours: BackupSettings["intervalHours"];
    readonly retention: BackupSettings["retention"];
}

/**
 * At minute 45 every `hours` hours (UTC, `spec.timeZone`): a quarter hour after the SLM snapshot
 * (minute 30), so the two never start together, and the alert's "twice the interval" is exact.
 */
export function dumpSchedule(hours: number): string {
    return hours === 24 ? "45 1 * * *" : hours === 1 ? "45 * * * *" : `45 */${hours} * * *`;
}

/** The dump's folder in the bucket, without the remote. */
export function dumpPath(d: GraylogDumpSettings): string {
    return `${d.repository.bucket}/${d.basePath}/mongodb`;
}

/**
 * rclone's settings for the remote that are not secret (environment of the upload container).
 * s3 without an endpoint is AWS; with one, `Other` (MinIO, Ceph): the generic S3 dialect, as
 * Elasticsearch's s3 plugin speaks it. rclone needs a scheme where Elasticsearch defaults to
 * https. `no_check_bucket`/`no_check_container`: the bucket exists (as for Elasticsearch), and
 * the credentials need no right to create one. gcs `bucket_policy_only`: no object ACLs, which a
 * bucket with uniform access refuses (rclone googlecloudstorage.go sets them only without it).
 */
export function rcloneRemoteEnv(repository: BackupRepositorySettings): Record<string, string> {
    const key = (option: string) => `RCLONE_CONFIG_${REMOTE.toUpperCase()}_${option.toUpperCase()}`;
    const withScheme = (endpoint: string) => (/^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`);
    const entries: Array<[string, string | undefined]> = repository.type === "s3"
        ? [
            ["type", "s3"],
            ["provider", repository.endpoint === undefined ? "AWS" : "Other"],
            ["endpoint", repository.endpoint === undefined ? undefined : withScheme(repository.endpoint)],
            ["region", repository.region],
            ["force_path_style", repository.pathStyleAccess === undefined ? undefined : String(repository.pathStyleAccess)],
            ["no_check_bucket", "true"],
        ]
        : repository.type === "gcs"
            ? [
                ["type", "google cloud storage"],
                ["endpoint", repository.endpoint],
                ["project_number", repository.projectId],
                ["bucket_policy_only", "true"],
                ["no_check_bucket", "true"],
            ]
            : [["type", "azureblob"], ["no_check_container", "true"]];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([k, v]) => [key(k), v as string]));
}

/**
 * The Secret's data: `backupSecrets` as rclone's secret options (backend/s3 `access_key_id`,
 * `secret_access_key`, `session_token`; googlecloudstorage `service_account_credentials`;
 * azureblob/auth `account`, `key`, or `sas_url`, a URL where Elasticsearch takes the bare SAS
 * token). Azure's endpoint names the account, itself a secret here, so it goes in too.
 */
export function rcloneSecretEnv(repository: BackupRepositorySettings, secrets: Readonly<Record<string, string | undefined>>): Record<string, string> {
    const key = (option: string) => `RCLONE_CONFIG_${REMOTE.toUpperCase()}_${option.toUpperCase()}`;
    const pick = (pairs: Array<[string, string | undefined]>) =>
        Object.fromEntries(pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [key(k), v as string]));
    switch (repository.type) {
        case "s3":
            return pick([["access_key_id", secrets.accessKey], ["secret_access_key", secrets.secretKey], ["session_token", secrets.sessionToken]]);
        case "gcs":
            return pick([["service_account_credentials", secrets.credentialsJson]]);
        case "azure": {
            const host = `https://${secrets.account}.blob.${repository.endpointSuffix ?? "core.windows.net"}`;
            const sasUrl = secrets.sasToken === undefined ? undefined : `${host}/${repository.bucket}?${secrets.sasToken.replace(/^\?/, "")}`;
            return sasUrl === undefined
                ? pick([["account", secrets.account], ["key", secrets.key], ["endpoint", repository.endpointSuffix === undefined ? undefined : host]])
                : pick([["sas_url", sasUrl]]);
        }
    }
}

/**
 * The upload: copy the archive under a name that sorts by time, then apply the retention as SLM
 * does (components/logs/backup.ts slmPolicy): a dump older than `expireAfterDays` goes unless it
 * is among the newest `minCount`, and never more than `maxCount` are kept. `set -eu`: a failed
 * upload fails the Job (the alert), and nothing is deleted after it.
 */
export function uploadScript(d: GraylogDumpSettings): string {
    const dest = `${REMOTE}:${dumpPath(d)}`;
    const include = `--include '${DUMP_PREFIX}*${DUMP_SUFFIX}'`;
    return [
        "set -eu",
        `dest='${dest}'`,
        `name="${DUMP_PREFIX}$(date -u +%Y%m%dT%H%M%SZ)${DUMP_SUFFIX}"`,
        `rclone copyto /dump/graylog${DUMP_SUFFIX} "$dest/$name"`,
        "echo \"uploaded $dest/$name\"",
        `rclone lsf --files-only ${include} "$dest" | sort -r > /tmp/all`,
        `rclone lsf --files-only ${include} --min-age ${d.retention.expireAfterDays}d "$dest" > /tmp/old`,
        "i=0",
        "while read -r f; do",
        "  i=$((i + 1))",
        `  if [ "$i" -gt ${d.retention.maxCount} ] || { [ "$i" -gt ${d.retention.minCount} ] && grep -qxF "$f" /tmp/old; }; then`,
        "    rclone deletefile \"$dest/$f\" && echo \"deleted $f\"",
        "  fi",
        "done < /tmp/all",
        "",
    ].join("\n");
}

/**
 * The dump: mongodump reads the password from a config file (mongodb-database-tools `--config`),
 * so it never appears in a process's arguments; the file lives in a memory-backed emptyDir.
 * A secondary where there is one, so the primary serves Graylog undisturbed.
 */
export function dumpScript(namespace: string): string {
    const uri = `mongodb://${MONGODB_NAME}-svc.${namespace}.svc.cluster.local:27017/?replicaSet=${MONGODB_NAME}&authSource=admin&readPreference=secondaryPreferred`;
    return [
        "set -eu",
        "umask 077",
        "printf 'password: \"%s\"\\n' \"$MONGODB_PASSWORD\" > /run/mongodump/config.yaml",
        `mongodump --config=/run/mongodump/config.yaml --uri='${uri}' --username=${MONGODB_BACKUP_USER} --db=graylog --archive=/dump/graylog${DUMP_SUFFIX} --gzip`,
        "rm /run/mongodump/config.yaml",
        "umask 022",
        `chmod 0644 /dump/graylog${DUMP_SUFFIX}`,
        "",
    ].join("\n");
}

/** mongo's Dockerfile (docker-library/mongo 7.0): `useradd --uid 999 mongodb`. */
const MONGO_UID = 999;
/** rclone's Dockerfile (v1.75.0): `adduser -u 1009 rclone`. */
const RCLONE_UID = 1009;

/**
 * The CronJob. `Forbid`: a dump still running when the next is due is not joined by a second.
 * `startingDeadlineSeconds`: a schedule missed while the controller was down still runs within
 * the hour, later ones wait for the next slot. `restartPolicy: Never` with `backoffLimit: 2`:
 * each failed attempt is a failed pod (`status.failed`, what the alert reads) and the Job gives
 * up after three; its pods and logs stay with the failed Jobs the history keeps. No TTL: the
 * history limits prune, and a TTL would delete the failed Job the alert reads.
 */
export function mongodbDumpCronJob(namespace: string, passwordsSecret: string, d: GraylogDumpSettings): Record<string, any> {
    const labels = { "app.kubernetes.io/name": MONGODB_DUMP_CRONJOB };
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: MONGODB_DUMP_CRONJOB, namespace, labels },
        spec: {
            schedule: dumpSchedule(d.intervalHours),
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels },
                spec: {
                    backoffLimit: 2,
                    activeDeadlineSeconds: 3600,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            // It talks to MongoDB and the object store, never to the Kubernetes API.
                            automountServiceAccountToken: false,
                            // The archive is written by the mongo image's user and read by rclone's: the pod's group owns the volume.
                            securityContext: restrictedPod(RCLONE_UID, RCLONE_UID),
                            initContainers: [{
                                name: "mongodump",
                                image: IMAGES.mongodbTools,
                                command: ["sh", "-c", dumpScript(namespace)],
                                env: [{ name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: passwordsSecret, key: MONGODB_BACKUP_USER } } }],
                                securityContext: { ...RESTRICTED_CONTAINER, runAsUser: MONGO_UID, runAsGroup: RCLONE_UID },
                                // Its limit covers the archive it writes into the `dump` emptyDir (up to its 1Gi sizeLimit) beside its logs.
                                resources: { requests: { cpu: "50m", memory: "128Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "2Gi" } },
                                volumeMounts: [{ name: "dump", mountPath: "/dump" }, { name: "credentials", mountPath: "/run/mongodump" }],
                            }],
                            containers: [{
                                name: "upload",
                                image: IMAGES.rclone,
                                command: ["sh", "-c", uploadScript(d)],
                                env: [
                                    ...Object.entries(rcloneRemoteEnv(d.repository)).map(([name, value]) => ({ name, value })),
                                    // rclone v1.75.0 fs/config/config.go SetConfigPath: the null device is an in-memory config.
                                    { name: "RCLONE_CONFIG", value: "/dev/null" },
                                    { name: "RCLONE_CACHE_DIR", value: "/tmp/rclone" },
                                    { name: "HOME", value: "/tmp" },
                                ],
                                envFrom: [{ secretRef: { name: DUMP_CREDENTIALS_SECRET } }],
                                securityContext: { ...RESTRICTED_CONTAINER, runAsUser: RCLONE_UID, runAsGroup: RCLONE_UID },
                                resources: { requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "1", memory: "256Mi", "ephemeral-storage": EPHEMERAL_STORAGE.emptyDirLimit } },
                                volumeMounts: [{ name: "dump", mountPath: "/dump", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                            }],
                            volumes: [
                                // Graylog's configuration compresses to megabytes; the limit leaves room for large content packs.
                                { name: "dump", emptyDir: { sizeLimit: "1Gi" } },
                                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                { name: "credentials", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                            ],
                        },
                    },
                },
            },
        },
    };
}

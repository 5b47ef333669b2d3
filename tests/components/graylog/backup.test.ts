/**
 * Issue 26, item 6: Graylog's configuration (its MongoDB database) is dumped on a schedule into
 * the object store of the Elasticsearch snapshots, as a user that may only back up, with the
 * credentials in Secrets, and kept for the snapshots' retention.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    DUMP_CREDENTIALS_SECRET, dumpSchedule, GraylogDumpSettings, MONGODB_DUMP_CRONJOB, rcloneRemoteEnv, rcloneSecretEnv, uploadScript,
} from "../../../components/graylog/backup";
import { MONGODB_BACKUP_USER, MONGODB_PASSWORDS_SECRET, MONGODB_VERSION, mongodbManifest } from "../../../components/graylog/values";
import { buildSettings } from "../../../components/settings";
import { IMAGES } from "../../../components/shared/images";
import { MOCK_SECRET_PREFIX, ProgramRun, runProgram } from "../../../scripts/mock-program";
import { renderRun } from "../../../scripts/render";
import { profileConfig } from "../../helpers/settings";
import { stackRun } from "../../helpers/program";
import { tempDir } from "../../helpers/tools";

const cronJobOf = (run: ProgramRun) => run.resources.find((r) => r.inputs.kind === "CronJob" && r.inputs.metadata?.name === MONGODB_DUMP_CRONJOB);
const credentialsOf = (run: ProgramRun) => run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === DUMP_CREDENTIALS_SECRET);
const S3 = { type: "s3", bucket: "observability-backups-example", region: "eu-west-1" } as const;
const DUMP: GraylogDumpSettings = { repository: S3, basePath: "observability-platform/prod", intervalHours: 6, retention: { expireAfterDays: 30, minCount: 5, maxCount: 200 } };

describe("Graylog's MongoDB dump", () => {
    describe("prod (backups on, Graylog on)", () => {
        it("a CronJob in the graylog namespace dumps every 6 hours at minute 45 UTC, one run at a time, retried twice, its history kept", async () => {
            const cron = cronJobOf(await stackRun("prod"))!;
            assert.ok(cron, "the CronJob is declared");
            const spec = cron.inputs.spec;
            assert.strictEqual(cron.inputs.metadata.namespace, "graylog");
            assert.deepStrictEqual([spec.schedule, spec.timeZone, spec.concurrencyPolicy], ["45 */6 * * *", "Etc/UTC", "Forbid"]);
            assert.ok(spec.startingDeadlineSeconds > 0 && spec.startingDeadlineSeconds <= 3600);
            assert.deepStrictEqual([spec.jobTemplate.spec.backoffLimit, spec.successfulJobsHistoryLimit, spec.failedJobsHistoryLimit], [2, 3, 3]);
            assert.strictEqual(spec.jobTemplate.spec.ttlSecondsAfterFinished, undefined, "no TTL deletes the failed Job the alert reads");
            assert.strictEqual(spec.jobTemplate.spec.template.spec.restartPolicy, "Never");
        });

        it("mongodump runs first into an emptyDir, then rclone uploads under <basePath>/mongodb of the snapshots' bucket", async () => {
            const pod = cronJobOf(await stackRun("prod"))!.inputs.spec.jobTemplate.spec.template.spec;
            assert.deepStrictEqual(pod.initContainers.map((c: any) => [c.name, c.image]), [["mongodump", IMAGES.mongodbTools]]);
            assert.deepStrictEqual(pod.containers.map((c: any) => [c.name, c.image]), [["upload", IMAGES.rclone]]);
            const dump: string = pod.initContainers[0].command.join(" ");
            assert.match(dump, /mongodump --config=\/run\/mongodump\/config\.yaml --uri='mongodb:\/\/graylog-mongodb-svc\.graylog\.svc\.cluster\.local:27017\/\?replicaSet=graylog-mongodb&authSource=admin&readPreference=secondaryPreferred' --username=backup --db=graylog --archive=\/dump\/graylog\.archive\.gz --gzip/);
            const upload: string = pod.containers[0].command.join(" ");
            assert.match(upload, /dest='store:observability-backups-example\/observability-platform\/prod\/mongodb'/);
            assert.match(upload, /--min-age 30d/);
            assert.deepStrictEqual(pod.volumes.map((v: any) => v.name), ["dump", "tmp", "credentials"]);
            assert.ok(pod.volumes.every((v: any) => v.emptyDir?.sizeLimit), "only size-limited emptyDirs");
            assert.strictEqual(pod.volumes.find((v: any) => v.name === "credentials").emptyDir.medium, "Memory", "the password file never touches the disk");
        });

        it("runs restricted: non-root, RuntimeDefault seccomp, no capability, read-only root, no service account token, ephemeral storage requested and limited", async () => {
            const pod = cronJobOf(await stackRun("prod"))!.inputs.spec.jobTemplate.spec.template.spec;
            assert.strictEqual(pod.automountServiceAccountToken, false);
            assert.deepStrictEqual([pod.securityContext.runAsNonRoot, pod.securityContext.seccompProfile], [true, { type: "RuntimeDefault" }]);
            for (const c of [...pod.initContainers, ...pod.containers]) {
                assert.deepStrictEqual([c.securityContext.allowPrivilegeEscalation, c.securityContext.readOnlyRootFilesystem, c.securityContext.capabilities], [false, true, { drop: ["ALL"] }], c.name);
                assert.ok(c.securityContext.runAsUser > 0, `${c.name} runs as its image's user, not root`);
                assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory, c.name);
                assert.ok(c.resources.requests["ephemeral-storage"] && c.resources.limits["ephemeral-storage"], `${c.name} ephemeral storage`);
            }
        });

        it("reads every credential from Secrets: the backup user's password by reference, the object store's through envFrom; none is in the CronJob or the render", async () => {
            const run = await stackRun("prod");
            const cron = cronJobOf(run)!;
            const pod = cron.inputs.spec.jobTemplate.spec.template.spec;
            assert.deepStrictEqual(pod.initContainers[0].env, [{ name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: MONGODB_PASSWORDS_SECRET, key: MONGODB_BACKUP_USER } } }]);
            assert.deepStrictEqual(pod.containers[0].envFrom, [{ secretRef: { name: DUMP_CREDENTIALS_SECRET } }]);
            const mongodump = pod.initContainers[0].command[2].split("\n").find((l: string) => l.startsWith("mongodump "));
            assert.ok(!/password/i.test(mongodump), "the password reaches mongodump through its config file, never its arguments");
            assert.ok(!JSON.stringify(cron.inputs).includes(MOCK_SECRET_PREFIX), "no secret value in the CronJob");
            const secret = credentialsOf(run)!;
            assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), ["RCLONE_CONFIG_STORE_ACCESS_KEY_ID", "RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY"]);
            assert.ok(secret.secretPaths.some((p) => p[0] === "stringData"), "the Secret's data is a Pulumi secret");
            assert.ok(cron.dependsOn.includes(secret.urn), "the credentials exist before the first run");
            const rendered = (await renderRun(run)).files.filter((f) => f.path.startsWith("manifests/graylog/")).map((f) => f.content).join("\n");
            assert.ok(rendered.includes(`name: ${MONGODB_DUMP_CRONJOB}`));
            assert.ok(!rendered.includes(MOCK_SECRET_PREFIX), "a secret value reached the rendered graylog manifests");
        });

        it("the backup user holds MongoDB's built-in backup role and nothing else; its password is generated beside the others", async () => {
            const g = buildSettings({ stack: "prod", config: profileConfig("prod") }).graylog;
            const user = mongodbManifest("graylog", g, MONGODB_VERSION).spec.users.find((u: any) => u.name === MONGODB_BACKUP_USER);
            assert.deepStrictEqual(user, {
                name: "backup", db: "admin", passwordSecretRef: { name: MONGODB_PASSWORDS_SECRET, key: "backup" },
                roles: [{ name: "backup", db: "admin" }], scramCredentialsSecretName: "graylog-mongodb-backup",
            });
            const run = await stackRun("prod");
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === MONGODB_PASSWORDS_SECRET)!;
            assert.strictEqual(secret.inputs.stringData[MONGODB_BACKUP_USER], `${MOCK_SECRET_PREFIX}random-observability-graylog-mongodb-backup`);
        });
    });

    describe("alerts", () => {
        it("prod's Prometheus rules watch the CronJob the program declares, at twice and four times its interval", async () => {
            const run = await stackRun("prod");
            const groups = run.resources.filter((r) => r.inputs.kind === "PrometheusRule").flatMap((r) => r.inputs.spec.groups);
            const group = groups.find((g: any) => g.name === "platform.graylog-backup");
            assert.ok(group, groups.map((g: any) => g.name).join(", "));
            const stale = group.rules.filter((r: any) => r.alert === "GraylogMongoDBDumpStale");
            assert.deepStrictEqual(stale.map((r: any) => [r.labels.severity, /> (\d+)$/.exec(r.expr)![1]]), [["warning", String(12 * 3600)], ["critical", String(24 * 3600)]]);
            for (const r of group.rules) {
                assert.ok(r.expr.includes(`"${MONGODB_DUMP_CRONJOB}"`) && r.expr.includes('namespace="graylog"'), r.alert);
            }
            assert.ok(!(await stackRun("staging")).resources.filter((r) => r.inputs.kind === "PrometheusRule")
                .some((r) => r.inputs.spec.groups.some((g: any) => g.name === "platform.graylog-backup")), "staging has no dump, so no dump rules");
        });
    });

    describe("other profiles and settings", () => {
        it("dev (no Graylog) and staging (backups off) have no dump and no credentials Secret", async () => {
            for (const stack of ["dev", "staging"]) {
                const run = await stackRun(stack);
                assert.strictEqual(cronJobOf(run), undefined, stack);
                assert.strictEqual(credentialsOf(run), undefined, stack);
            }
        });

        it("staging with a repository dumps daily at 01:45, keeping its own retention, under its own base path", async () => {
            const run = await runProgram("staging", {
                config: {
                    "observability-platform:backup": JSON.stringify({ enabled: true, repository: { ...S3, basePath: "team-a/staging" } }),
                    "observability-platform:backupSecrets": JSON.stringify({ accessKey: `${MOCK_SECRET_PREFIX}a`, secretKey: `${MOCK_SECRET_PREFIX}b` }),
                },
            });
            const spec = cronJobOf(run)!.inputs.spec;
            assert.strictEqual(spec.schedule, "45 1 * * *");
            const upload: string = spec.jobTemplate.spec.template.spec.containers[0].command.join(" ");
            assert.match(upload, /store:observability-backups-example\/team-a\/staging\/mongodb/);
            assert.match(upload, /--min-age 7d/);
            assert.match(upload, /-gt 30 \] \|\| \{ \[ "\$i" -gt 3 \]/);
        });

        it("prod with backups declined, or without Graylog, has no dump", async () => {
            const declined = await runProgram("prod", { config: { "observability-platform:backup": JSON.stringify({ enabled: false, declinedBecause: "a replica cluster in eu-west-2 holds the same data" }) } });
            assert.strictEqual(cronJobOf(declined), undefined);
            const noGraylog = await runProgram("prod", { config: { "observability-platform:graylog": JSON.stringify({ enabled: false }) } });
            assert.strictEqual(cronJobOf(noGraylog), undefined);
        });

        it("the schedule runs at minute 45 every intervalHours hours, a quarter hour after the SLM snapshot", () => {
            assert.deepStrictEqual([1, 6, 24].map(dumpSchedule), ["45 * * * *", "45 */6 * * *", "45 1 * * *"]);
        });

        it("runs mongodump at the MongoDB version of the replica set, from a pinned image", () => {
            assert.strictEqual(IMAGES.mongodbTools, `mongo:${MONGODB_VERSION}`);
            assert.match(IMAGES.rclone, /^rclone\/rclone:\d+\.\d+\.\d+$/);
        });
    });

    describe("rclone's remote per repository type", () => {
        it("s3: AWS without an endpoint; with one, the generic dialect over https unless told otherwise, path style as configured", () => {
            assert.deepStrictEqual(rcloneRemoteEnv(S3), {
                RCLONE_CONFIG_STORE_TYPE: "s3", RCLONE_CONFIG_STORE_PROVIDER: "AWS", RCLONE_CONFIG_STORE_REGION: "eu-west-1", RCLONE_CONFIG_STORE_NO_CHECK_BUCKET: "true",
            });
            const minio = rcloneRemoteEnv({ type: "s3", bucket: "b-1", endpoint: "minio.storage.svc:9000", pathStyleAccess: true });
            assert.deepStrictEqual([minio.RCLONE_CONFIG_STORE_PROVIDER, minio.RCLONE_CONFIG_STORE_ENDPOINT, minio.RCLONE_CONFIG_STORE_FORCE_PATH_STYLE], ["Other", "https://minio.storage.svc:9000", "true"]);
            assert.strictEqual(rcloneRemoteEnv({ type: "s3", bucket: "b-1", endpoint: "http://minio:9000" }).RCLONE_CONFIG_STORE_ENDPOINT, "http://minio:9000");
            assert.deepStrictEqual(rcloneSecretEnv(S3, { accessKey: "k", secretKey: "s", sessionToken: "t" }),
                { RCLONE_CONFIG_STORE_ACCESS_KEY_ID: "k", RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY: "s", RCLONE_CONFIG_STORE_SESSION_TOKEN: "t" });
        });

        it("gcs: the service account's JSON, no object ACLs, the project when given", () => {
            const gcs = { type: "gcs", bucket: "b-1", projectId: "my-project-1" } as const;
            assert.deepStrictEqual(rcloneRemoteEnv(gcs), {
                RCLONE_CONFIG_STORE_TYPE: "google cloud storage", RCLONE_CONFIG_STORE_PROJECT_NUMBER: "my-project-1", RCLONE_CONFIG_STORE_BUCKET_POLICY_ONLY: "true", RCLONE_CONFIG_STORE_NO_CHECK_BUCKET: "true",
            });
            assert.deepStrictEqual(rcloneSecretEnv(gcs, { credentialsJson: "{}" }), { RCLONE_CONFIG_STORE_SERVICE_ACCOUNT_CREDENTIALS: "{}" });
        });

        it("azure: account and key, or the SAS token as the container's SAS URL, on a sovereign cloud's suffix when set", () => {
            const azure = { type: "azure", bucket: "backups", endpointSuffix: "core.chinacloudapi.cn" } as const;
            assert.deepStrictEqual(rcloneRemoteEnv(azure), { RCLONE_CONFIG_STORE_TYPE: "azureblob", RCLONE_CONFIG_STORE_NO_CHECK_CONTAINER: "true" });
            assert.deepStrictEqual(rcloneSecretEnv(azure, { account: "acct", key: "k" }),
                { RCLONE_CONFIG_STORE_ACCOUNT: "acct", RCLONE_CONFIG_STORE_KEY: "k", RCLONE_CONFIG_STORE_ENDPOINT: "https://acct.blob.core.chinacloudapi.cn" });
            assert.deepStrictEqual(rcloneSecretEnv({ type: "azure", bucket: "backups" }, { account: "acct", sasToken: "?sv=2022&sig=x" }),
                { RCLONE_CONFIG_STORE_SAS_URL: "https://acct.blob.core.windows.net/backups?sv=2022&sig=x" });
        });
    });

    describe("the upload script, run with a stand-in rclone over a directory", () => {
        const dir = tempDir("graylog-dump");
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        /**
         * `rclone` as the script calls it: copyto, lsf (with --min-age in days, read from the
         * stand-in's age file) and deletefile, over `<dir>/store`. Returns the names left.
         */
        function runUpload(existing: Record<string, number>, retention: GraylogDumpSettings["retention"], failUpload = false): { status: number | null; left: string[]; output: string } {
            const root = fs.mkdtempSync(path.join(dir, "run-"));
            const store = path.join(root, "store");
            fs.mkdirSync(store);
            fs.mkdirSync(path.join(root, "dump"));
            fs.mkdirSync(path.join(root, "bin"));
            fs.writeFileSync(path.join(root, "dump", "graylog.archive.gz"), "archive");
            for (const [name, days] of Object.entries(existing)) {
                fs.writeFileSync(path.join(store, name), String(days));
            }
            fs.writeFileSync(path.join(root, "bin", "rclone"), [
                "#!/bin/sh",
                `store='${store}'`,
                "cmd=$1; shift",
                "case $cmd in",
                `  copyto) ${failUpload ? "exit 1;" : ""} cp "$1" "$store/$(basename "$2")"; echo 0 > "$store/$(basename "$2")" ;;`,
                "  lsf) min=-1",
                "       while [ $# -gt 0 ]; do if [ \"$1\" = --min-age ]; then min=${2%d}; fi; shift; done",
                "       for f in \"$store\"/*; do if [ \"$min\" -lt 0 ] || [ \"$(cat \"$f\")\" -ge \"$min\" ]; then basename \"$f\"; fi; done ;;",
                "  deletefile) rm \"$store/$(basename \"$1\")\" ;;",
                "esac",
            ].join("\n"), { mode: 0o755 });
            const script = uploadScript({ ...DUMP, retention }).replaceAll("/dump/", `${root}/dump/`).replaceAll("/tmp/", `${root}/`);
            const r = spawnSync("sh", ["-c", script], { env: { PATH: `${path.join(root, "bin")}:${process.env.PATH}` }, encoding: "utf8" });
            return { status: r.status, left: fs.readdirSync(store).sort(), output: `${r.stdout}${r.stderr}` };
        }

        it("uploads the new dump and deletes those past expireAfterDays, but never below minCount", () => {
            const existing = {
                "graylog-20261001T064500Z.archive.gz": 60, "graylog-20261002T064500Z.archive.gz": 59,
                "graylog-20261120T064500Z.archive.gz": 12, "graylog-20261121T064500Z.archive.gz": 11,
            };
            const r = runUpload(existing, { expireAfterDays: 30, minCount: 2, maxCount: 200 });
            assert.strictEqual(r.status, 0, r.output);
            assert.strictEqual(r.left.length, 3, r.left.join(", "));
            assert.deepStrictEqual(r.left.slice(0, 2), ["graylog-20261120T064500Z.archive.gz", "graylog-20261121T064500Z.archive.gz"]);
            assert.match(r.left[2], /^graylog-\d{8}T\d{6}Z\.archive\.gz$/);
            const keptOld = runUpload(existing, { expireAfterDays: 30, minCount: 5, maxCount: 200 });
            assert.strictEqual(keptOld.left.length, 5, "five or fewer dumps are all kept, however old");
        });

        it("keeps no more than maxCount, and deletes nothing when the upload fails", () => {
            const existing = Object.fromEntries([1, 2, 3, 4].map((d) => [`graylog-2026112${d}T064500Z.archive.gz`, 5 - d]));
            const capped = runUpload(existing, { expireAfterDays: 30, minCount: 1, maxCount: 3 });
            assert.deepStrictEqual(capped.left.slice(0, 2), ["graylog-20261123T064500Z.archive.gz", "graylog-20261124T064500Z.archive.gz"]);
            assert.strictEqual(capped.left.length, 3);
            const failed = runUpload({ "graylog-20261001T064500Z.archive.gz": 60 }, { expireAfterDays: 30, minCount: 1, maxCount: 200 }, true);
            assert.notStrictEqual(failed.status, 0);
            assert.deepStrictEqual(failed.left, ["graylog-20261001T064500Z.archive.gz"]);
        });
    });
});

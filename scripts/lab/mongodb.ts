/**
 * A stand-in for the MongoDB community operator in the lab. The operator's module
 * (github.com/mongodb/mongodb-kubernetes 1.9.1) is refused by the Go module proxy (403), so the
 * lab builds what it would build for each MongoDBCommunity, as read in its source at 1.9.1
 * (mongodb-community-operator/controllers/construct/mongodbstatefulset.go, replica_set_controller.go):
 *   - a StatefulSet named after the resource, selector and pod labels `app: <name>-svc`, its
 *     containers, init containers, security contexts, volumes and claim templates, with
 *     `spec.statefulSet.spec` merged in the operator's way (lists by name, claim templates by
 *     `metadata.name`);
 *   - the `<name>-arb` arbiters' StatefulSet, at zero replicas;
 *   - the headless Service `<name>-svc`;
 *   - status: `Running` with `version` and the member counts once every member is Ready, else
 *     `Pending` (the operator has no observedGeneration).
 * What the lab loses: the operator's own reconcile (automation config, users, TLS, a refused
 * StatefulSet update putting the resource in `Failed`). Its pods' Pod Security and scheduling are
 * exercised as the operator would shape them.
 */
import { Lab } from "./kube";

type Obj = Record<string, any>;

const IMAGES = {
    hook: "quay.io/mongodb/mongodb-kubernetes-operator-version-upgrade-post-start-hook:1.0.10",
    probe: "quay.io/mongodb/mongodb-kubernetes-readinessprobe:1.0.24",
    agent: "quay.io/mongodb/mongodb-agent:108.0.2.8729-1",
};

const RESOURCES = { limits: { cpu: "1", memory: "500M" }, requests: { cpu: "500m", memory: "400M" } };
const CONTAINER_SECURITY = { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

function baseStatefulSet(mdb: Obj, name: string, replicas: number): Obj {
    const n = mdb.metadata.name;
    const mount = (volume: string, at: string) => ({ name: volume, mountPath: at });
    const shared = [mount("data-volume", "/data"), mount(`${n}-keyfile`, "/var/lib/mongodb-mms-automation/authentication"), mount("logs-volume", "/var/log/mongodb-mms-automation"), mount("tmp", "/tmp")];
    const container = (c: Obj) => ({ resources: RESOURCES, securityContext: CONTAINER_SECURITY, ...c });
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: {
            name,
            namespace: mdb.metadata.namespace,
            ownerReferences: [{ apiVersion: mdb.apiVersion, kind: mdb.kind, name: n, uid: mdb.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
            replicas,
            serviceName: `${n}-svc`,
            selector: { matchLabels: { app: `${n}-svc` } },
            updateStrategy: { type: "RollingUpdate" },
            template: {
                metadata: { labels: { app: `${n}-svc` } },
                spec: {
                    serviceAccountName: "mongodb-kubernetes-appdb",
                    securityContext: { runAsUser: 2000, runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
                    initContainers: [
                        container({ name: "mongod-posthook", image: IMAGES.hook, command: ["cp", "version-upgrade-hook", "/hooks/version-upgrade"], volumeMounts: [mount("hooks", "/hooks")] }),
                        container({ name: "mongodb-agent-readinessprobe", image: IMAGES.probe, command: ["cp", "/probes/readinessprobe", "/opt/scripts/readinessprobe"], volumeMounts: [mount("agent-scripts", "/opt/scripts")] }),
                    ],
                    containers: [
                        container({ name: "mongod", image: `quay.io/mongodb/mongodb-community-server:${mdb.spec.version}-ubi8`, command: ["/bin/sh", "-c", "exec mongod -f /data/automation-mongod.conf"], volumeMounts: [...shared, mount("healthstatus", "/healthstatus"), mount("hooks", "/hooks")] }),
                        container({
                            name: "mongodb-agent",
                            image: IMAGES.agent,
                            command: ["/bin/bash", "-c", "agent/mongodb-agent -skipMongoStart -noDaemonize"],
                            readinessProbe: { exec: { command: ["/opt/scripts/readinessprobe"] }, failureThreshold: 40, initialDelaySeconds: 5 },
                            volumeMounts: [...shared, mount("agent-scripts", "/opt/scripts"), { name: "automation-config", mountPath: "/var/lib/automation/config", readOnly: true }, mount("healthstatus", "/var/log/mongodb-mms-automation/healthstatus")],
                        }),
                    ],
                    volumes: [
                        { name: "agent-scripts", emptyDir: {} },
                        { name: "automation-config", secret: { secretName: `${n}-config`, defaultMode: 0o640 } },
                        { name: `${n}-keyfile`, emptyDir: {} },
                        { name: "healthstatus", emptyDir: {} },
                        { name: "hooks", emptyDir: {} },
                        { name: "tmp", emptyDir: {} },
                    ],
                },
            },
            volumeClaimTemplates: [
                { metadata: { name: "data-volume" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10G" } } } },
                { metadata: { name: "logs-volume" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2G" } } } },
            ],
        },
    };
}

const BY_NAME: Readonly<Record<string, (item: Obj) => string>> = {
    containers: (c) => c.name,
    initContainers: (c) => c.name,
    volumes: (v) => v.name,
    env: (e) => e.name,
    volumeMounts: (m) => `${m.name}\u0000${m.mountPath}\u0000${m.subPath ?? ""}`,
    volumeClaimTemplates: (t) => t.metadata?.name,
};

/** The operator's merge of `spec.statefulSet.spec` into its own: objects deep, named lists by name (sorted), the rest replaced. */
export function mergeSpec(base: any, override: any, field = ""): any {
    if (override === undefined) {
        return base;
    }
    if (Array.isArray(base) && Array.isArray(override) && BY_NAME[field]) {
        const keyOf = BY_NAME[field];
        const merged = new Map<string, any>(base.map((b) => [keyOf(b), b]));
        for (const o of override) {
            merged.set(keyOf(o), mergeSpec(merged.get(keyOf(o)), o, field));
        }
        return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    }
    if (base && typeof base === "object" && !Array.isArray(base) && override && typeof override === "object" && !Array.isArray(override)) {
        const out: Obj = { ...base };
        for (const [k, v] of Object.entries(override)) {
            out[k] = mergeSpec(base[k], v, k);
        }
        return out;
    }
    return override;
}

/** What the operator would create for one MongoDBCommunity. */
export function standInObjects(mdb: Obj): Obj[] {
    const n = mdb.metadata.name;
    const members = mdb.spec.members ?? 1;
    const sts = (name: string, replicas: number) => {
        const base = baseStatefulSet(mdb, name, replicas);
        return { ...base, spec: mergeSpec(base.spec, { ...mdb.spec.statefulSet?.spec, replicas }) };
    };
    return [
        sts(n, members),
        sts(`${n}-arb`, mdb.spec.arbiters ?? 0),
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: `${n}-svc`, namespace: mdb.metadata.namespace, ownerReferences: baseStatefulSet(mdb, n, 0).metadata.ownerReferences },
            spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: { app: `${n}-svc` }, ports: [{ name: "mongodb", port: 27017, targetPort: 27017 }] },
        },
    ];
}

/** The status the operator writes once its StatefulSet is rolled out, or while it is not. */
export function standInStatus(mdb: Obj, sts: Obj | undefined): Obj {
    const { name, namespace } = mdb.metadata;
    const members = mdb.spec.members ?? 1;
    const s = sts?.status ?? {};
    const done = sts !== undefined && s.observedGeneration === sts.metadata.generation && s.readyReplicas === members && s.updatedReplicas === members;
    const hosts = Array.from({ length: members }, (_, i) => `${name}-${i}.${name}-svc.${namespace}.svc.cluster.local:27017`);
    // The CRD requires the URI and both counts in every status the operator writes.
    const always = { mongoUri: `mongodb://${hosts.join(",")}/?replicaSet=${name}`, currentStatefulSetArbitersReplicas: 0, currentMongoDBArbiters: 0 };
    return done
        ? { ...always, phase: "Running", version: mdb.spec.version, currentStatefulSetReplicas: members, currentMongoDBMembers: members, message: "" }
        : { ...always, phase: "Pending", currentStatefulSetReplicas: s.readyReplicas ?? 0, currentMongoDBMembers: s.readyReplicas ?? 0, message: "ReplicaSet is not yet ready, retrying in 10 seconds" };
}

export class MongoDbStandIn {
    constructor(private readonly lab: Lab) {}

    /** One pass over every MongoDBCommunity: its objects applied, its status written. */
    async reconcile(): Promise<void> {
        const found = await this.lab.kubectl(["get", "mongodbcommunity", "-A", "-o", "json"]);
        if (found.code !== 0) {
            return; // the stack installs no MongoDB operator (its CRD is absent)
        }
        for (const mdb of JSON.parse(found.stdout).items as Obj[]) {
            const objects = standInObjects(mdb);
            await this.lab.ok(["apply", "--server-side", "--field-manager=mongodb-stand-in", "--force-conflicts", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
            const sts = JSON.parse(await this.lab.ok(["get", "statefulset", "-n", mdb.metadata.namespace, mdb.metadata.name, "-o", "json"]));
            const status = standInStatus(mdb, sts);
            if (JSON.stringify({ ...mdb.status, ...status }) !== JSON.stringify(mdb.status ?? {})) {
                await this.lab.ok(["patch", "mongodbcommunity", "-n", mdb.metadata.namespace, mdb.metadata.name, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
            }
        }
    }
}

import * as assert from "assert";
import { mergeSpec, standInObjects, standInStatus } from "../../../scripts/lab/mongodb";

type Obj = Record<string, any>;

describe("lab MongoDB stand-in: mergeSpec", () => {
    it("merges a container of the override into the base's container of the same name", () => {
        const merged = mergeSpec({ containers: [{ name: "mongod", image: "mongo:7", command: ["mongod"] }] }, { containers: [{ name: "mongod", image: "mongo:8" }] });
        assert.deepStrictEqual(merged, { containers: [{ name: "mongod", image: "mongo:8", command: ["mongod"] }] });
    });

    it("sorts the merged containers by name, as the operator does", () => {
        const merged = mergeSpec({ containers: [{ name: "sidecar" }, { name: "main" }] }, { containers: [{ name: "sidecar", image: "s:2" }] });
        assert.deepStrictEqual(merged.containers, [{ name: "main" }, { name: "sidecar", image: "s:2" }]);
    });

    it("adds a container that only the override has, in its place by name", () => {
        const merged = mergeSpec({ containers: [{ name: "a" }, { name: "c" }] }, { containers: [{ name: "b", image: "b:1" }] });
        assert.deepStrictEqual(merged.containers, [{ name: "a" }, { name: "b", image: "b:1" }, { name: "c" }]);
    });

    it("merges a container's env by name inside the merged container", () => {
        const merged = mergeSpec({ containers: [{ name: "a", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }] }] }, { containers: [{ name: "a", env: [{ name: "Y", value: "3" }] }] });
        assert.deepStrictEqual(merged.containers[0].env, [{ name: "X", value: "1" }, { name: "Y", value: "3" }]);
    });

    it("keeps two mounts of one volume at different paths", () => {
        const merged = mergeSpec({ volumeMounts: [{ name: "data", mountPath: "/data" }] }, { volumeMounts: [{ name: "data", mountPath: "/backup" }] });
        assert.deepStrictEqual(merged.volumeMounts, [{ name: "data", mountPath: "/backup" }, { name: "data", mountPath: "/data" }]);
    });

    it("merges volumeClaimTemplates by metadata.name, the override's storage request replacing the base's", () => {
        const claim = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } });
        const merged = mergeSpec({ volumeClaimTemplates: [claim("data-volume", "10G"), claim("logs-volume", "2G")] }, { volumeClaimTemplates: [{ metadata: { name: "data-volume" }, spec: { resources: { requests: { storage: "20Gi" } } } }] });
        assert.deepStrictEqual(merged.volumeClaimTemplates, [claim("data-volume", "20Gi"), claim("logs-volume", "2G")]);
    });

    it("replaces scalars", () => {
        assert.deepStrictEqual(mergeSpec({ replicas: 1, serviceName: "a", paused: false }, { replicas: 3, serviceName: "b", paused: true }), { replicas: 3, serviceName: "b", paused: true });
    });

    it("deep-merges objects, keeping what the override does not set", () => {
        const merged = mergeSpec({ template: { spec: { serviceAccountName: "a", securityContext: { runAsUser: 2000, fsGroup: 2000 } } } }, { template: { spec: { securityContext: { fsGroup: 3000 } } } });
        assert.deepStrictEqual(merged, { template: { spec: { serviceAccountName: "a", securityContext: { runAsUser: 2000, fsGroup: 3000 } } } });
    });

    it("replaces lists that have no name to merge by", () => {
        assert.deepStrictEqual(mergeSpec({ accessModes: ["ReadWriteOnce", "ReadOnlyMany"], args: ["a"] }, { accessModes: ["ReadWriteOncePod"], args: [] }), { accessModes: ["ReadWriteOncePod"], args: [] });
    });

    it("keeps the base where there is no override", () => {
        const base = { replicas: 1, template: { spec: {} } };
        assert.strictEqual(mergeSpec(base, undefined), base);
    });

    it("changes neither of its inputs", () => {
        const base = { containers: [{ name: "b", resources: { requests: { cpu: "1" } } }, { name: "a" }], template: { spec: { x: 1 } } };
        const override = { containers: [{ name: "b", resources: { requests: { cpu: "2" } } }], template: { spec: { y: 2 } } };
        const [baseBefore, overrideBefore] = [structuredClone(base), structuredClone(override)];
        mergeSpec(base, override);
        assert.deepStrictEqual([base, override], [baseBefore, overrideBefore]);
    });
});

const AFFINITY = {
    podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "graylog-mongodb-svc" } }, topologyKey: "kubernetes.io/hostname" }],
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: "graylog-mongodb-svc" } }, topologyKey: "topology.kubernetes.io/zone" } }],
    },
};
const MONGOD_RESOURCES = { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } };
const AGENT_RESOURCES = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } };
const claim = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } });

/** The prod render's MongoDBCommunity (components/graylog/values.ts mongodbManifest), as the API server returns it. */
function mongodbCommunity(): Obj {
    return {
        apiVersion: "mongodbcommunity.mongodb.com/v1",
        kind: "MongoDBCommunity",
        metadata: { name: "graylog-mongodb", namespace: "graylog", uid: "uid-mdb", generation: 1 },
        spec: {
            members: 3,
            type: "ReplicaSet",
            version: "7.0.25",
            security: { authentication: { modes: ["SCRAM"], ignoreUnknownUsers: true } },
            statefulSet: {
                spec: {
                    template: {
                        spec: {
                            serviceAccountName: "mongodb-kubernetes-appdb",
                            affinity: AFFINITY,
                            containers: [
                                { name: "mongod", resources: MONGOD_RESOURCES },
                                { name: "mongodb-agent", resources: AGENT_RESOURCES },
                            ],
                        },
                    },
                    volumeClaimTemplates: [claim("data-volume", "20Gi"), claim("logs-volume", "2Gi")],
                },
            },
        },
    };
}

const named = (objects: readonly Obj[], kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    assert.ok(found, `${kind} ${name} among ${objects.map((o) => `${o.kind} ${o.metadata.name}`).join(", ")}`);
    return found;
};
const container = (sts: Obj, name: string) => sts.spec.template.spec.containers.find((c: Obj) => c.name === name);

describe("lab MongoDB stand-in: standInObjects", () => {
    it("builds the members' StatefulSet, the arbiters' and the headless Service, in the resource's namespace", () => {
        const objects = standInObjects(mongodbCommunity());
        assert.deepStrictEqual(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ["StatefulSet graylog/graylog-mongodb", "StatefulSet graylog/graylog-mongodb-arb", "Service graylog/graylog-mongodb-svc"]);
    });

    it("gives the members' StatefulSet the operator's selector, pod labels and serviceName, and one replica per member", () => {
        const sts = named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb");
        assert.deepStrictEqual(sts.spec.selector, { matchLabels: { app: "graylog-mongodb-svc" } });
        assert.deepStrictEqual(sts.spec.template.metadata.labels, { app: "graylog-mongodb-svc" });
        assert.strictEqual(sts.spec.serviceName, "graylog-mongodb-svc");
        assert.strictEqual(sts.spec.replicas, 3);
    });

    it("makes the MongoDBCommunity the controller owner of what it builds", () => {
        for (const o of standInObjects(mongodbCommunity())) {
            assert.deepStrictEqual(o.metadata.ownerReferences, [{ apiVersion: "mongodbcommunity.mongodb.com/v1", kind: "MongoDBCommunity", name: "graylog-mongodb", uid: "uid-mdb", controller: true, blockOwnerDeletion: true }], `${o.kind} ${o.metadata.name}`);
        }
    });

    it("puts the override's resources on mongod and mongodb-agent, the operator's defaults staying on the init containers", () => {
        const sts = named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb");
        assert.deepStrictEqual(container(sts, "mongod").resources, MONGOD_RESOURCES);
        assert.deepStrictEqual(container(sts, "mongodb-agent").resources, AGENT_RESOURCES);
        for (const init of sts.spec.template.spec.initContainers) {
            assert.deepStrictEqual(init.resources, { limits: { cpu: "1", memory: "500M" }, requests: { cpu: "500m", memory: "400M" } }, init.name);
        }
    });

    it("keeps the operator's own fields of a container the override merges into", () => {
        const mongod = container(named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb"), "mongod");
        assert.strictEqual(mongod.image, "quay.io/mongodb/mongodb-community-server:7.0.25-ubi8");
        assert.deepStrictEqual(mongod.command, ["/bin/sh", "-c", "exec mongod -f /data/automation-mongod.conf"]);
        assert.deepStrictEqual(mongod.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        assert.ok(mongod.volumeMounts.some((m: Obj) => m.name === "data-volume" && m.mountPath === "/data"), JSON.stringify(mongod.volumeMounts));
    });

    it("takes the override's affinity and serviceAccountName into the pod spec", () => {
        const spec = named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb").spec.template.spec;
        assert.deepStrictEqual(spec.affinity, AFFINITY);
        assert.strictEqual(spec.serviceAccountName, "mongodb-kubernetes-appdb");
    });

    it("claims the override's 20Gi for data-volume and keeps the logs claim", () => {
        const sts = named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb");
        assert.deepStrictEqual(sts.spec.volumeClaimTemplates, [claim("data-volume", "20Gi"), claim("logs-volume", "2Gi")]);
    });

    it("runs the arbiters' StatefulSet at zero replicas when the resource has no arbiters", () => {
        assert.strictEqual(named(standInObjects(mongodbCommunity()), "StatefulSet", "graylog-mongodb-arb").spec.replicas, 0);
    });

    it("runs the arbiters' StatefulSet at spec.arbiters", () => {
        const mdb = mongodbCommunity();
        mdb.spec.arbiters = 1;
        assert.strictEqual(named(standInObjects(mdb), "StatefulSet", "graylog-mongodb-arb").spec.replicas, 1);
    });

    it("takes the replicas from spec.members, not from the StatefulSet override", () => {
        const mdb = mongodbCommunity();
        mdb.spec.statefulSet.spec.replicas = 5;
        assert.strictEqual(named(standInObjects(mdb), "StatefulSet", "graylog-mongodb").spec.replicas, 3);
    });

    it("runs one member when the resource sets no members", () => {
        const mdb = mongodbCommunity();
        delete mdb.spec.members;
        assert.strictEqual(named(standInObjects(mdb), "StatefulSet", "graylog-mongodb").spec.replicas, 1);
    });

    it("serves the members through a headless Service that publishes them before they are Ready", () => {
        const svc = named(standInObjects(mongodbCommunity()), "Service", "graylog-mongodb-svc");
        assert.deepStrictEqual(svc.spec, { clusterIP: "None", publishNotReadyAddresses: true, selector: { app: "graylog-mongodb-svc" }, ports: [{ name: "mongodb", port: 27017, targetPort: 27017 }] });
    });
});

const rolledOut = (): Obj => ({ metadata: { name: "graylog-mongodb", namespace: "graylog", generation: 2 }, status: { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 3 } });
const URI = "mongodb://graylog-mongodb-0.graylog-mongodb-svc.graylog.svc.cluster.local:27017,graylog-mongodb-1.graylog-mongodb-svc.graylog.svc.cluster.local:27017,graylog-mongodb-2.graylog-mongodb-svc.graylog.svc.cluster.local:27017/?replicaSet=graylog-mongodb";
/** The CRD requires the URI and the counts in every status, so Pending carries them too, counting the Ready members. */
const pending = (ready: number) => ({
    mongoUri: URI,
    currentStatefulSetArbitersReplicas: 0,
    currentMongoDBArbiters: 0,
    phase: "Pending",
    currentStatefulSetReplicas: ready,
    currentMongoDBMembers: ready,
    message: "ReplicaSet is not yet ready, retrying in 10 seconds",
});

describe("lab MongoDB stand-in: standInStatus", () => {
    it("is Running with the version and member counts once every member is Ready and updated at the StatefulSet's generation", () => {
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), rolledOut()), {
            mongoUri: URI,
            currentStatefulSetArbitersReplicas: 0,
            currentMongoDBArbiters: 0,
            phase: "Running",
            version: "7.0.25",
            currentStatefulSetReplicas: 3,
            currentMongoDBMembers: 3,
            message: "",
        });
    });

    it("is Pending while the StatefulSet controller has not seen the latest generation", () => {
        const sts = rolledOut();
        sts.status.observedGeneration = 1;
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), sts), pending(3));
    });

    it("is Pending while a member is not Ready", () => {
        const sts = rolledOut();
        sts.status.readyReplicas = 2;
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), sts), pending(2));
    });

    it("is Pending while a member is not updated", () => {
        const sts = rolledOut();
        sts.status.updatedReplicas = 2;
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), sts), pending(3));
    });

    it("is Pending while the StatefulSet has more Ready pods than members (a scale-down under way)", () => {
        const sts = rolledOut();
        sts.status.readyReplicas = 4;
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), sts), pending(4));
    });

    it("is Pending for a StatefulSet without status", () => {
        const sts = rolledOut();
        delete sts.status;
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), sts), pending(0));
    });

    it("is Pending without a StatefulSet", () => {
        assert.deepStrictEqual(standInStatus(mongodbCommunity(), undefined), pending(0));
    });
});

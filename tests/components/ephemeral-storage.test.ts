/**
 * Ephemeral storage (issue 28, item 6), on each stack's full render: every container of every
 * workload requests it, and every container that writes to an on-disk emptyDir is limited.
 * Pods that operators make from custom resources (Elasticsearch, Kibana, Prometheus,
 * Alertmanager, MongoDB's mongod and agent) are the operators' and are not judged here.
 */
import * as assert from "assert";
import { EPHEMERAL_STORAGE, withEphemeralStorage, workloadWithEphemeralStorage } from "../../components/shared/workloads";
import { renderedStack, STACKS } from "../scripts/full-render";

const podSpecOf = (o: Record<string, any>) =>
    o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec
        : ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(o.kind) ? o.spec.template.spec : undefined;

describe("Ephemeral storage", () => {
    for (const stack of STACKS) {
        it(`in ${stack}, every workload container requests it and every emptyDir writer is limited`, async () => {
            const problems = (await renderedStack(stack)).objects.map((o) => o.object).flatMap((o) => {
                const spec = podSpecOf(o);
                if (spec === undefined) return [];
                const disk = new Set((spec.volumes ?? []).filter((v: any) => v.emptyDir && v.emptyDir.medium !== "Memory").map((v: any) => v.name));
                return [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => {
                    const where = `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${c.name}`;
                    const writes = (c.volumeMounts ?? []).some((m: any) => disk.has(m.name) && m.readOnly !== true);
                    return [
                        ...(c.resources?.requests?.["ephemeral-storage"] ? [] : [`${where}: no request`]),
                        ...(writes && !c.resources?.limits?.["ephemeral-storage"] ? [`${where}: writes an emptyDir without a limit`] : []),
                    ];
                });
            });
            assert.deepStrictEqual(problems, []);
        });
    }

    it("fills only what a container leaves unset, and limits only emptyDir writers on disk", () => {
        const spec = {
            volumes: [{ name: "tmp", emptyDir: {} }, { name: "shm", emptyDir: { medium: "Memory" } }, { name: "ro", emptyDir: {} }],
            containers: [
                { name: "w", volumeMounts: [{ name: "tmp", mountPath: "/tmp" }], resources: { requests: { cpu: "1" } } },
                { name: "m", volumeMounts: [{ name: "shm", mountPath: "/dev/shm" }, { name: "ro", mountPath: "/ro", readOnly: true }] },
                { name: "set", resources: { requests: { "ephemeral-storage": "2Gi" } } },
            ],
        };
        const out = withEphemeralStorage(spec);
        assert.deepStrictEqual(out.containers.map((c: any) => c.resources), [
            { requests: { cpu: "1", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { "ephemeral-storage": EPHEMERAL_STORAGE.emptyDirLimit } },
            { requests: { "ephemeral-storage": EPHEMERAL_STORAGE.request } },
            { requests: { "ephemeral-storage": "2Gi" } },
        ]);
        assert.deepStrictEqual(spec.containers[0].resources, { requests: { cpu: "1" } }, "the input is not changed");
    });

    it("leaves objects without a pod template alone, and keeps values it cannot clone", () => {
        const service = { kind: "Service", spec: { ports: [] } };
        assert.strictEqual(workloadWithEphemeralStorage(service), service);
        const output = { notPlainData: () => 1 };
        const job = { kind: "Job", spec: { template: { spec: { containers: [{ name: "c", env: [{ value: output }] }] } } } };
        assert.strictEqual(workloadWithEphemeralStorage(job).spec.template.spec.containers[0].env[0].value, output);
    });
});

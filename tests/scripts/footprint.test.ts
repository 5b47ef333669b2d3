import * as assert from "assert";
import { footprint } from "../../scripts/footprint";

const pod = (containers: object[], initContainers: object[] = []) => ({ template: { spec: { containers, initContainers } } });
const res = (cpu: string, memory: string) => ({ resources: { requests: { cpu, memory } } });

describe("footprint", () => {
    it("counts a DaemonSet per node and everything else times its replicas", () => {
        const f = footprint([
            { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { namespace: "a", name: "agent" }, spec: pod([{ name: "c", ...res("50m", "64Mi") }]) },
            { apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: "a", name: "web" }, spec: { replicas: 3, ...pod([{ name: "c", ...res("100m", "128Mi") }]) } },
        ]);
        assert.deepStrictEqual({ cpu: f.perNode.cpu, memory: f.perNode.memory }, { cpu: 50, memory: 64 });
        assert.deepStrictEqual({ cpu: f.total.cpu, memory: f.total.memory }, { cpu: 300, memory: 384 });
    });

    it("takes a pod's largest init container when it asks for more than the containers together", () => {
        const f = footprint([{ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { namespace: "a", name: "db" }, spec: pod([{ name: "c", ...res("100m", "64Mi") }], [{ name: "i", ...res("500m", "32Mi") }]) }]);
        assert.deepStrictEqual({ cpu: f.total.cpu, memory: f.total.memory }, { cpu: 500, memory: 64 });
    });

    it("counts Elasticsearch nodes at ECK's 2Gi default where the resource sets no resources, and lists the container", () => {
        const f = footprint([{ apiVersion: "elasticsearch.k8s.elastic.co/v1", kind: "Elasticsearch", metadata: { namespace: "l", name: "logs" }, spec: { nodeSets: [{ name: "default", count: 3 }] } }]);
        assert.deepStrictEqual(f.total.workloads, [{ kind: "Elasticsearch", namespace: "l", name: "logs", pods: 3, cpu: 0, memory: 6144 }]);
        assert.deepStrictEqual(f.withoutRequests, []);
    });

    it("adds the config-reloader sidecar to Prometheus pods at the operator's flags, and lists it when they request nothing", () => {
        const operator = (cpu: string) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: "m", name: "op" }, spec: pod([{ name: "op", args: [`--config-reloader-cpu-request=${cpu}`, "--config-reloader-memory-request=0"], ...res("10m", "10Mi") }]) });
        const prometheus = { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { namespace: "m", name: "p" }, spec: { replicas: 2, ...res("200m", "512Mi") } };
        const withReloader = footprint([operator("10m"), prometheus]).total.workloads.find((w) => w.kind === "Prometheus")!;
        assert.deepStrictEqual({ cpu: withReloader.cpu, memory: withReloader.memory }, { cpu: 420, memory: 1024 });
        assert.deepStrictEqual(footprint([operator("0"), prometheus]).withoutRequests, ["Prometheus m/p config-reloader"]);
    });
});

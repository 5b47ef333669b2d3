import * as assert from "assert";
import { standInStatus } from "../../../scripts/lab/eck";

type Obj = Record<string, any>;

const es = (count: number): Obj => ({ metadata: { namespace: "logging", name: "logs", generation: 4 }, spec: { version: "8.19.8", nodeSets: [{ name: "default", count }] } });
const READY = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
const pod = (i: number, status: Obj = READY, extra: Obj = {}): Obj => ({
    metadata: { namespace: "logging", name: `logs-es-default-${i}`, labels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" }, ...extra },
    status,
});
const three = () => [pod(0), pod(1), pod(2)];

describe("lab ECK stand-in: what ECK would write", () => {
    it("reports the version the spec asks for, which the program's await compares (elasticsearchLanded)", () => {
        assert.strictEqual(standInStatus(es(1), [pod(0)], "green").status.version, "8.19.8");
    });

    it("reports a cluster with every pod Ready green, and lets its PDB allow one disruption", () => {
        assert.deepStrictEqual(standInStatus(es(3), three(), "green"), {
            status: { health: "green", phase: "Ready", observedGeneration: 4, availableNodes: 3, version: "8.19.8" },
            minAvailable: 2,
        });
    });

    it("reports yellow while a pod is not Ready, and then allows no disruption", () => {
        const pods = three();
        pods[2].status = { phase: "Pending" };
        assert.deepStrictEqual(standInStatus(es(3), pods, "green"), { status: { health: "yellow", phase: "Ready", observedGeneration: 4, availableNodes: 2, version: "8.19.8" }, minAvailable: 3 });
    });

    it("does not count a terminating pod", () => {
        const pods = three();
        pods[1].metadata.deletionTimestamp = "2026-12-02T10:00:00Z";
        assert.strictEqual(standInStatus(es(3), pods, "green").status.health, "yellow");
    });

    it("does not count another cluster's pods", () => {
        const pods = [pod(0), pod(1), { ...pod(2), metadata: { ...pod(2).metadata, labels: { "elasticsearch.k8s.elastic.co/cluster-name": "other" } } }];
        assert.strictEqual(standInStatus(es(3), pods, "green").status.availableNodes, 2);
    });

    it("reports the health it is told with every pod Ready, and allows no disruption when it is not green", () => {
        assert.deepStrictEqual(standInStatus(es(3), three(), "yellow"), { status: { health: "yellow", phase: "Ready", observedGeneration: 4, availableNodes: 3, version: "8.19.8" }, minAvailable: 3 });
    });

    it("always lets a single-node cluster be disrupted, as ECK does", () => {
        assert.strictEqual(standInStatus(es(1), [pod(0)], "yellow").minAvailable, 0);
    });
});

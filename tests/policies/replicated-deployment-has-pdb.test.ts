import * as assert from "assert";
import { toCrossGuard } from "../../policies/crossguard";
import { KubeObject } from "../../policies/lib/kube";
import { replicatedDeploymentHasPdb } from "../../policies/replicated-deployment-has-pdb";
import { resourceOf, runStack, sdk } from "./crossguard-harness";
import { custom, deployment, statefulSet } from "./fixtures";

const replicated = toCrossGuard(replicatedDeploymentHasPdb) as any;
const NOT_KNOWN = "can't be known during preview";
const changed = (o: KubeObject, change: (o: any) => void) => {
    change(o);
    return o;
};

describe("replicated-deployment-has-pdb", () => {
    it("a Deployment or Kibana whose replica count is unknown is not checked, and says so", () => {
        assert.deepStrictEqual(runStack(replicated, [resourceOf(changed(deployment("web", "apps"), (o) => (o.spec.replicas = sdk.unknownNumberValue)))]), {
            messages: [], urns: [],
            notApplicable: `could not check during preview: Deployment apps/web: its replica count is not known: number value at .spec.replicas ${NOT_KNOWN}`,
        });
        assert.deepStrictEqual(runStack(replicated, [resourceOf(custom("kibana.k8s.elastic.co/v1", "Kibana", "kb", "l", { count: sdk.unknownNumberValue }))]).notApplicable,
            `could not check during preview: Kibana l/kb: its replica count is not known: number value at .spec.count ${NOT_KNOWN}`);
    });

    it("says nothing about other kinds, even when they cannot be checked", () => {
        const ss = changed(statefulSet(), (o) => (o.spec.replicas = sdk.unknownNumberValue));
        const prom = custom("monitoring.coreos.com/v1", "Prometheus", "kps", "monitoring", { shards: sdk.unknownNumberValue });
        assert.deepStrictEqual(runStack(replicated, [resourceOf(ss), resourceOf(prom)]), { messages: [], urns: [] });
    });

    it("leaves stateful, single-replica and uncounted Deployments to other rules", () => {
        const objects = [deployment("g", "m", { claim: true, replicas: 3 }), changed(deployment("w", "a"), (o) => (o.spec.replicas = 1.5)), changed(deployment("v", "a"), (o) => delete o.spec.replicas)];
        assert.deepStrictEqual(runStack(replicated, objects.map((o) => resourceOf(o))), { messages: [], urns: [] });
    });
});

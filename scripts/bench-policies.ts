/**
 * `npm run bench:policies`: the two figures the README quotes.
 * 1. Rule time for 10,000 StatefulSets plus 10,000 PDBs selecting them only through
 *    matchExpressions, all in one namespace (the worst case for naive workloads x PDBs matching).
 * 2. Parse throughput (objects per second) on 20,000 mixed objects: DaemonSets, StatefulSets with
 *    PDBs, Deployments, Services, spread over 50 namespaces, and the rules' time on the same input.
 */
import * as YAML from "yaml";
import { Subject, subjectOf } from "../policies/lib/kube";
import { evaluate } from "../policies/rules";
import { parseManifests } from "./policy-check";

/** `count` mixed objects: DaemonSets, StatefulSets with PDBs, Deployments, Services in 50 namespaces. */
export function mixedObjects(count: number): Array<Record<string, any>> {
    const docs: Array<Record<string, any>> = [];
    for (let i = 0; docs.length < count; i++) {
        const namespace = `team-${i % 50}`;
        const labels = { app: `app-${i}` };
        const template = { metadata: { labels }, spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }] } };
        switch (i % 4) {
            case 0:
                docs.push({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: `agent-${i}`, namespace }, spec: { selector: { matchLabels: labels }, template: { ...template, spec: { ...template.spec, tolerations: [{ operator: "Exists" }], priorityClassName: "system-node-critical" } } } });
                break;
            case 1:
                docs.push({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: `db-${i}`, namespace }, spec: { replicas: 3, selector: { matchLabels: labels }, template } });
                docs.push({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: `db-${i}`, namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } });
                break;
            case 2:
                docs.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `web-${i}`, namespace }, spec: { replicas: 1, selector: { matchLabels: labels }, template } });
                break;
            default:
                docs.push({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace }, spec: { selector: labels, ports: [{ port: 80 }] } });
        }
    }
    return docs.slice(0, count);
}

/** mixedObjects as one multi-document YAML file, as the checker reads it. */
export function generate(count: number): string {
    return mixedObjects(count).map((d) => YAML.stringify(d)).join("---\n");
}

/** n StatefulSets and n PDBs in one namespace; each PDB selects its StatefulSet by In and NotIn/Exists only. */
export function matchExpressionsOnly(n: number): Subject[] {
    const objects: Subject[] = [];
    for (let i = 0; i < n; i++) {
        const labels = { app: `db-${i}`, tier: "data" };
        objects.push(subjectOf({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: `db-${i}`, namespace: "data" }, spec: { replicas: 3, template: { metadata: { labels } } } }));
        objects.push(subjectOf({
            apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: `db-${i}`, namespace: "data" },
            spec: { maxUnavailable: 1, selector: { matchExpressions: [{ key: "tier", operator: "Exists" }, { key: "app", operator: "In", values: [`db-${i}`] }, { key: "canary", operator: "NotIn", values: ["true"] }] } },
        }));
    }
    return objects;
}

function seconds(fn: () => void, rounds = 3): number {
    fn();
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) fn();
    return Number(process.hrtime.bigint() - start) / 1e9 / rounds;
}

if (require.main === module) {
    const worst = matchExpressionsOnly(10_000);
    // A fresh array each round, so the inventory cache does not hide the work.
    const rules = seconds(() => evaluate([...worst]));
    console.log(`10,000 StatefulSets + 10,000 matchExpressions-only PDBs in one namespace: rules ${rules.toFixed(2)} s`);
    const text = generate(20_000);
    const parse = seconds(() => parseManifests(text, "bench.yaml"), 2);
    const parsed = parseManifests(text, "bench.yaml").map((o) => subjectOf(o));
    const mixedRules = seconds(() => evaluate([...parsed]));
    console.log(`20,000 mixed objects: parse ${(20_000 / parse).toFixed(0)} objects/s (${parse.toFixed(2)} s), rules ${(20_000 / mixedRules).toFixed(0)} objects/s (${mixedRules.toFixed(2)} s)`);
}

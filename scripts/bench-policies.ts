/**
 * `npm run bench:policies`: objects per second for parsing alone and for parsing plus every
 * rule, on generated inputs of 1,000 and 10,000 objects, so the rules' overhead is visible.
 * Each input is a realistic mix: DaemonSets, StatefulSets with PDBs, Deployments, Services.
 */
import * as YAML from "yaml";
import { subjectOf } from "../policies/lib/kube";
import { evaluate } from "../policies/rules";
import { parseManifests } from "./policy-check";

export function generate(count: number): string {
    const docs: object[] = [];
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
                docs.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `web-${i}`, namespace }, spec: { replicas: 2, selector: { matchLabels: labels }, template } });
                break;
            default:
                docs.push({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace }, spec: { selector: labels, ports: [{ port: 80 }] } });
        }
    }
    return docs.slice(0, count).map((d) => YAML.stringify(d)).join("---\n");
}

function perSecond(count: number, fn: () => void): number {
    fn();
    const rounds = 3;
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
    return count / seconds;
}

if (require.main === module) {
    console.log("objects   parse only (obj/s)   parse + rules (obj/s)   rules alone (obj/s)");
    for (const count of [1_000, 10_000]) {
        const text = generate(count);
        const parsed = parseManifests(text, "bench.yaml").map((o) => subjectOf(o));
        const parseOnly = perSecond(count, () => parseManifests(text, "bench.yaml"));
        const full = perSecond(count, () => evaluate(parseManifests(text, "bench.yaml").map((o) => subjectOf(o))));
        const rules = perSecond(count, () => evaluate(parsed));
        console.log(`${String(count).padStart(7)}   ${parseOnly.toFixed(0).padStart(18)}   ${full.toFixed(0).padStart(21)}   ${rules.toFixed(0).padStart(19)}`);
    }
}

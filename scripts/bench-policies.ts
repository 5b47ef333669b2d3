/**
 * `npm run bench:policies`: the figures the README quotes.
 * 1. Rule time for 10,000 StatefulSets plus 10,000 PDBs selecting them only through
 *    matchExpressions, all in one namespace (the worst case for naive workloads x PDBs matching).
 * 2. Parse throughput (objects per second) on 20,000 mixed objects: DaemonSets, StatefulSets with
 *    PDBs, Deployments, Services, spread over 50 namespaces, and the rules' time on the same input.
 * 3. The checker's command (dist/, as `npm run policy:check` runs it) beside kube-score
 *    (tools/kube-score), each a whole process over the same generated file, from 1 object to
 *    20,000: the median wall time and the CPU time per run (bash's `time` over a batch of runs).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { Subject, subjectOf } from "../policies/lib/kube";
import { evaluate } from "../policies/rules";
import { parseManifests } from "./policy-check";
import { ROOT } from "./root";
import { kubeScoreBinary } from "./scorecard/kube-score";

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
                docs.push({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: `db-${i}`, namespace }, spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: labels } } });
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
    return mixedObjects(count).map((d) => YAML.stringify(d, { aliasDuplicateObjects: false })).join("---\n");
}

/** n StatefulSets and n PDBs in one namespace; each PDB selects its StatefulSet by In and NotIn/Exists only. */
export function matchExpressionsOnly(n: number): Subject[] {
    const objects: Subject[] = [];
    for (let i = 0; i < n; i++) {
        const labels = { app: `db-${i}`, tier: "data" };
        objects.push(subjectOf({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: `db-${i}`, namespace: "data" }, spec: { replicas: 3, template: { metadata: { labels } } } }));
        objects.push(subjectOf({
            apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: `db-${i}`, namespace: "data" },
            spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchExpressions: [{ key: "tier", operator: "Exists" }, { key: "app", operator: "In", values: [`db-${i}`] }, { key: "canary", operator: "NotIn", values: ["true"] }] } },
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

/** One command's figures over `runs` runs: the median wall seconds, and CPU seconds per run. */
interface Timing {
    readonly wall: number;
    readonly cpu: number;
}

/** Runs `command` (a shell line) `runs` times under bash's `time`, after one warm-up unless it runs once. */
function time(command: string, runs: number): Timing {
    const walls: number[] = [];
    let cpu = 0;
    const script = `TIMEFORMAT='%R %U %S'; { time ${command} >/dev/null 2>&1; } 2>&1`;
    for (let r = runs > 1 ? -1 : 0; r < runs; r++) {
        const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
        const [real, user, sys] = result.stdout.trim().split(/\s+/).map(Number);
        if ([real, user, sys].some((n) => !Number.isFinite(n))) {
            throw new Error(`cannot time ${command}: ${result.stdout}${result.stderr}`);
        }
        if (r >= 0) {
            walls.push(real);
            cpu += user + sys;
        }
    }
    walls.sort((a, b) => a - b);
    return { wall: walls[Math.floor(walls.length / 2)], cpu: cpu / runs };
}

const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;

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

    const checker = path.join(ROOT, "dist/scripts/policy-check-cli.js");
    if (!fs.existsSync(checker)) {
        throw new Error(`${path.relative(ROOT, checker)} is missing: run npm run build:checker`);
    }
    const score = kubeScoreBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-policies-"));
    try {
        console.log("\nobjects | policy:check wall | cpu | kube-score wall | cpu");
        for (const count of [1, 10, 100, 1_000, 10_000, 20_000]) {
            const file = path.join(dir, `${count}.yaml`);
            fs.writeFileSync(file, generate(count));
            // kube-score takes most of a minute on 20,000 objects: the large inputs run once each.
            const runs = count >= 10_000 ? 1 : 7;
            const ours = time(`${JSON.stringify(process.execPath)} ${JSON.stringify(checker)} ${JSON.stringify(file)}`, runs);
            const theirs = time(`${JSON.stringify(score)} score ${JSON.stringify(file)}`, runs);
            console.log(`${count.toLocaleString("en-US")} | ${ms(ours.wall)} | ${ms(ours.cpu)} | ${ms(theirs.wall)} | ${ms(theirs.cpu)}`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

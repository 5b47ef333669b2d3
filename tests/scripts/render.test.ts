import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { MOCK_SECRET_PREFIX, ROOT } from "../../scripts/mock-program";
import { main, parseArgs, renderStack } from "../../scripts/render";
import { main as checkManifests } from "../../scripts/policy-check";
import { renderedStack, serially, STACKS } from "./full-render";
import { inBackground, runScriptAsync } from "../helpers/tools";

/**
 * The CLI's render of every stack, in one process of its own, beside the suite (about 10 s of
 * CPU). In the opposite order to the suite's own renders: each process reuses a chart's Helm
 * output for later stacks, so a memo key that confused two charts would show as a difference.
 * It runs at normal priority: this half of the suite waits for it, so it is on the critical path.
 */
const cliOut = fs.mkdtempSync(path.join(os.tmpdir(), "render-cli-"));
const cliRender = inBackground((options) => runScriptAsync("render", [...[...STACKS].reverse(), "--out", cliOut], { ...options, background: false }));
after(() => fs.rmSync(cliOut, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: false })
        .map(String)
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .sort();
}

/**
 * Stack files the tests make up live in a folder of their own (`--stack-dir`), never in the
 * project folder, where the other half of the suite lists the real ones.
 */
const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "render-stacks-"));
after(() => fs.rmSync(stackDir, { recursive: true, force: true }));
const writeStack = (name: string, body: string) => fs.writeFileSync(path.join(stackDir, `Pulumi.${name}.yaml`), body);

/** The CLI on a stack file with a misspelt key, as its own process, beside the suite. */
const misspeltKey = inBackground((options) => {
    writeStack("typo", "config:\n  observability-platform:profile: dev\n  observability-platform:retentoin: 3\n");
    return runScriptAsync("render", ["typo", "--stack-dir", stackDir, "--out", path.join(stackDir, "typo-out")], options);
});

describe("npm run render", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const stack of STACKS) {
        it(`${stack}: the CLI writes the DESIGN.md layout, byte-identical to a second (in-process) render`, async () => {
            const out = path.join(cliOut, stack);
            const [r, again] = await Promise.all([cliRender(), renderedStack(stack)]);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^rendered stack ${stack}: \\d+ manifests, \\d+ charts -> .*${stack}$`, "m"));
            const files = listFiles(out);
            assert.deepStrictEqual(again.files.map((f) => f.path), files);
            for (const f of again.files) {
                assert.ok(fs.readFileSync(path.join(out, f.path)).equals(Buffer.from(f.content)), `${f.path} differs between runs`);
            }
            for (const f of files) {
                assert.match(f, /^(manifests\/[a-z0-9_-]+\/[a-z0-9]+-[a-z0-9.-]+\.yaml|charts\/[a-z0-9-]+\/(chart|values|manifests)\.yaml|footprint\.json)$/, f);
            }
            let report = "";
            assert.strictEqual(checkManifests([out, "--config", path.join(ROOT, "policies/config.json")], { out: (t) => (report += t), err: (t) => (report += t) }), 0, report);
            assert.match(report, new RegExp(`^${again.objects.length} objects checked: 0 violations`, "m"), "the policy checker reads the render as what it deploys");
            assert.ok(files.includes("manifests/_cluster/namespace-monitoring.yaml"));
            assert.ok(files.includes("footprint.json"));
            for (const chart of files.filter((f) => f.endsWith("/chart.yaml"))) {
                const meta = YAML.parse(fs.readFileSync(path.join(out, chart), "utf8"));
                assert.deepStrictEqual(Object.keys(meta).sort(), ["chart", "namespace", "releaseName", "repo", "version"], chart);
                assert.ok(meta.version && meta.repo && meta.chart, `${chart} pins repo, chart and version`);
                assert.ok(files.includes(chart.replace("chart.yaml", "values.yaml")));
                assert.ok(files.includes(chart.replace("chart.yaml", "manifests.yaml")), `${chart}: the chart is rendered`);
            }
            for (const f of files.filter((x) => x.startsWith("manifests/"))) {
                const doc = YAML.parse(fs.readFileSync(path.join(out, f), "utf8"));
                assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${f} is a Kubernetes object`);
                const ns = f.split("/")[1];
                assert.strictEqual(doc.metadata.namespace ?? "_cluster", ns, `${f} sits under its namespace`);
            }
        });
    }

    const secretStacks: Record<string, string[]> = {
        "basic gates, Graylog and a pager": [
            "  observability-platform:domain: obs.example.com",
            "  observability-platform:alerting:",
            "    receivers:",
            "      - {name: oncall, type: pagerduty}",
            "    criticalReceiver: oncall",
            "    defaultReceiver: oncall",
            "  observability-platform:alertingSecrets:",
            "    oncall:",
            "      secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBB",
            "  observability-platform:graylogRootPassword:",
            "    secure: v1:CCCCCCCCCCCCCCCC:DDDDDDDDDDDD",
        ],
        "oauth2-proxy gates": [
            "  observability-platform:domain: obs.example.com",
            "  observability-platform:access:",
            "    uiAuth: oauth2-proxy",
            "    oidc: {issuerUrl: https://login.example.com, clientId: observability}",
            "  observability-platform:oidcClientSecret:",
            "    secure: v1:EEEEEEEEEEEEEEEE:FFFFFFFFFFFF",
            // prod must route critical alerts, and the rest, somewhere
            "  observability-platform:alerting:",
            "    receivers:",
            "      - {name: oncall, type: pagerduty}",
            "    criticalReceiver: oncall",
            "    defaultReceiver: oncall",
            "  observability-platform:alertingSecrets:",
            "    oncall:",
            "      secure: v1:GGGGGGGGGGGGGGGG:HHHHHHHHHHHH",
        ],
    };
    for (const [what, lines] of Object.entries(secretStacks)) {
        it(`replaces every secret with the fixed placeholder, chart output included (${what})`, async () => {
            const stackFile = path.join(tmp, `Pulumi.secretcheck-${what.replace(/\W+/g, "-")}.yaml`);
            // prod must name a backup repository; its credentials are secrets that must not show either.
            const backup = [
                "  observability-platform:backup:",
                "    repository: {type: s3, bucket: secretcheck-backups}",
                "  observability-platform:backupSecrets:",
                "    accessKey:",
                "      secure: v1:IIIIIIIIIIIIIIII:JJJJJJJJJJJJ",
                "    secretKey:",
                "      secure: v1:KKKKKKKKKKKKKKKK:LLLLLLLLLLLL",
            ];
            fs.writeFileSync(stackFile, ["config:", "  observability-platform:profile: prod", ...lines, ...backup, ""].join("\n"));
            const rendered = await serially(() => renderStack("secretcheck", { stackFile }));
            const all = rendered.files.map((f) => f.content).join("\n");
            assert.ok(all.includes("kind: Secret"), "Secrets were rendered");
            assert.ok(rendered.files.some((f) => f.path.endsWith("/manifests.yaml") && f.content.includes("kind: Secret")), "charts rendered Secrets");
            assert.ok(!all.includes(MOCK_SECRET_PREFIX), "a secret value reached the rendered output");
        });
    }

    it("exits 2 naming the key when the stack file has a misspelt key", async () => {
        const r = await misspeltKey();
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /observability-platform:retentoin: unknown key/);
    });

    /** main() in-process, with what it prints; program runs queue behind the shared renders. */
    async function renderInProcess(args: string[]): Promise<{ status: number; stderr: string }> {
        const err: string[] = [];
        const status = await serially(() => main(args, { out: () => undefined, err: (line) => err.push(line) }));
        return { status, stderr: err.join("\n") };
    }

    it("exits 2 naming the key when a quantity is malformed, and writes no stack", async () => {
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(stackDir, "Pulumi.dev.yaml"));
        writeStack("quantity", "config:\n  observability-platform:profile: dev\n  observability-platform:logging:\n    elasticsearch:\n      storageSize: 10Gix\n");
        const r = await renderInProcess(["dev", "quantity", "--stack-dir", stackDir, "--out", path.join(tmp, "bad")]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /logging\.elasticsearch\.storageSize: got "10Gix"/);
        assert.ok(!fs.existsSync(path.join(tmp, "bad")), "a bad stack stops every stack's render before anything is written");
    });

    it("writes one stack to --out, several to --out/<stack>, and by default to rendered/<stack>", () => {
        const file = (stack: string, dir = ROOT) => path.join(dir, `Pulumi.${stack}.yaml`);
        assert.deepStrictEqual(parseArgs(["dev", "--out", "x"]), [{ stack: "dev", stackFile: file("dev"), out: path.resolve("x") }]);
        assert.deepStrictEqual(parseArgs(["--out", "x", "dev", "prod"]), [
            { stack: "dev", stackFile: file("dev"), out: path.resolve("x", "dev") },
            { stack: "prod", stackFile: file("prod"), out: path.resolve("x", "prod") },
        ]);
        assert.deepStrictEqual(parseArgs(["staging"]), [{ stack: "staging", stackFile: file("staging"), out: path.join(ROOT, "rendered", "staging") }]);
        assert.deepStrictEqual(parseArgs(["dev", "prod"]).map((t) => t.out), [path.join(ROOT, "rendered", "dev"), path.join(ROOT, "rendered", "prod")]);
        assert.throws(() => parseArgs(["dev", "dev"]), /stack dev is named twice/);
        assert.throws(() => parseArgs(["dev", "--out"]), /--out needs a directory/);
    });

    it("reads the stack files from --stack-dir, and names that folder when one is missing", () => {
        writeStack("elsewhere", "config:\n  observability-platform:profile: dev\n");
        assert.deepStrictEqual(parseArgs(["elsewhere", "--stack-dir", stackDir]).map((t) => t.stackFile), [path.join(stackDir, "Pulumi.elsewhere.yaml")]);
        assert.throws(() => parseArgs(["dev", "--stack-dir", path.join(stackDir, "none")]), new RegExp(`no stack file Pulumi\\.dev\\.yaml in ${path.join(stackDir, "none")}`));
        assert.throws(() => parseArgs(["dev", "--stack-dir"]), /--stack-dir needs a directory/);
    });

    it("exits 2 on an unknown stack or option, or no stack", async () => {
        assert.deepStrictEqual(await renderInProcess(["nosuchstack"]), { status: 2, stderr: `error: no stack file Pulumi.nosuchstack.yaml in ${ROOT}` });
        const bogus = await renderInProcess(["dev", "--bogus"]);
        assert.strictEqual(bogus.status, 2);
        assert.match(bogus.stderr, /^error: unknown option --bogus; usage: npm run render -- <stack>\.\.\. \[--out <dir>\]/);
        const none = await renderInProcess([]);
        assert.strictEqual(none.status, 2);
        assert.match(none.stderr, /^error: usage: npm run render -- <stack>\.\.\./);
    });

    it("writes to rendered/<stack> by default, which git ignores", () => {
        assert.ok(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").includes("rendered/"));
        execFileSync("git", ["check-ignore", "-q", "rendered/dev/x.yaml"], { cwd: ROOT });
    });
});

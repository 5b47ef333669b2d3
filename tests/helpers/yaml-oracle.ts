/**
 * tools/yaml-oracle: YAML read by the Kubernetes provider's own decoder (k8s.io/apimachinery,
 * sigs.k8s.io/yaml, goyaml.v2), built into the tools cache by tools/yaml-oracle/build.sh, which
 * is instant once built. The tests hold scripts/kube-yaml.ts to it.
 */
import * as assert from "assert";
import { execFile, spawn } from "child_process";
import * as path from "path";
import { ROOT } from "../../scripts/root";

/** A stream's documents as a reader returns them, or the reader's refusal. */
export type Reading = { readonly docs: readonly unknown[] } | { readonly error: string };

let binary: Promise<string> | undefined;

/** The oracle's path, building it on first use: call it from a `before` hook that allows for a cold build. */
export function yamlOracle(): Promise<string> {
    binary ??= new Promise((resolve, reject) => {
        execFile("bash", [path.join(ROOT, "tools/yaml-oracle/build.sh")], { encoding: "utf8" }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`tools/yaml-oracle/build.sh failed (Go and, on a cold module cache, the module proxy are needed):\n${stderr}`));
            } else {
                resolve(path.join(stdout.trim().split("\n").pop()!, "yaml-oracle"));
            }
        });
    });
    return binary;
}

/** A YAML stream as the provider reads it: one JSON document per line from the oracle, or its error. */
export async function oracleReading(text: string): Promise<Reading> {
    const oracle = await yamlOracle();
    return new Promise((resolve, reject) => {
        const child = spawn(oracle, [], { stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve(code === 0
            ? { docs: Buffer.concat(stdout).toString("utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line)) }
            : { error: Buffer.concat(stderr).toString("utf8").trim() }));
        child.stdin.end(text);
    });
}

/** What one of our readers makes of a stream, its exception as its refusal. */
export function readingOf(read: () => readonly unknown[]): Reading {
    try {
        return { docs: read() };
    } catch (err) {
        return { error: (err as Error).message };
    }
}

/** The same documents, or both refuse the stream (each in its own words). */
export function assertSameReading(ours: Reading, oracle: Reading, what: string): void {
    if ("error" in oracle) {
        assert.ok("error" in ours, `${what}: the provider's decoder refuses it (${oracle.error}), ours reads ${JSON.stringify("docs" in ours && ours.docs)}`);
    } else {
        assert.ok("docs" in ours, `${what}: ours refuses it (${"error" in ours && ours.error}), the provider's decoder reads ${JSON.stringify(oracle.docs)}`);
        assert.deepStrictEqual(ours.docs, oracle.docs, what);
    }
}

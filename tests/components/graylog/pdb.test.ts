/**
 * Issue 25 item 11: the Data Node PDB. graylog chart 1.0.0 renders its own `graylog-datanode` PDB
 * above one Data Node (templates/policy/pdb/datanode.yaml: `if ... | int | lt 1`), the name the
 * program gives its own; so the full render, program and chart together, must hold exactly one
 * PDB over the Data Node pods and no two objects of one kind/namespace/name, at every replica count.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RenderedStack, renderStack } from "../../../scripts/render";
import { runProgram } from "../../../scripts/mock-program";
import { serially } from "../../scripts/full-render";
import { ROOT } from "../../../scripts/root";

const STAGING = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");

function stackFileWith(dir: string, stack: string, dataNodeReplicas: number): string {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, `${STAGING.trimEnd()}\n  observability-platform:graylog:\n    enabled: true\n    dataNodeReplicas: ${dataNodeReplicas}\n`);
    return file;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("Graylog Data Node PDB (issue 25 item 11)", function () {
    this.timeout(240_000);
    let dir: string;
    before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "datanode-pdb-")); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Where the Data Node PDB came from in each render: the program's manifest file, or a chart's. */
    const owners = new Map<number, string[]>();
    for (const replicas of [1, 2, 3, 5]) {
        describe(`dataNodeReplicas: ${replicas}`, () => {
            let rendered: RenderedStack;
            before(async () => {
                const stack = `datanode-${replicas}`;
                rendered = await serially(() => renderStack(stack, { stackFile: stackFileWith(dir, stack, replicas) }));
                owners.set(replicas, rendered.objects
                    .filter(({ object }) => object.kind === "PodDisruptionBudget" && (object as any).metadata.name === "graylog-datanode")
                    .map(({ file }) => file.replace(/datanode-\d/g, "<stack>")));
            });

            it("exactly one PDB, drain-safe, selects the Data Node pods", () => {
                const objects = rendered.objects.map((o) => o.object as Record<string, any>);
                const sts = objects.filter((o) => o.kind === "StatefulSet" && o.metadata.name === "graylog-datanode");
                assert.strictEqual(sts.length, 1, "the chart renders the Data Node StatefulSet");
                assert.strictEqual(sts[0].spec.replicas, replicas);
                const namespace = sts[0].metadata.namespace;
                const podLabels = sts[0].spec.template.metadata.labels;
                const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget" && o.metadata.namespace === namespace
                    && selects(o.spec.selector.matchLabels ?? {}, podLabels));
                assert.deepStrictEqual(pdbs.map((p) => p.metadata.name), ["graylog-datanode"]);
                assert.strictEqual(pdbs[0].spec.maxUnavailable, 1);
                assert.strictEqual(pdbs[0].spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
                assert.strictEqual(pdbs[0].spec.minAvailable, undefined);
            });

            it("no two objects share kind, namespace and name", () => {
                const seen = new Map<string, string>();
                const dupes: string[] = [];
                for (const { file, object } of rendered.objects) {
                    const o = object as Record<string, any>;
                    const key = `${o.apiVersion?.split("/")[0]}/${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
                    if (seen.has(key)) {
                        dupes.push(`${key} in ${seen.get(key)} and ${file}`);
                    }
                    seen.set(key, file);
                }
                assert.deepStrictEqual(dupes, []);
            });
        });
    }

    // One render holds one PDB either way; the collision is between renders. Before the fix the
    // program declared it up to 1 replica and the chart above, so crossing 1 handed one object
    // between two Pulumi resources: the create of the new owner met the live object (AlreadyExists,
    // or an upsert), then the delete of the old owner removed it.
    describe("across replica counts (after the renders above)", () => it("the same resource, the program's, declares it at every replica count, so crossing a threshold hands nothing over", () => {
        assert.deepStrictEqual([...owners.keys()], [1, 2, 3, 5], "every render ran");
        const files = [...owners.values()];
        assert.ok(files.every((f) => f.length === 1 && f[0] === files[0][0]), `owners by replica count: ${JSON.stringify(Object.fromEntries(owners))}`);
        assert.match(files[0][0], /^manifests\//, "a program manifest, not a chart child");
    }));

    it("the program's PDB takes over the chart's old child in a stack's state (alias), so no delete follows an upsert", async () => {
        const stack = "datanode-alias";
        const run = await serially(() => runProgram(stack, { stackFile: stackFileWith(dir, stack, 3) }));
        const pdb = run.resources.find((r) => r.inputs.kind === "PodDisruptionBudget" && r.inputs.metadata.name === "graylog-datanode")!;
        const chart = run.resources.find((r) => r.inputs.chart === "graylog")!;
        assert.ok(pdb && chart);
        // The engine resolves the spec to <chart's URN>$kubernetes:policy/v1:PodDisruptionBudget::<chart>:<ns>/graylog-datanode.
        assert.deepStrictEqual(pdb.aliases.map((a) => (typeof a === "string" ? a : { name: a.name, parent: a.parenturn })), [
            { name: `${chart.name}:${pdb.inputs.metadata.namespace}/graylog-datanode`, parent: chart.urn },
        ]);
        assert.strictEqual(pdb.parent, chart.parent, "a child of the Graylog component, not of the chart");
    });
});

import * as assert from "assert";
import { Cluster, Result } from "../../../scripts/lab/kube";
import { main } from "../../../scripts/maintenance/index";

/** A cluster that answers only `config get-contexts` from the kubeconfig, and records every call. */
class Kubeconfig extends Cluster {
    readonly calls: string[][] = [];
    override async kubectl(args: readonly string[]): Promise<Result> {
        this.calls.push([...args]);
        return args.join(" ") === "config get-contexts -o name" ? { code: 0, stdout: "kind-obs\nstaging\n", stderr: "" } : { code: 1, stdout: "", stderr: "not in this test" };
    }
}

function run(argv: string[]) {
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    const connected: Kubeconfig[] = [];
    const code = main(argv, io, (context) => {
        const c = new Kubeconfig(context);
        connected.push(c);
        return c;
    });
    return code.then((c) => ({ code: c, text: lines.join("\n"), connected }));
}

describe("maintenance: the command", () => {
    it("answers bad arguments with exit 2, the argument named, and the usage, before it connects", async () => {
        const r = await run(["drain", "worker-a1", "--drain-timeout", "soon"]);
        assert.strictEqual(r.code, 2);
        assert.match(r.text, /^error: --drain-timeout: "soon" is not a duration/);
        assert.match(r.text, /usage: npm run maintenance -- drain <node>/);
        assert.deepStrictEqual(r.connected, []);
    });

    it("answers a context the kubeconfig does not have with exit 2, listing its contexts, having read only the kubeconfig", async () => {
        const r = await run(["drain", "worker-a1", "--context", "prod"]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(r.text, 'error: --context: no context "prod" in the kubeconfig (contexts: kind-obs, staging)');
        assert.deepStrictEqual(r.connected[0].calls, [["config", "get-contexts", "-o", "name"]]);
    });

    it("goes on to the cluster with a context the kubeconfig has, failing with exit 1 when the cluster does not answer", async () => {
        const r = await run(["drain", "worker-a1", "--context", "staging"]);
        assert.strictEqual(r.code, 1);
        assert.strictEqual(r.connected[0].context, "staging");
        assert.match(r.text, /^FAILED: kubectl get nodes -A -o json: not in this test/m);
    });
});

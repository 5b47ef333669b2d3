import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Subject } from "../../policies/lib/kube";
import { evaluate } from "../../policies/rules";
import { ROOT, runProgram } from "../../scripts/mock-program";
import { stackRun } from "../helpers/program";

/** Every Kubernetes object the program declares, as CrossGuard would see it. */
export function programSubjects(resources: Awaited<ReturnType<typeof runProgram>>["resources"]): Subject[] {
    return resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => ({ type: r.type, urn: r.urn, name: r.name, object: r.inputs }));
}

describe("the policy pack on the whole program", () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policies/config.json"), "utf8"));
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: no mandatory violation`, async () => {
            const run = await stackRun(stack);
            const report = evaluate(programSubjects(run.resources), config);
            const blocking = report.violations.filter((v) => v.level === "mandatory");
            assert.deepStrictEqual(blocking.map((v) => `${v.rule}: ${v.message}`), []);
            assert.ok(report.objects > 5, "the program's objects were judged");
        });
    }
});

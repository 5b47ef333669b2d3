/**
 * One mocked program run per stack file, shared by every test that reads it: the program is
 * deterministic for the same stack file, and a run costs seconds. Tests must not mutate it;
 * tests that change config, or compare two runs, call runProgram themselves.
 */
import { ProgramRun, runProgram } from "../../scripts/mock-program";

const runs = new Map<string, Promise<ProgramRun>>();

export function stackRun(stack: string): Promise<ProgramRun> {
    let run = runs.get(stack);
    if (run === undefined) {
        run = runProgram(stack).then((r) => ({ ...r, resources: deepFreeze(r.resources) }));
        runs.set(stack, run);
    }
    return run;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value as Record<string, unknown>)) {
            deepFreeze(child);
        }
    }
    return value;
}

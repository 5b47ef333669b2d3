import * as assert from "assert";
import { evaluate, RULES } from "../../policies/rules";
import { CASES } from "./cases";
import { crossGuardMessages } from "./crossguard-harness";
import { subjects } from "./fixtures";

/** Every rule's messages for a case, as the checker's engine reports them. */
export function checkerMessages(objects: Parameters<typeof subjects>): Record<string, string[]> {
    const report = evaluate(subjects(...objects));
    return Object.fromEntries(RULES.map((r) => [r.name, report.violations.filter((v) => v.rule === r.name).map((v) => v.message).sort()]));
}

describe("one table of cases, through the checker and the CrossGuard wrappers", () => {
    for (const c of CASES) {
        it(c.name, async () => {
            const checker = checkerMessages(c.objects);
            for (const rule of RULES.map((r) => r.name)) {
                const expected = c.expect[rule] ?? [];
                assert.strictEqual(checker[rule].length, expected.length, `${rule}: ${JSON.stringify(checker[rule])}`);
                for (const text of expected) {
                    assert.ok(checker[rule].some((m) => m.includes(text)), `${rule}: "${text}" not in ${JSON.stringify(checker[rule])}`);
                }
            }
            assert.deepStrictEqual(crossGuardMessages(c.objects), checker);
        });
    }
});

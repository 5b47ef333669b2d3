import * as assert from "assert";
import { toCrossGuard } from "../../policies/crossguard";
import { podCoveredByOnePdb } from "../../policies/pod-covered-by-one-pdb";
import { resourceOf, runStack, sdk } from "./crossguard-harness";
import { pdb, statefulSet } from "./fixtures";

describe("pod-covered-by-one-pdb with selectors unknown during preview", () => {
    const one = toCrossGuard(podCoveredByOnePdb) as any;
    const unknownSelector = pdb("u", "data", { selector: sdk.unknownObjectValue });

    it("a known PDB and one with an unknown selector may double-cover: not checked, and says which", () => {
        assert.deepStrictEqual(runStack(one, [resourceOf(statefulSet()), resourceOf(pdb("a", "data", { selector: { matchLabels: { app: "db" } } })), resourceOf(unknownSelector)]), {
            messages: [], urns: [], notApplicable: "could not check during preview: StatefulSet data/db: PodDisruptionBudget data/u may also select its pods",
        });
    });

    it("one PDB with an unknown selector alone cannot double-cover", () => {
        assert.deepStrictEqual(runStack(one, [resourceOf(statefulSet()), resourceOf(unknownSelector)]), { messages: [], urns: [] });
    });
});

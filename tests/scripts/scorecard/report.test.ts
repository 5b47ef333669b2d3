import * as assert from "assert";
import { parseExemptions } from "../../../scripts/scorecard/exemptions";
import { Finding, Graded } from "../../../scripts/scorecard/findings";
import { judge, problemLines, Scores, scorecardSection, SCORECARD_MARKERS, withScorecard } from "../../../scripts/scorecard/report";

const FILE = "policies/kube-score-exemptions.yaml";
const exemptions = parseExemptions(`- check: pod-networkpolicy
  reason: "not yet hardened: issue 28 item 3."
  objects:
    - Deployment/web/api
- check: container-image-pull-policy
  reason: Every image is pinned by tag.
  objects:
    - Deployment/web/api:app
    - Deployment/web/gone:app
`, FILE, [{ id: "pod-networkpolicy", optional: false }, { id: "container-image-pull-policy", optional: false }], [], ["dev", "prod"]);

const finding = (stack: string, check: string, object: string, path = "", summaries = ["s"]): Finding => ({ stack, check, object, path, summaries });
const graded = (stack: string, check: string, object: string, passed: boolean): Graded => ({ stack, check, object, passed });

/** dev and prod: api flagged for both checks everywhere; worker passes both; prod's worker flags the pull policy of a new container. */
const scores: Scores = {
    stacks: ["dev", "prod"],
    findings: [
        finding("dev", "pod-networkpolicy", "Deployment/web/api"),
        finding("prod", "pod-networkpolicy", "Deployment/web/api"),
        finding("dev", "container-image-pull-policy", "Deployment/web/api", "app"),
        finding("prod", "container-image-pull-policy", "Deployment/web/worker", "new", ["ImagePullPolicy is not set to Always"]),
    ],
    graded: [
        graded("dev", "pod-networkpolicy", "Deployment/web/api", false), graded("prod", "pod-networkpolicy", "Deployment/web/api", false),
        graded("dev", "pod-networkpolicy", "Deployment/web/worker", true), graded("prod", "pod-networkpolicy", "Deployment/web/worker", true),
        graded("dev", "container-image-pull-policy", "Deployment/web/api", false), graded("prod", "container-image-pull-policy", "Deployment/web/api", true),
        graded("dev", "container-image-pull-policy", "Deployment/web/worker", true), graded("prod", "container-image-pull-policy", "Deployment/web/worker", false),
        graded("prod", "service-type", "Service/web/api", true),
    ],
};

describe("scorecard: findings judged against the exemptions", () => {
    const verdict = judge(scores, exemptions);

    it("sorts every finding into exempted or neither fixed nor exempted, and finds the exemptions that match nothing", () => {
        assert.strictEqual(verdict.exempted.length, 3);
        assert.deepStrictEqual(verdict.unexempted.map((f) => [f.stack, f.object, f.path]), [["prod", "Deployment/web/worker", "new"]]);
        assert.deepStrictEqual(verdict.stale.map((s) => s.target), ["Deployment/web/gone:app"]);
    });

    it("names the object, container, check, stacks and file of each problem, then the commands that fix the file", () => {
        assert.deepStrictEqual(problemLines(verdict, FILE), [
            `Deployment/web/worker (new): container-image-pull-policy: ImagePullPolicy is not set to Always [prod]: neither fixed nor exempted in ${FILE}`,
            `${FILE}:9: container-image-pull-policy exempts Deployment/web/gone:app, which kube-score no longer flags in any stack: remove it`,
            "fix them, or run npm run scorecard -- --write-missing and write each new entry's reason",
            "npm run scorecard -- --prune removes what no longer matches",
        ]);
        assert.deepStrictEqual(problemLines(judge({ ...scores, findings: scores.findings.slice(0, 3) }, exemptions.slice(0, 1)), FILE).slice(-1), [
            "fix them, or run npm run scorecard -- --write-missing and write each new entry's reason",
        ]);
    });

    it("shows per check and stack the objects that pass and the objects exempted, — where the check applies to none", () => {
        const section = scorecardSection(scores, judge({ ...scores, findings: scores.findings.slice(0, 3) }, exemptions), ["-o", "json"]);
        assert.ok(section.includes([
            "| check | dev | prod |",
            "|---|---|---|",
            "| `container-image-pull-policy` | 1 / 1 | 1 / 0 |",
            "| `pod-networkpolicy` | 1 / 1 | 1 / 1 |",
            "| `service-type` | — | 1 / 0 |",
        ].join("\n")), section);
        assert.match(section, /Exempted findings \(object, check, container\): dev 2 \(1 not yet hardened\), prod 1 \(1 not yet hardened\)\./);
        assert.match(section, /`kube-score score -o json`/);
    });

    it("replaces only what lies between the README's markers, and refuses a README without them", () => {
        const [start, end] = SCORECARD_MARKERS;
        assert.strictEqual(withScorecard(`intro\n${start}\nold\n${end}\nrest\n`, "new\n"), `intro\n${start}\nnew\n${end}\nrest\n`);
        assert.throws(() => withScorecard("intro\n", "new\n"), /README.md lacks the <!-- kube-score-scorecard:start -->/);
    });
});

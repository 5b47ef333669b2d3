import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../../../scripts/root";
import { EXEMPTIONS_FILE, STACKS } from "../../../scripts/scorecard";
import { OPTIONAL_CHECKS } from "../../../scripts/scorecard/kube-score";
import { exemptionFor, FORMAT, parseExemptions, pruned, staleExemptions, withMissing } from "../../../scripts/scorecard/exemptions";
import { Finding } from "../../../scripts/scorecard/findings";

const CHECKS = [
    { id: "container-image-pull-policy", optional: false },
    { id: "pod-networkpolicy", optional: false },
    { id: "container-seccomp-profile", optional: true },
    { id: "container-ports-check", optional: true },
];
const FILE = "policies/kube-score-exemptions.yaml";
const parse = (text: string, requireReasons = true) => parseExemptions(text, FILE, CHECKS, ["container-seccomp-profile"], ["dev", "staging", "prod"], { requireReasons });

const VALID = `# why these are exempted
- check: container-image-pull-policy
  reason: Every image is pinned by tag.
  objects:
    - Deployment/web/api:app
    - Job/web/setup-*:setup
- check: pod-networkpolicy
  reason: "not yet hardened: issue 28 item 3."
  stacks: [dev]
  objects:
    - Deployment/web/api
`;
const finding = (stack: string, check: string, object: string, path = ""): Finding => ({ stack, check, object, path, summaries: ["s"] });

describe("scorecard: the exemptions file", () => {
    it("reads each entry's check, reason, stacks and targets", () => {
        const [pull, policy] = parse(VALID);
        assert.deepStrictEqual({ ...pull, targets: pull.targets.map((t) => [t.object, t.path]) },
            { check: "container-image-pull-policy", reason: "Every image is pinned by tag.", stacks: undefined, line: 2, targets: [["Deployment/web/api", "app"], ["Job/web/setup-*", "setup"]] });
        assert.deepStrictEqual(policy.stacks, ["dev"]);
    });

    it("refuses an unknown key, naming the file, line, entry and the keys allowed", () => {
        assert.throws(() => parse(VALID.replace("  stacks: [dev]", "  stack: [dev]")),
            /^Error: policies\/kube-score-exemptions.yaml:7: entry 2 \(pod-networkpolicy\): unknown key "stack"; allowed: check, reason, stacks, objects$/);
    });

    it("refuses an empty reason, and lets the file's editors read one", () => {
        const skeleton = VALID.replace("reason: Every image is pinned by tag.", 'reason: ""');
        assert.throws(() => parse(skeleton), /:2: entry 1 \(container-image-pull-policy\): reason: empty; write why/);
        assert.strictEqual(parse(skeleton, false).length, 2);
    });

    it("refuses a check id kube-score does not know, and an optional check the scorecard does not enable", () => {
        assert.throws(() => parse(VALID.replace("check: pod-networkpolicy", "check: pod-network-policy")), /entry 2 \(pod-network-policy\): check: unknown check id "pod-network-policy"; kube-score 1.20.0 checks: container-image-pull-policy, /);
        assert.throws(() => parse(VALID.replace("check: pod-networkpolicy", "check: container-ports-check")), /"container-ports-check" is an optional check the scorecard does not enable \(it enables: container-seccomp-profile\)/);
    });

    it("refuses a target that is not Kind/namespace/name[:container], an unknown stack and an empty objects list", () => {
        assert.throws(() => parse(VALID.replace("- Deployment/web/api:app", "- web/api app")), /entry 1 \(container-image-pull-policy\): objects: "web\/api app" \(line 5\) is not Kind\/namespace\/name\[:container\]/);
        assert.throws(() => parse(VALID.replace("[dev]", "[dev, qa]")), /stacks: unknown stack "qa"; stacks: dev, staging, prod/);
        assert.throws(() => parse(VALID.replace("  objects:\n    - Deployment/web/api\n", "  objects: []\n")), /entry 2 \(pod-networkpolicy\): objects: must be a non-empty list/);
    });

    it("refuses a target exempted twice for the same check and stack", () => {
        const twice = `${VALID}- check: pod-networkpolicy\n  reason: again\n  objects:\n    - Deployment/web/api\n`;
        assert.throws(() => parse(twice), /:15: pod-networkpolicy exempts Deployment\/web\/api in dev again \(first at line 7\); keep one entry/);
    });

    it("refuses a file that is not a list, and reads an empty one as no exemption", () => {
        assert.throws(() => parse("check: pod-networkpolicy\n"), /:1: must be a list of exemptions/);
        assert.deepStrictEqual(parse("# nothing exempted\n"), []);
    });

    it("exempts a finding only for its check, its container, its stacks, and a name its * matches", () => {
        const exemptions = parse(VALID);
        const covered = (f: Finding) => exemptionFor(f, exemptions)?.check;
        assert.strictEqual(covered(finding("prod", "container-image-pull-policy", "Deployment/web/api", "app")), "container-image-pull-policy");
        assert.strictEqual(covered(finding("prod", "container-image-pull-policy", "Deployment/web/api", "sidecar")), undefined);
        assert.strictEqual(covered(finding("prod", "container-image-pull-policy", "Job/web/setup-daa7e8a11f", "setup")), "container-image-pull-policy");
        assert.strictEqual(covered(finding("dev", "pod-networkpolicy", "Deployment/web/api")), "pod-networkpolicy");
        assert.strictEqual(covered(finding("prod", "pod-networkpolicy", "Deployment/web/api")), undefined);
    });

    it("finds the targets no finding matches any more, in the stacks their entry covers", () => {
        const exemptions = parse(VALID);
        const findings = [finding("dev", "container-image-pull-policy", "Deployment/web/api", "app"), finding("prod", "pod-networkpolicy", "Deployment/web/api")];
        assert.deepStrictEqual(staleExemptions(exemptions, findings, ["dev", "staging", "prod"]).map((s) => [s.exemption.check, s.target, s.line]),
            [["container-image-pull-policy", "Job/web/setup-*:setup", 6], ["pod-networkpolicy", "Deployment/web/api", 11]]);
    });

    it("prunes stale targets, and entries left empty, keeping the rest and its comments", () => {
        const exemptions = parse(VALID);
        const stale = staleExemptions(exemptions, [finding("dev", "container-image-pull-policy", "Deployment/web/api", "app")], ["dev"]);
        assert.strictEqual(pruned(VALID, stale), "# why these are exempted\n- check: container-image-pull-policy\n  reason: Every image is pinned by tag.\n  objects:\n    - Deployment/web/api:app\n");
    });

    it("appends a skeleton entry per check for missing findings, which validation refuses until it has a reason", () => {
        const missing = [
            finding("dev", "pod-networkpolicy", "Job/web/setup-0123456789"),
            finding("prod", "pod-networkpolicy", "Job/web/setup-abcdef0123"),
            finding("staging", "container-seccomp-profile", "Deployment/web/api", "app"),
        ];
        const passingIn = (check: string) => (check === "container-seccomp-profile" ? ["prod"] : []);
        const text = withMissing(VALID, missing, passingIn, ["dev", "staging", "prod"]);
        assert.strictEqual(text.slice(VALID.length), [
            "- check: container-seccomp-profile", '  reason: ""', "  stacks: [staging]", "  objects:", "    - Deployment/web/api:app",
            "- check: pod-networkpolicy", '  reason: ""', "  objects:", "    - Job/web/setup-*", "",
        ].join("\n"));
        assert.throws(() => parse(text), /entry 3 \(container-seccomp-profile\): reason: empty[^\n]*\n[^\n]*entry 4 \(pod-networkpolicy\): reason: empty/);
    });

    it("covers exactly the project's stacks, one Pulumi.<stack>.yaml each", () => {
        const files = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]);
        assert.deepStrictEqual([...files].sort(), [...STACKS].sort());
    });

    it(`${EXEMPTIONS_FILE} is written as the scorecard's editors write it, so --prune and --write-missing change only what they edit`, () => {
        const text = fs.readFileSync(path.join(ROOT, EXEMPTIONS_FILE), "utf8");
        assert.strictEqual(YAML.parseDocument(text).toString(FORMAT), text);
        const checks = [...new Set(YAML.parse(text).map((e: { check: string }) => e.check))].map((id) => ({ id: id as string, optional: OPTIONAL_CHECKS.includes(id as string) }));
        assert.ok(parseExemptions(text, EXEMPTIONS_FILE, checks, OPTIONAL_CHECKS, STACKS).length > 0);
    });
});

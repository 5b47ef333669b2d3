/**
 * `npm run scorecard [-- --rendered <dir>] [--write-missing] [--prune] [--readme]`
 *
 * Runs kube-score 1.20.0 (built and cached by tools/kube-score/build.sh) over every stack's
 * offline render and compares each finding with policies/kube-score-exemptions.yaml. Fails (exit
 * 1) on a finding that is neither fixed nor exempted, on an exemption that matches no finding any
 * more, and on an invalid exemptions file; exit 2 on bad arguments.
 *
 *   --rendered <dir>   read <dir>/<stack> (npm run render -- dev staging prod --out <dir>) instead
 *                      of rendering every stack in-process
 *   --write-missing    append a skeleton entry, without a reason, for each finding no entry exempts
 *   --prune            remove the targets (and the entries left empty) that match no finding
 *   --readme           write the per-stack scorecard into README.md (only when nothing is wrong)
 */
import * as fs from "fs";
import * as path from "path";
import { CONSOLE, Io } from "../io";
import { renderStack } from "../render";
import { ROOT } from "../root";
import { parseExemptions, pruned, staleExemptions, withMissing } from "./exemptions";
import { knownChecks, KUBE_SCORE_FLAGS, kubeScoreBinary, OPTIONAL_CHECKS, renderStream, renderStreamAt, scoreAll } from "./kube-score";
import { judge, problemLines, scorecardSection, withScorecard } from "./report";

/** The project's stacks (Pulumi.<stack>.yaml), in the order .ci/run renders them. */
export const STACKS = ["dev", "staging", "prod"] as const;

export const EXEMPTIONS_FILE = "policies/kube-score-exemptions.yaml";

class UsageError extends Error {}

interface Options {
    readonly rendered?: string;
    readonly writeMissing: boolean;
    readonly prune: boolean;
    readonly readme: boolean;
}

const USAGE = "usage: npm run scorecard -- [--rendered <dir>] [--write-missing] [--prune] [--readme]";

function parseArgs(argv: readonly string[]): Options {
    const rest = [...argv];
    let rendered: string | undefined;
    const flags = new Set<string>();
    while (rest.length > 0) {
        const arg = rest.shift()!;
        if (arg === "--rendered") {
            rendered = rest.shift();
            if (!rendered) throw new UsageError(`--rendered needs a directory; ${USAGE}`);
        } else if (["--write-missing", "--prune", "--readme"].includes(arg)) {
            flags.add(arg);
        } else {
            throw new UsageError(`unknown argument ${arg}; ${USAGE}`);
        }
    }
    return { rendered, writeMissing: flags.has("--write-missing"), prune: flags.has("--prune"), readme: flags.has("--readme") };
}

export async function main(argv: readonly string[], io: Io = CONSOLE): Promise<number> {
    let options: Options;
    try {
        options = parseArgs(argv);
    } catch (err) {
        io.err(`error: ${(err as Error).message}`);
        return 2;
    }
    try {
        const bin = kubeScoreBinary();
        const checks = knownChecks(bin);
        const streams: Array<[string, string]> = [];
        for (const stack of STACKS) {
            streams.push([stack, options.rendered ? renderStreamAt(path.join(options.rendered, stack)) : renderStream((await renderStack(stack)).files)]);
        }
        const scores = scoreAll(bin, streams);
        const file = path.join(ROOT, EXEMPTIONS_FILE);
        const read = () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
        const parse = (text: string, requireReasons: boolean) => parseExemptions(text, EXEMPTIONS_FILE, checks, OPTIONAL_CHECKS, STACKS, { requireReasons });
        if (options.prune || options.writeMissing) {
            let text = read();
            if (options.prune) {
                text = pruned(text, staleExemptions(parse(text, false), scores.findings, scores.stacks));
            }
            if (options.writeMissing) {
                const missing = judge(scores, parse(text, false)).unexempted;
                const passingIn = (check: string, object: string) =>
                    scores.graded.filter((g) => g.check === check && g.object === object && g.passed).map((g) => g.stack);
                text = withMissing(text, missing, passingIn, scores.stacks);
            }
            if (text !== read()) {
                fs.writeFileSync(file, text);
                io.out(`wrote ${EXEMPTIONS_FILE}`);
            }
        }
        const verdict = judge(scores, parse(read(), true));
        const problems = problemLines(verdict, EXEMPTIONS_FILE);
        for (const stack of scores.stacks) {
            const graded = scores.graded.filter((g) => g.stack === stack);
            const objects = new Set(graded.map((g) => g.object)).size;
            const exempted = verdict.exempted.filter((e) => e.finding.stack === stack).length;
            const open = verdict.unexempted.filter((f) => f.stack === stack).length;
            io.out(`kube-score ${stack}: ${objects} objects, ${graded.filter((g) => g.passed).length} checks passed, ${exempted} findings exempted, ${open} neither fixed nor exempted`);
        }
        if (problems.length > 0) {
            problems.forEach((line) => io.err(line));
            return 1;
        }
        if (options.readme) {
            const readme = path.join(ROOT, "README.md");
            fs.writeFileSync(readme, withScorecard(fs.readFileSync(readme, "utf8"), scorecardSection(scores, verdict, KUBE_SCORE_FLAGS)));
            io.out("wrote the scorecard into README.md");
        }
        return 0;
    } catch (err) {
        io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

import * as fs from "fs";
import * as path from "path";

/**
 * The project root: the nearest folder above this file that holds Pulumi.yaml. The same code then
 * works from the sources (ts-node, Stryker) and compiled into `.build/` (npm test).
 */
export const ROOT = projectRoot(__dirname);

function projectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no Pulumi.yaml in ${from} or above it`);
        }
    }
}

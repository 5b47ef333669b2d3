/** A reader for Fluent Bit's classic configuration format, to check what the program renders. */
export interface ParsedSection {
    /** `INCLUDE` for an `@INCLUDE <path>` line, whose path is its `Path` entry. */
    readonly name: string;
    /** Each key's first value. */
    readonly entries: Map<string, string>;
    /** Every key and value in order, repeated keys included. */
    readonly all: ReadonlyArray<readonly [string, string]>;
}

/**
 * Keys a section may carry more than once (FLB_CONFIG_MAP_MULT: in_systemd's systemd_filter,
 * filter_modify's Add, Fluent Bit 4.2.2); any other key set twice is a mistake.
 */
const REPEATABLE = new Set(["systemd_filter", "add"]);

export function parseFluentBit(text: string): ParsedSection[] {
    const sections: Array<{ name: string; entries: Map<string, string>; all: Array<[string, string]> }> = [];
    text.split("\n").forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            return;
        }
        // Read only at the start of a line (src/config_format/flb_cf_fluentbit.c).
        const include = /^@INCLUDE (\S+)$/.exec(raw);
        if (include) {
            sections.push({ name: "INCLUDE", entries: new Map([["Path", include[1]]]), all: [["Path", include[1]]] });
            return;
        }
        const header = /^\[([A-Z_]+)\]$/.exec(line);
        if (header) {
            sections.push({ name: header[1], entries: new Map(), all: [] });
            return;
        }
        const entry = /^(\S+)\s+(.+)$/.exec(line);
        if (!entry || sections.length === 0 || !raw.startsWith("    ")) {
            throw new Error(`line ${i + 1} is neither a section header nor an indented key/value: ${raw}`);
        }
        const current = sections[sections.length - 1];
        if (current.entries.has(entry[1]) && !REPEATABLE.has(entry[1].toLowerCase())) {
            throw new Error(`line ${i + 1}: ${entry[1]} set twice in [${current.name}]`);
        }
        if (!current.entries.has(entry[1])) {
            current.entries.set(entry[1], entry[2]);
        }
        current.all.push([entry[1], entry[2]]);
    });
    return sections;
}

/** Fluent Bit's tag matching: `*` matches any run of characters. */
export function tagMatches(pattern: string, tag: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(tag);
}

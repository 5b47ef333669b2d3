/** A reader for Fluent Bit's classic configuration format, to check what the program renders. */
export interface ParsedSection {
    readonly name: string;
    readonly entries: Map<string, string>;
}

export function parseFluentBit(text: string): ParsedSection[] {
    const sections: ParsedSection[] = [];
    text.split("\n").forEach((raw, i) => {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            return;
        }
        const header = /^\[([A-Z_]+)\]$/.exec(line);
        if (header) {
            sections.push({ name: header[1], entries: new Map() });
            return;
        }
        const entry = /^(\S+)\s+(.+)$/.exec(line);
        if (!entry || sections.length === 0 || !raw.startsWith("    ")) {
            throw new Error(`line ${i + 1} is neither a section header nor an indented key/value: ${raw}`);
        }
        const current = sections[sections.length - 1];
        if (current.entries.has(entry[1])) {
            throw new Error(`line ${i + 1}: ${entry[1]} set twice in [${current.name}]`);
        }
        current.entries.set(entry[1], entry[2]);
    });
    return sections;
}

/** Fluent Bit's tag matching: `*` matches any run of characters. */
export function tagMatches(pattern: string, tag: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(tag);
}

/**
 * Fluent Bit's configuration as data, rendered to its classic format. Keeping it typed lets the
 * tests parse the output back and prove every parser and output it names is defined, and lets
 * the README describe exactly what the agent does.
 */
import { REDACT_FUNCTION } from "./redaction";

/** `INCLUDE` renders as `@INCLUDE <Path>`: the classic format reads that file in its place. */
export type Section = { readonly name: "SERVICE" | "INPUT" | "FILTER" | "OUTPUT" | "PARSER" | "MULTILINE_PARSER" | "INCLUDE"; readonly entries: ReadonlyArray<readonly [string, string]> };

/** Built into Fluent Bit; everything else must be defined in parsers.conf. */
export const BUILTIN_MULTILINE_PARSERS = ["cri", "docker", "go", "java", "python"] as const;

export const STATE_DIR = "/var/fluent-bit/state";
export const CONFIG_DIR = "/fluent-bit/etc";
export const ES_CA_FILE = "/fluent-bit/tls/ca.crt";
export const METRICS_PORT = 2020;
/** An emptyDir where the init container writes the node-log inputs that suit the node. */
export const NODE_INPUTS_DIR = "/fluent-bit/node";
export const NODE_INPUTS_FILE = `${NODE_INPUTS_DIR}/inputs.conf`;
export const REDACTION_SCRIPT = "redact.lua";

/**
 * Where journald keeps the journal: /var/log/journal when that directory exists (persistent
 * storage, `Storage=auto`), else /run/log/journal (volatile). Each gets an input of its own,
 * because in_systemd's `Path` takes one directory (plugins/in_systemd/systemd_config.c).
 */
export const JOURNAL_DIRS = { var: "/var/log/journal", run: "/run/log/journal" } as const;
/** What nodes without a journal log to: Debian's rsyslog and RHEL's, and busybox syslogd. */
export const SYSLOG_FILES = ["/var/log/syslog", "/var/log/messages"] as const;
/** The units whose logs a node incident is read in; kernel messages come by their transport. */
export const JOURNAL_UNITS = ["kubelet.service", "containerd.service", "crio.service"] as const;

export interface FluentBitConfigInput {
    /** Namespace Fluent Bit runs in; its own logs are excluded from collection. */
    readonly namespace: string;
    readonly elasticsearch: { readonly host: string; readonly port: number; readonly dataStream: string };
    /** Where GELF goes when Graylog is enabled. */
    readonly graylog?: { readonly host: string; readonly port: number };
    /** Per-output cap on the filesystem buffer, in mebibytes. */
    readonly bufferLimitMb: number;
    /** Node logs (tag `node.*`) and the data stream they go to; off when absent. */
    readonly nodeLogs?: { readonly dataStream: string };
    /** Run `REDACTION_SCRIPT` (in the configuration directory) over every record. */
    readonly redaction?: boolean;
}

/**
 * The node-log outputs' buffer: node logs are a small share of the volume, so a quarter still
 * holds hours of them, and node logs add a quarter to the agent's disk use on the node instead
 * of doubling it.
 */
export function nodeBufferLimitMb(bufferLimitMb: number): number {
    return Math.max(1, Math.floor(bufferLimitMb / 4));
}

function section(name: Section["name"], entries: Array<[string, string | number]>): Section {
    return { name, entries: entries.map(([k, v]) => [k, String(v)] as const) };
}

/**
 * Application log levels (lifted to the top level by Merge_Log) as syslog severities in
 * `gelf_level`, the GELF output's level key. Fluent Bit 4.2.2's gelf packer (src/flb_pack_gelf.c)
 * maps only a digit or an exact syslog keyword, so "error" or "WARN" would reach Graylog as a
 * string, and GelfDecoder keeps `level` only when it is an integer: severity streams would then
 * match nothing. Regexes are case-insensitive through the `/.../i` form (src/flb_regex.c).
 */
export const GELF_LEVELS: ReadonlyArray<readonly [string, number]> = [
    ["/^(emerg|emergency)$/i", 0],
    ["/^alert$/i", 1],
    ["/^(crit|critical|fatal|panic)$/i", 2],
    ["/^(err|error)$/i", 3],
    ["/^(warn|warning)$/i", 4],
    ["/^notice$/i", 5],
    ["/^(info|information|informational)$/i", 6],
    ["/^(debug|trace)$/i", 7],
];
export const GELF_LEVEL_KEY = "gelf_level";

function esOutput(input: FluentBitConfigInput, alias: string, match: string, dataStream: string, limitMb: number): Section {
    return section("OUTPUT", [
        ["Name", "es"],
        ["Alias", alias],
        ["Match", match],
        ["Host", input.elasticsearch.host],
        ["Port", input.elasticsearch.port],
        ["HTTP_User", "${ES_USER}"],
        ["HTTP_Passwd", "${ES_PASSWORD}"],
        ["tls", "On"],
        ["tls.verify", "On"],
        ["tls.ca_file", ES_CA_FILE],
        // A data stream: Elasticsearch 8 has no _type, data streams take op_type create only,
        // and the index template's ILM policy rolls it over and deletes old backing indices.
        ["Index", dataStream],
        ["Write_Operation", "create"],
        ["Suppress_Type_Name", "On"],
        // Label keys such as app.kubernetes.io/name would otherwise clash with "app".
        ["Replace_Dots", "On"],
        ["Generate_ID", "On"],
        ["Buffer_Size", "1M"],
        ["Trace_Error", "On"],
        ["Retry_Limit", "no_limits"],
        ["storage.total_limit_size", `${limitMb}M`],
    ]);
}

export function fluentBitSections(input: FluentBitConfigInput): Section[] {
    const sections: Section[] = [
        section("SERVICE", [
            ["Flush", 5],
            ["Grace", 30],
            ["Log_Level", "info"],
            ["Daemon", "off"],
            ["Parsers_File", `${CONFIG_DIR}/parsers.conf`],
            ["HTTP_Server", "On"],
            ["HTTP_Listen", "0.0.0.0"],
            ["HTTP_Port", METRICS_PORT],
            // /api/v1/health turns unhealthy after 5 errors or 5 failed retries in 60s: the
            // readiness probe (fluent-bit.ts) reports an agent whose outputs fail.
            ["Health_Check", "On"],
            ["HC_Errors_Count", 5],
            ["HC_Retry_Failure_Count", 5],
            ["HC_Period", 60],
            ["storage.path", `${STATE_DIR}/flb-storage/`],
            ["storage.sync", "normal"],
            ["storage.checksum", "off"],
            ["storage.backlog.mem_limit", "16M"],
            ["storage.max_chunks_up", 128],
            ["storage.metrics", "on"],
        ]),
        section("INPUT", [
            ["Name", "tail"],
            ["Tag", "kube.*"],
            ["Path", "/var/log/containers/*.log"],
            // Its own logs would loop back through every output error it reports.
            ["Exclude_Path", `/var/log/containers/fluent-bit-*_${input.namespace}_*.log`],
            ["multiline.parser", "cri, docker"],
            ["DB", `${STATE_DIR}/tail-containers.db`],
            ["DB.locking", "true"],
            ["Skip_Long_Lines", "On"],
            ["Refresh_Interval", 10],
            ["Rotate_Wait", 30],
            ["Mem_Buf_Limit", "32MB"],
            ["storage.type", "filesystem"],
        ]),
        section("FILTER", [
            ["Name", "kubernetes"],
            ["Match", "kube.*"],
            ["Kube_URL", "https://kubernetes.default.svc:443"],
            ["Kube_Tag_Prefix", "kube.var.log.containers."],
            ["Merge_Log", "On"],
            // Kept even when merged: GELF needs a short message, and the raw line is the audit copy.
            ["Keep_Log", "On"],
            ["K8S-Logging.Parser", "On"],
            ["K8S-Logging.Exclude", "On"],
            ["Labels", "On"],
            ["Annotations", "Off"],
            ["Buffer_Size", "256k"],
        ]),
        section("FILTER", [
            ["Name", "modify"],
            ["Match", "kube.*"],
            ["Add", "cluster_agent fluent-bit"],
        ]),
        esOutput(input, "elasticsearch", "kube.*", input.elasticsearch.dataStream, input.bufferLimitMb),
    ];
    if (input.nodeLogs) {
        // The classic format reads the file in place of the line (src/config_format/flb_cf_fluentbit.c);
        // the init container wrote it from the node input files below.
        sections.splice(1, 0, { name: "INCLUDE", entries: [["Path", NODE_INPUTS_FILE]] });
        sections.push(
            section("FILTER", [
                ["Name", "modify"],
                ["Match", "node.*"],
                // The Kubernetes name of the node, which the journal's hostname need not be.
                ["Add", "node_name ${NODE_NAME}"],
                ["Add", "cluster_agent fluent-bit"],
            ]),
            esOutput(input, "elasticsearch-node", "node.*", input.nodeLogs.dataStream, nodeBufferLimitMb(input.bufferLimitMb)),
        );
    }
    if (input.redaction) {
        // After the kubernetes filter, so fields Merge_Log lifted out of the line are masked too;
        // every tag, so both outputs of both kinds of log get the masked record.
        sections.push(section("FILTER", [
            ["Name", "lua"],
            ["Match", "*"],
            ["Script", `${CONFIG_DIR}/${REDACTION_SCRIPT}`],
            ["Call", REDACT_FUNCTION],
            // Without it a JSON null has no Lua value and its key would vanish from a masked record
            // (src/flb_lua.c pushes flb_null only when it is set).
            ["Enable_Flb_Null", "On"],
        ]));
    }
    if (input.graylog) {
        sections.push(...GELF_LEVELS.map(([pattern, level]) => section("FILTER", [
            ["Name", "modify"],
            ["Match", "kube.*"],
            ["Condition", `Key_value_matches level ${pattern}`],
            ["Set", `${GELF_LEVEL_KEY} ${level}`],
        ])));
        const graylog = input.graylog;
        /** A GELF output over TCP that retries forever within its share of the buffer. */
        const gelf = (alias: string, match: string, keys: Array<[string, string | number]>, bufferMb: number) => section("OUTPUT", [
            ["Name", "gelf"],
            ["Alias", alias],
            ["Match", match],
            ["Host", graylog.host],
            ["Port", graylog.port],
            ["Mode", "tcp"],
            ...keys,
            ["Retry_Limit", "no_limits"],
            ["storage.total_limit_size", `${bufferMb}M`],
        ]);
        sections.push(gelf("graylog", "kube.*", [
            ["Gelf_Short_Message_Key", "log"],
            ["Gelf_Timestamp_Key", "time"],
            ["Gelf_Level_Key", GELF_LEVEL_KEY],
        ], input.bufferLimitMb));
        if (input.nodeLogs) {
            sections.push(gelf("graylog-node", "node.*", [
                // Both node inputs put the line under `message`; without a timestamp key the
                // gelf packer (src/flb_pack_gelf.c) sends the record's own time.
                ["Gelf_Short_Message_Key", "message"],
                // The journal's PRIORITY is a syslog severity digit, which the packer takes as the level.
                ["Gelf_Level_Key", "priority"],
                // GELF's `host`: the node, by its Kubernetes name, which both node inputs get.
                ["Gelf_Host_Key", "node_name"],
            ], nodeBufferLimitMb(input.bufferLimitMb)));
        }
    }
    return sections;
}

/** Options both node inputs share: where they keep their position, and the buffer. */
function nodeInput(entries: Array<[string, string | number]>, db: string): Section {
    return section("INPUT", [
        ...entries,
        ["DB", `${STATE_DIR}/${db}`],
        ["Mem_Buf_Limit", "16MB"],
        ["storage.type", "filesystem"],
    ]);
}

/**
 * One journal directory (option names from plugins/in_systemd/systemd.c, config_map, v4.2.2).
 * An explicit `Path` opens the directory with sd_journal_open_directory, which reads the
 * machine-ID subdirectories in it; without one, in_systemd opens the journal SD_JOURNAL_LOCAL_ONLY,
 * which reads /var/log/journal only under the container's own /etc/machine-id (systemd
 * src/libsystemd/sd-journal/sd-journal.c, add_directory).
 */
export function journalInputSection(dir: string, db: string): Section {
    return nodeInput([
        ["Name", "systemd"],
        ["Tag", "node.journal"],
        ["Path", dir],
        // Matches on different fields are ANDed unless each is followed by a disjunction, which
        // the "or" type adds (systemd_config.c).
        ...JOURNAL_UNITS.map((unit): [string, string] => ["Systemd_Filter", `_SYSTEMD_UNIT=${unit}`]),
        ["Systemd_Filter", "_TRANSPORT=kernel"],
        ["Systemd_Filter_Type", "Or"],
        // A first start reads from now on, not the whole journal (gigabytes on a long-lived node);
        // after that the cursor in the DB says where to resume.
        ["Read_From_Tail", "On"],
        // MESSAGE, _SYSTEMD_UNIT, PRIORITY become message, systemd_unit, priority: the syslog
        // fallback's key and the node-logs template's field names.
        ["Lowercase", "On"],
        ["Strip_Underscores", "On"],
        ["DB.Sync", "Normal"],
    ], db);
}

/**
 * The files nodes without a journal write (options from plugins/in_tail/tail.c, config_map,
 * v4.2.2: `path` is a comma-separated list, and a path that matches no file is only logged at
 * debug level, plugins/in_tail/tail_scan_glob.c). The whole files: syslog lines have no unit
 * field to filter on.
 */
export function syslogInputSection(): Section {
    return nodeInput([
        ["Name", "tail"],
        ["Tag", "node.syslog"],
        ["Path", SYSLOG_FILES.join(", ")],
        // The journal's key for the line, so both kinds of node log read alike.
        ["Key", "message"],
        ["Path_Key", "file"],
        ["DB.locking", "true"],
        ["Skip_Long_Lines", "On"],
        ["Refresh_Interval", 10],
        ["Rotate_Wait", 30],
    ], "tail-syslog.db");
}

/** The node input files the ConfigMap carries, by file name, for the init container to choose from. */
export function nodeInputFiles(): Record<string, string> {
    return {
        "node-journal-var.conf": renderSections([journalInputSection(JOURNAL_DIRS.var, "journal-var.db")]),
        "node-journal-run.conf": renderSections([journalInputSection(JOURNAL_DIRS.run, "journal-run.db")]),
        "node-syslog.conf": renderSections([syslogInputSection()]),
    };
}

/**
 * The init container's script: which node inputs this node gets. /var/log/journal is read when
 * it exists (journald writes there then), /run/log/journal when it holds anything (a volatile
 * journal; the program's own mount creates it empty elsewhere), and the syslog files only when
 * neither applies, since journald-based nodes that also run rsyslog would send every line twice.
 */
export function nodeInputsScript(): string {
    const conf = (file: string) => `${CONFIG_DIR}/${file}`;
    return [
        "set -eu",
        `out=${NODE_INPUTS_FILE}`,
        ': > "$out"',
        `if [ -d ${JOURNAL_DIRS.var} ]; then cat ${conf("node-journal-var.conf")} >> "$out"; fi`,
        `if [ -n "$(ls -A ${JOURNAL_DIRS.run})" ]; then cat ${conf("node-journal-run.conf")} >> "$out"; fi`,
        `if [ ! -s "$out" ]; then cat ${conf("node-syslog.conf")} >> "$out"; fi`,
        'grep -E "^ +(Name|Path) " "$out"',
        "",
    ].join("\n");
}

/** Parsers referenced by `K8S-Logging.Parser` annotations that the platform itself offers. */
export function parserSections(): Section[] {
    return [
        section("PARSER", [["Name", "json"], ["Format", "json"], ["Time_Key", "time"], ["Time_Format", "%Y-%m-%dT%H:%M:%S.%L%z"], ["Time_Keep", "On"]]),
        section("PARSER", [
            ["Name", "logfmt"],
            ["Format", "logfmt"],
        ]),
    ];
}

export function renderSections(sections: readonly Section[]): string {
    return sections
        .map((s) => (s.name === "INCLUDE"
            ? `@INCLUDE ${s.entries[0][1]}`
            : [`[${s.name}]`, ...s.entries.map(([k, v]) => `    ${k.padEnd(26)} ${v}`)].join("\n")))
        .join("\n\n") + "\n";
}

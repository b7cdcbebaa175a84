// A strict parser of the Prometheus text exposition format (version 0.0.4): it throws on the
// first line that is not of the format, so a test that parses a scrape checks its syntax too.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** The family a sample belongs to: its own name, or a histogram's or summary's base name. */
function familyOf(name, families) {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
        if (name.endsWith(suffix)) {
            const base = name.slice(0, -suffix.length);
            const type = families.get(base)?.type;
            if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return base;
        }
    }
    return name;
}

function parseValue(text, line) {
    if (text === "+Inf") return Infinity;
    if (text === "-Inf") return -Infinity;
    if (text === "NaN") return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        throw new Error(`not a number: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
    }
    return Number(text);
}

/** Reads `{a="x",b="y"}` from `line` at `start`; returns the labels and the index after `}`. */
function parseLabels(line, start) {
    const labels = {};
    let i = start + 1;
    const fail = (why) => { throw new Error(`${why} at column ${i + 1} of ${JSON.stringify(line)}`); };
    while (line[i] !== "}") {
        const nameEnd = line.indexOf("=", i);
        if (nameEnd < 0) fail("label without `=`");
        const name = line.slice(i, nameEnd);
        if (!LABEL_NAME.test(name)) fail(`bad label name ${JSON.stringify(name)}`);
        if (name in labels) fail(`label ${name} repeated`);
        i = nameEnd + 1;
        if (line[i] !== '"') fail("label value without quotes");
        i += 1;
        let value = "";
        for (;;) {
            if (i >= line.length) fail("unterminated label value");
            const c = line[i];
            if (c === '"') break;
            if (c === "\\") {
                const next = line[i + 1];
                if (next === "\\") value += "\\";
                else if (next === '"') value += '"';
                else if (next === "n") value += "\n";
                else fail(`bad escape \\${next}`);
                i += 2;
            } else {
                value += c;
                i += 1;
            }
        }
        labels[name] = value;
        i += 1;
        if (line[i] === ",") i += 1;
        else if (line[i] !== "}") fail("expected `,` or `}`");
    }
    return { labels, end: i + 1 };
}

/**
 * Parses a scrape into families: name -> { type, help, samples: [{ name, labels, value }] }.
 * Checks TYPE before samples, one TYPE and HELP per family, contiguous families, no duplicate
 * series, and that each histogram's buckets are cumulative and end at `+Inf` with its `_count`.
 */
export function parsePrometheusText(text) {
    if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
    const families = new Map();
    const seen = new Set();
    const closed = new Set();
    let current = null;
    const family = (name) => {
        if (!families.has(name)) families.set(name, { type: "untyped", help: undefined, samples: [], typed: false });
        return families.get(name);
    };
    for (const line of text.slice(0, -1).split("\n")) {
        if (line.trim() === "") continue;
        if (line.startsWith("#")) {
            const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
            if (!match) continue; // a comment
            const [, keyword, name, rest = ""] = match;
            if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
            const f = family(name);
            if (keyword === "HELP") {
                if (f.help !== undefined) throw new Error(`second HELP for ${name}`);
                if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`bad escape in ${JSON.stringify(line)}`);
                f.help = rest.replace(/\\(\\|n)/g, (_, c) => (c === "n" ? "\n" : "\\"));
            } else {
                if (f.typed) throw new Error(`second TYPE for ${name}`);
                if (f.samples.length) throw new Error(`TYPE for ${name} after its samples`);
                if (!TYPES.has(rest)) throw new Error(`unknown type in ${JSON.stringify(line)}`);
                f.type = rest;
                f.typed = true;
            }
            continue;
        }
        const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
        if (!nameMatch) throw new Error(`not a sample: ${JSON.stringify(line)}`);
        const name = nameMatch[0];
        let i = name.length;
        let labels = {};
        if (line[i] === "{") ({ labels, end: i } = parseLabels(line, i));
        const rest = line.slice(i);
        const fields = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest);
        if (!fields) throw new Error(`bad value or timestamp in ${JSON.stringify(line)}`);
        const value = parseValue(fields[1], line);
        const base = familyOf(name, families);
        if (base !== current) {
            if (closed.has(base)) throw new Error(`samples of ${base} are not together`);
            if (current !== null) closed.add(current);
            current = base;
        }
        const key = name + JSON.stringify(Object.entries(labels).sort());
        if (seen.has(key)) throw new Error(`duplicate series ${key}`);
        seen.add(key);
        family(base).samples.push({ name, labels, value });
    }
    for (const [name, f] of families) {
        if (f.type === "counter") {
            for (const s of f.samples) if (!(s.value >= 0)) throw new Error(`counter ${s.name} is ${s.value}`);
        }
        if (f.type === "histogram") checkHistogram(name, f);
        delete f.typed;
    }
    return families;
}

function checkHistogram(name, f) {
    const groups = new Map();
    for (const s of f.samples) {
        const { le, ...rest } = s.labels;
        const key = JSON.stringify(Object.entries(rest).sort());
        if (!groups.has(key)) groups.set(key, { buckets: [], sum: undefined, count: undefined });
        const g = groups.get(key);
        if (s.name === `${name}_bucket`) {
            if (le === undefined) throw new Error(`${name}_bucket without le`);
            g.buckets.push([parseValue(le, le), s.value]);
        } else if (s.name === `${name}_sum`) g.sum = s.value;
        else if (s.name === `${name}_count`) g.count = s.value;
        else throw new Error(`${s.name} in histogram ${name}`);
    }
    for (const [key, g] of groups) {
        if (g.sum === undefined || g.count === undefined) throw new Error(`${name}${key}: no _sum or _count`);
        const last = g.buckets.at(-1);
        if (!last || last[0] !== Infinity) throw new Error(`${name}${key}: no +Inf bucket last`);
        for (let i = 1; i < g.buckets.length; i++) {
            if (!(g.buckets[i][0] > g.buckets[i - 1][0])) throw new Error(`${name}${key}: bounds not increasing`);
            if (g.buckets[i][1] < g.buckets[i - 1][1]) throw new Error(`${name}${key}: buckets not cumulative`);
        }
        if (last[1] !== g.count) throw new Error(`${name}${key}: +Inf bucket ${last[1]} != count ${g.count}`);
    }
}

/** The value of the series `name` with exactly `labels` (plus `le` for buckets), or undefined. */
export function sample(families, name, labels) {
    for (const f of families.values()) {
        for (const s of f.samples) {
            if (s.name !== name) continue;
            const keys = Object.keys(s.labels);
            if (keys.length === Object.keys(labels).length && keys.every((k) => s.labels[k] === labels[k])) {
                return s.value;
            }
        }
    }
    return undefined;
}

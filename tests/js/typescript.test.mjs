// `tsc --noEmit`, strict (fixtures/typescript/tsconfig.json), over the example's typed controller
// and the fixtures beside that config, in one run: the generated bindings accept correct client
// code and reject each mistake they are meant to catch, with the expected code on the expected
// line. A failing fixture marks each line that must fail with its codes: `// TS2345 TS7006`.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "fixtures/typescript");
const client = path.resolve(here, "../../examples/intents_example/components/intents-example/client");
const typedController = path.join(client, "typed.js");
const bindings = path.join(client, "rain/bindings.d.ts");
const correct = path.join(fixtures, "correct.js");
const failing = readdirSync(fixtures)
    .filter((name) => name.endsWith(".js") && name !== "correct.js")
    .sort()
    .map((name) => path.join(fixtures, name));

const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");

/**
 * What one `tsc` run said: the files of its program, its diagnostics by absolute file (`at` is
 * "line TScode"), and any line of output that is neither.
 * @type {{ files: Set<string>, diagnostics: Map<string, { at: string, text: string }[]>, unexpected: string[] }}
 */
let run;

before(async () => {
    const stdout = await new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            [tsc, "--project", fixtures, "--pretty", "false", "--listFiles"],
            { cwd: here },
            // tsc exits non-zero when it reports errors, which the failing fixtures are for.
            (error, stdout, stderr) => {
                if (stderr || (error && !stdout)) reject(new Error(`tsc failed: ${stderr || error.message}`));
                else resolve(stdout);
            },
        );
    });
    run = { files: new Set(), diagnostics: new Map(), unexpected: [] };
    for (const line of stdout.split("\n")) {
        const diagnostic = /^(.+)\((\d+),\d+\): error (TS\d+): /.exec(line);
        if (diagnostic) {
            const [, file, number, code] = diagnostic;
            const key = path.resolve(here, file);
            const found = { at: `${number} ${code}`, text: line };
            run.diagnostics.set(key, [...(run.diagnostics.get(key) ?? []), found]);
        } else if (path.isAbsolute(line)) {
            run.files.add(line);
        } else if (line.trim() && !/^\s/.test(line)) {
            run.unexpected.push(line); // indented lines continue the message above
        }
    }
});

/** The diagnostics a failing fixture expects, from its `// TS....` line comments. */
function expected(file) {
    return readFileSync(file, "utf8")
        .split("\n")
        .flatMap((text, index) => {
            const codes = /\/\/((?: TS\d+)+)$/.exec(text.trimEnd())?.[1].trim().split(" ") ?? [];
            return codes.map((code) => `${index + 1} ${code}`);
        });
}

/** Asserts that `file` has exactly the diagnostics `want` ("line TScode"), in order. */
function assertDiagnostics(file, want) {
    const found = run.diagnostics.get(file) ?? [];
    assert.deepEqual(found.map((d) => d.at), want, found.map((d) => d.text).join("\n"));
}

test("tsc checks the typed controller, the fixtures and the bindings, and nothing else fails", () => {
    assert.deepEqual(run.unexpected, []);
    for (const file of [typedController, bindings, correct, ...failing]) {
        assert.ok(run.files.has(file), `${file} is not in the program: ${[...run.files].join("\n")}`);
    }
    const reported = [...run.diagnostics.keys()].filter((file) => !failing.includes(file));
    assert.deepEqual(reported, [], "only the failing fixtures have diagnostics");
    assert.ok(failing.length >= 8, "the failing fixtures are found");
});

test("the example's typed controller has no diagnostics", () => {
    assertDiagnostics(typedController, []);
});

test("a correct client file has no diagnostics", () => {
    assertDiagnostics(correct, []);
});

for (const file of failing) {
    test(`${path.basename(file, ".js")}: rejected with the expected codes on the expected lines`, () => {
        const want = expected(file);
        assert.notDeepEqual(want, [], `${file} marks no line that must fail`);
        assertDiagnostics(file, want);
    });
}

test("a Binary field takes ArrayBuffers, views and Blobs from the client, and refuses text", async () => {
    const project = path.join(here, "fixtures/typescript-binary");
    const output = await new Promise((resolve) => {
        execFile(process.execPath, [tsc, "--project", project, "--pretty", "false"], { cwd: here }, (error, stdout, stderr) =>
            resolve({ code: error?.code ?? 0, text: stdout + stderr }),
        );
    });
    assert.deepEqual(output, { code: 0, text: "" });
});

// The project's own ESLint rules, configured in eslint.config.mjs:
//   akm/layers              which part of the code may import which (a table of boundaries)
//   akm/no-global-registry  no process-wide registries on globalThis
// Both take a `today` list: files that still break the rule while the code moves. Such a
// file is reported once it no longer needs its entry, so the lists only shrink.
//
// Why not ESLint's no-restricted-imports: a file under several boundaries would get only
// the last matching config block's list (rule options replace each other, they never
// merge); it matches import strings, not the file they name (`../server/x` slips past a
// pattern for `@/lib/server`); and it has no per-boundary list of files allowed for now.
import path from "node:path";

const EXTENSION = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/**
 * A pattern names files by their path from the repository root, with forward slashes:
 * `"lib/db/"` is a folder and everything under it, `"lib/db/client"` one module (with or
 * without its extension), `"*.test.ts"` any file with that ending. Packages are named as
 * imported: `"@prisma/client"` also covers its subpaths.
 */
export function matches(file, pattern) {
  if (pattern.startsWith("*")) return file.endsWith(pattern.slice(1));
  if (pattern.endsWith("/")) return file.startsWith(pattern);
  const bare = file.replace(EXTENSION, "").replace(/\/index$/, "");
  const wanted = pattern.replace(EXTENSION, "");
  return file === pattern || bare === wanted || bare.startsWith(`${wanted}/`);
}

const matchesAny = (file, patterns = []) => patterns.some((pattern) => matches(file, pattern));

/** What an import names, as a pattern sees it: a repository path, or the bare specifier of a package. */
export function importedPath(importer, specifier) {
  if (specifier.startsWith("@/")) return specifier.slice(2);
  // The compiled core (scripts/build.mjs) is lib/ itself, as Next's server code imports it.
  if (specifier.startsWith("@akm/core/")) return `lib/${specifier.slice("@akm/core/".length)}`;
  if (specifier.startsWith("./") || specifier.startsWith("../")) return path.posix.normalize(path.posix.join(path.posix.dirname(importer), specifier));
  return specifier;
}

// `import { type A }` with only type specifiers is erased like `import type { A }`.
function isTypeOnly(node) {
  if (node.importKind === "type" || node.exportKind === "type") return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === "type" || s.exportKind === "type");
}

function repositoryPath(context, root) {
  return path.relative(root, context.physicalFilename).split(path.sep).join("/");
}

const files = { type: "array", items: { type: "string" } };

const layersRule = {
  meta: {
    type: "problem",
    docs: { description: "Keep imports inside the project's layer boundaries." },
    schema: [
      {
        type: "object",
        additionalProperties: false,
        required: ["root", "boundaries"],
        properties: {
          root: { type: "string" },
          boundaries: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["name", "to", "why"],
              properties: {
                name: { type: "string" },
                from: files,
                except: files,
                today: files,
                to: files,
                unless: files,
                types: { enum: ["allowed", "refused"] },
                why: { type: "string" },
              },
            },
          },
        },
      },
    ],
    messages: {
      crossed: "{{kind}} '{{specifier}}' crosses the boundary '{{name}}': {{why}}",
      stale: "{{file}} no longer crosses the boundary '{{name}}': remove it from that boundary's `today` list in eslint.config.mjs.",
    },
  },
  create(context) {
    const { root, boundaries } = context.options[0];
    const file = repositoryPath(context, root);
    // A boundary binds the files named in `from` (every file when absent) except those in
    // `except`; the files in `today` are bound too, but only to find out when they comply.
    const binding = boundaries.filter((b) => (b.from ? matchesAny(file, b.from) : true) && !matchesAny(file, b.except));
    if (binding.length === 0) return {};
    const tolerated = new Set(binding.filter((b) => b.today?.includes(file)));
    const crossedToday = new Set();

    function check(source, typeOnly) {
      if (!source || typeof source.value !== "string") return;
      const target = importedPath(file, source.value);
      for (const boundary of binding) {
        if (typeOnly && boundary.types === "allowed") continue;
        if (!matchesAny(target, boundary.to) || matchesAny(target, boundary.unless)) continue;
        if (tolerated.has(boundary)) {
          crossedToday.add(boundary);
          continue;
        }
        const kind = typeOnly ? "The type import" : "The import";
        context.report({ node: source, messageId: "crossed", data: { kind, specifier: source.value, name: boundary.name, why: boundary.why } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node.source, isTypeOnly(node)),
      ImportExpression: (node) => check(node.source, false),
      // `import("x").Type` in a type position.
      TSImportType: (node) => check(node.source, true),
      "Program:exit"(program) {
        for (const boundary of tolerated) {
          if (!crossedToday.has(boundary)) context.report({ node: program, loc: { line: 1, column: 0 }, messageId: "stale", data: { file, name: boundary.name } });
        }
      },
    };
  },
};

const GLOBAL_OBJECT = new Set(["globalThis", "global"]);

const registryRule = {
  meta: {
    type: "problem",
    docs: { description: "No process-wide registries on globalThis: build services once and hand them in." },
    schema: [
      {
        type: "object",
        additionalProperties: false,
        required: ["root"],
        properties: { root: { type: "string" }, today: files },
      },
    ],
    messages: {
      registry: "`{{name}}` here keeps a process-wide registry that readers of the entry point cannot see: build the service once and hand it in (STYLE 15).",
      stale: "{{file}} no longer uses globalThis: remove it from the `today` list of akm/no-global-registry in eslint.config.mjs.",
    },
  },
  create(context) {
    const { root, today = [] } = context.options[0];
    const file = repositoryPath(context, root);
    const tolerated = today.includes(file);
    return {
      "Program:exit"(program) {
        // References to the global object: resolved to a declared global (ESLint's globals,
        // TypeScript's lib) or to nothing at all; a local variable of that name is not one.
        const globalScope = context.sourceCode.getScope(program);
        const references = new Set(globalScope.through.filter((reference) => GLOBAL_OBJECT.has(reference.identifier.name)));
        for (const name of GLOBAL_OBJECT) for (const reference of globalScope.set.get(name)?.references ?? []) references.add(reference);
        const uses = [...references];
        // `declare global { … }` adds to the global object's type: the same registry, typed.
        const augmentations = program.body.filter((node) => node.type === "TSModuleDeclaration" && node.kind === "global");
        if (tolerated) {
          if (uses.length === 0 && augmentations.length === 0) context.report({ node: program, loc: { line: 1, column: 0 }, messageId: "stale", data: { file } });
          return;
        }
        for (const { identifier } of uses) context.report({ node: identifier, messageId: "registry", data: { name: identifier.name } });
        for (const node of augmentations) context.report({ node, messageId: "registry", data: { name: "declare global" } });
      },
    };
  },
};

export const akm = { meta: { name: "akm" }, rules: { layers: layersRule, "no-global-registry": registryRule } };

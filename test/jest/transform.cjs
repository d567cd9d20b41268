// Next's SWC transform compiles tests to CommonJS. Prisma's generated client is ESM: it
// reads import.meta.url and imports the .mjs build of its query compiler, which
// CommonJS cannot require. Point both at their CommonJS equivalents (the runtime ships a
// .js build beside each .mjs), then hand the source to Next's transformer.
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const PRISMA_RUNTIME_MJS = /(@prisma\/client\/runtime\/[\w.-]+)\.mjs\b/g;
const VERSION = "akm-transform-2";

const rewrite = (src) =>
  src.replace(IMPORT_META_URL, 'require("node:url").pathToFileURL(__filename).href').replace(PRISMA_RUNTIME_MJS, "$1.js");

module.exports = {
  createTransformer({ base, options }) {
    const loaded = require(base);
    const inner = loaded.createTransformer ? loaded.createTransformer(options) : loaded;
    const transformer = {
      canInstrument: inner.canInstrument,
      process: (src, filename, jestOptions) => inner.process(rewrite(src), filename, jestOptions),
    };
    if (inner.processAsync) transformer.processAsync = (src, filename, jestOptions) => inner.processAsync(rewrite(src), filename, jestOptions);
    if (inner.getCacheKey) transformer.getCacheKey = (src, filename, jestOptions) => inner.getCacheKey(rewrite(src), filename, jestOptions) + VERSION;
    return transformer;
  },
};

// Stands in for `server-only` in the compiled core (scripts/build.mjs): the guard matters
// to Next's client bundles, which never include the core.
export {};

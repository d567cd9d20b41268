// Types for lint/plugin.mjs (plain JavaScript so that eslint.config.mjs can load it without a TypeScript loader).
import type { ESLint } from "eslint";

export declare function matches(file: string, pattern: string): boolean;
export declare function importedPath(importer: string, specifier: string): string;
export declare const akm: ESLint.Plugin;

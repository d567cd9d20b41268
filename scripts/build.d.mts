export declare const CORE_DIR: string;
export declare function buildFingerprint(root: string): string;
export declare function buildCore(root: string): Promise<void>;
export declare function ensureBuild(root: string, log: (line: string) => void): Promise<void>;

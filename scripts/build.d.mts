/** Types of scripts/build.mjs (plain JavaScript, so it runs before anything is compiled). */
export declare const root: string;
export declare function isStale(outDir?: string): boolean;
export declare function build(options?: { outDir?: string; log?: (message: string) => void }): void;
export declare function buildIfStale(options?: {
  outDir?: string;
  log?: (message: string) => void;
}): Promise<boolean>;

export declare const EXACT_VERSION: RegExp;
export declare function packageOf(spec: string): string;
export declare function externalPackages(metafile: {
  outputs: Record<string, { imports?: { path: string; external?: boolean }[] }>;
}): string[];
export declare function manifestProblems(dir: string, externals: string[]): string[];
export declare function formatSize(bytes: number): string;

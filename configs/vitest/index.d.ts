export declare function magicAliases(): { find: RegExp; replacement: string }[];
export declare function magicVitest(test?: Record<string, unknown>): Record<string, unknown>;

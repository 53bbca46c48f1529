import type { Options } from 'tsup';
export declare function magicTsup(options?: {
  entry?: Record<string, string> | string[];
  bin?: boolean;
}): Options | Options[];

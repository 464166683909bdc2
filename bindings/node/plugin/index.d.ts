import type { UnpluginInstance } from 'unplugin';
import type { Engine, Finding } from '../index';

/** Options of the secretsift bundler plugin (the same for every bundler). */
export interface SecretsiftPluginOptions {
  /** `'error'` (default) fails the build on a secret; `'warn'` only warns. */
  mode?: 'error' | 'warn';
  /**
   * Findings to accept. Each entry is a rule id (`"stripe-secret-key-test"`), a fingerprint (32
   * hex digits, printed with every finding, the same as the secretsift CLI's baselines), or a
   * picomatch glob matched against the output file name and the original source path
   * (`"src/legacy/**"`).
   */
  allow?: string[];
  /** Extra rules: the text of a secretsift rules TOML file. */
  rules?: string;
  /** Use this engine instead of building one (its rules replace `rules`). */
  engine?: Engine;
  /** Emitted files to scan (default: JS, CSS, HTML, JSON, source maps, SVG and other text). */
  include?: RegExp | string | string[] | ((fileName: string) => boolean);
  /** Emitted files to skip (picomatch globs). */
  exclude?: string | string[];
  /** Publishable keys (meant to be public): `'warn'` (default), `'error'` or `'off'`. */
  publishable?: 'warn' | 'error' | 'off';
  /** Also apply name-based ("generic") rules to the bundle (default `false`: in minified code they flag identifiers like `apiKey===this.apiKey`). The environment check always applies them. */
  generic?: boolean;
  /** Check client-exposed environment variables for secrets (default `true`). */
  env?: boolean;
  /** Prefixes of client-exposed variables (default `VITE_`, `NEXT_PUBLIC_`, `REACT_APP_`; Vite's `envPrefix` is added). */
  envPrefixes?: string[];
  /** Paths in messages and fingerprints are relative to this (default: the bundler's root). */
  root?: string;
}

/** One reported finding: the engine's finding plus where it was found. Never holds the secret. */
export interface Hit extends Finding {
  /** Output file, relative to the output directory (or `env NAME` for an environment variable). */
  file: string;
  /** Original source position from the source map, when one was found. */
  original: { source: string | null; line: number; column: number } | null;
  fingerprint: string;
  env?: string;
}

export declare const unplugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>;
export declare class Checker {
  constructor(options?: SecretsiftPluginOptions);
  scanOutputs(
    files: Array<{ fileName: string; text: string | Uint8Array; map?: unknown }>,
    where: { outDir: string; readOutput?: (fileName: string) => string | null; context?: string },
  ): Promise<{ errors: Hit[]; warnings: Hit[] }>;
  checkEnv(env?: Record<string, string | undefined>, prefixes?: string[]): Promise<{ errors: Hit[]; warnings: Hit[] }>;
  /** Resolves when the rules are compiled. */
  ready: Promise<Engine>;
}
export declare function fingerprint(ruleId: string, file: string, secret: string | Uint8Array): string;
export declare function formatReport(hits: Hit[], options?: { warning?: boolean }): string;
export declare const CLIENT_ENV_PREFIXES: string[];
export declare const DEFAULT_INCLUDE: RegExp;

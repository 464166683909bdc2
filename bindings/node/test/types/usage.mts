// Compiled by `tsc --noEmit` in test.sh: the shipped declarations describe the API.
import { Engine, type Finding, type EngineOptions } from 'secretsift';
import vite from 'secretsift/vite';
import rollup from 'secretsift/rollup';
import webpack from 'secretsift/webpack';
import esbuild from 'secretsift/esbuild';
import type { SecretsiftPluginOptions } from 'secretsift/plugin';
import unplugin from 'secretsift/plugin';
const viaCore = unplugin.vite({});

const options: EngineOptions = { defaultRules: true, disable: ['generic-api-key'], genericEntropy: 4.2 };
const engine = new Engine(options);
const found: Finding[] = engine.scan(Buffer.from('text'));
const first: string | undefined = found[0]?.ruleId;
const offsets: number[] = engine.scan('text').map((f) => f.start + f.end + f.line + f.column);
const later: Promise<Finding[]> = engine.scanAsync('text');
const s = engine.stream({ lineMode: true });
const streamed: Finding[] = [...s.feed('a'), ...s.finish()];
const red: string = engine.redact('text', { template: '[{rule}]' });

const pluginOptions: SecretsiftPluginOptions = { mode: 'warn', allow: ['src/**'], publishable: 'off', rules: '' };
const plugins = [vite(pluginOptions), rollup(), webpack({ mode: 'error' }), esbuild()];
export { viaCore, first, offsets, later, streamed, red, plugins };

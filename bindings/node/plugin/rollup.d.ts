import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index.js';
/** The secretsift plugin for rollup: `plugins: [secretsift(options)]`. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['rollup'];
export = plugin;

import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index.js';
/** The secretsift plugin for webpack: `plugins: [secretsift(options)]`. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['webpack'];
export = plugin;

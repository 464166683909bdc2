import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index.js';
/** The secretsift plugin for vite: `plugins: [secretsift(options)]`. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['vite'];
export = plugin;

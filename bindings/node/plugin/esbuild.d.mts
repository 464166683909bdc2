import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index.js';
/** The secretsift plugin for esbuild: `plugins: [secretsift(options)]`. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['esbuild'];
export default plugin;

import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index.js';
/** The secretsift plugin for rolldown: `plugins: [secretsift(options)]`. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['rolldown'];
export default plugin;

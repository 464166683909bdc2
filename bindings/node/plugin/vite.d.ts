import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for vite. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['vite'];
export default plugin;

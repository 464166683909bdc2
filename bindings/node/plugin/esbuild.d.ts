import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for esbuild. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['esbuild'];
export default plugin;

import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for rollup. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['rollup'];
export default plugin;

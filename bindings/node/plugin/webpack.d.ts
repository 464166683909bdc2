import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for webpack. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['webpack'];
export default plugin;

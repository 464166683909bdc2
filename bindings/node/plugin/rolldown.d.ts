import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for rolldown. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['rolldown'];
export default plugin;

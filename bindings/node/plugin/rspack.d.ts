import type { UnpluginInstance } from 'unplugin';
import type { SecretsiftPluginOptions } from './index';
export type { SecretsiftPluginOptions } from './index';
/** The secretsift plugin for rspack. */
declare const plugin: UnpluginInstance<SecretsiftPluginOptions | undefined, boolean>['rspack'];
export default plugin;

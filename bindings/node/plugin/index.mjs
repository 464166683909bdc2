// `secretsift/plugin` as an ES module.
import plugin from './index.js';
export const { unplugin, Checker, fingerprint, formatReport, CLIENT_ENV_PREFIXES, DEFAULT_INCLUDE } = plugin;
export default plugin.unplugin;

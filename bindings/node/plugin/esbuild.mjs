// `secretsift/esbuild` as an ES module.
import plugin from './index.js';
export default plugin.esbuild;

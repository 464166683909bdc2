// `secretsift/rolldown` as an ES module.
import plugin from './index.js';
export default plugin.rolldown;

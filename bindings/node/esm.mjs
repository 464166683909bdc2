// ES module entry of `secretsift`: the native binding is loaded once, through the CommonJS
// loader that `napi build` generates (index.js), and re-exported by name.
import native from './index.js';
export const { Engine, Stream, version } = native;
export default native;

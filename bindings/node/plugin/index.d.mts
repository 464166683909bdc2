export * from './index.js';
export { unplugin as default } from './index.js';

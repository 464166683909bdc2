'use strict';
// `secretsift/esbuild`: the secretsift plugin for esbuild. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').esbuild;
module.exports = plugin;
module.exports.default = plugin;

'use strict';
// `secretsift/rollup`: the secretsift plugin for rollup. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').rollup;
module.exports = plugin;
module.exports.default = plugin;

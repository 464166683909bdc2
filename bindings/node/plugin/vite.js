'use strict';
// `secretsift/vite`: the secretsift plugin for vite. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').vite;
module.exports = plugin;
module.exports.default = plugin;

'use strict';
// `secretsift/rolldown`: the secretsift plugin for rolldown. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').rolldown;
module.exports = plugin;
module.exports.default = plugin;

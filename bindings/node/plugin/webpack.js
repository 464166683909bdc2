'use strict';
// `secretsift/webpack`: the secretsift plugin for webpack. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').webpack;
module.exports = plugin;
module.exports.default = plugin;

'use strict';
// `secretsift/rspack`: the secretsift plugin for rspack. Usage: `plugins: [secretsift(options)]`.
const plugin = require('./index.js').rspack;
module.exports = plugin;
module.exports.default = plugin;

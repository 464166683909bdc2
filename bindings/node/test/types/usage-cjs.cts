// The CommonJS side of the declarations (webpack configs are usually CommonJS).
import secretsift = require('secretsift/webpack');
import native = require('secretsift');
const engine = new native.Engine({ disable: ['generic-secret'] });
const plugin = secretsift({ allow: ['stripe-secret-key-test'], mode: 'error' });
export = { engine, plugin };

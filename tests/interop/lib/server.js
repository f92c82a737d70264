// The interoperability tests start the real binary the same way the conformance suite does.
module.exports = require('../../conformance/lib/server');
